/**
 * `importManifest`: siblings from other tools' manifests. The fixtures in
 * tests/fixtures/manifests/ are written from each tool's documented format,
 * awkward corners included; the expectations below follow those documents
 * (west: url-base + "/" + repo-path or name; repo: fetch joined to the
 * manifest's URL + "/" + name; git: `../` strips one component of the
 * superproject's URL). Relative URL resolution is also checked against real
 * git and Python's urljoin, which repo uses.
 */
import assert from "node:assert/strict";
import {
  detectFormat,
  type ImportedSibling,
  importManifest,
  type ImportOptions,
  joinUrl,
  type ManifestFormat,
  parseGitConfig,
  resolveRelativeUrl,
} from "../src/config/importers/mod.ts";
import { ConfigError } from "../src/errors.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./fixtures/manifests/${name}`, import.meta.url));

interface Case {
  what: string;
  file: string;
  text: string;
  options?: ImportOptions;
  format: ManifestFormat;
  siblings: ImportedSibling[];
  warnings?: string[];
  topDir?: string;
}

const fixtureCases: Case[] = [
  {
    what: "vcstool .repos: nested paths, comments, non-git entries skipped",
    file: "ws.repos",
    text: fixture("ws.repos"),
    format: "repos",
    siblings: [
      {
        name: "foundation",
        repo: "https://github.com/example/foundation.git",
        path: "src/core/foundation",
        revision: "main",
      },
      {
        name: "tools",
        repo: "git@github.com:example/tools.git",
        path: "tools",
        revision: "v1.2.0",
      },
    ],
    warnings: ['line 11: repositories."old/legacy": type hg is not git; skipped'],
  },
  {
    what: "vcstool .repos: versions that look like numbers stay as written, flow style, no version",
    file: "versions.repos",
    text: fixture("versions.repos"),
    format: "repos",
    siblings: [
      {
        name: "rclcpp",
        repo: "https://github.com/ros2/rclcpp.git",
        path: "ros/rclcpp",
        revision: "1.10",
      },
      {
        name: "rcl",
        repo: "https://github.com/ros2/rcl.git",
        path: "ros/rcl",
        revision: "28.0",
      },
      {
        name: "no-version",
        repo: "https://github.com/example/no-version",
        path: "vendor/no-version",
      },
    ],
    warnings: ["line 11: repositories.tarball: type tar is not git; skipped"],
  },
  {
    what: ".gitmodules with the superproject's URL: relative URLs resolved",
    file: ".gitmodules",
    text: fixture(".gitmodules"),
    options: { baseUrl: "https://github.com/example/super.git" },
    format: "gitmodules",
    siblings: [
      {
        name: "core",
        repo: "https://github.com/example/core.git",
        path: "libs/core",
        revision: "develop",
      },
      { name: "docs", repo: "https://github.com/example/docs.git", path: "docs" },
      {
        name: "zlib",
        repo: "https://github.com/mirrors/zlib.git",
        path: "third_party/deep/zlib",
      },
      { name: "tools", repo: "git@github.com:example/tools.git", path: "tools" },
    ],
    warnings: [
      'line 9: submodule "docs": branch "." not imported (it follows the superproject\'s branch)',
    ],
  },
  {
    what: "gita freeze: url,name,path rows, a quoted path, group rows as groups",
    file: "gita.csv",
    text: fixture("gita.csv"),
    format: "gita",
    siblings: [
      {
        name: "alpha",
        repo: "https://github.com/example/alpha.git",
        path: "/home/me/src/alpha",
        groups: ["core"],
      },
      {
        name: "beta",
        repo: "git@github.com:example/beta.git",
        path: "/home/me/src/nested/beta",
        groups: ["core", "docs"],
      },
      {
        name: "delta",
        repo: "https://github.com/example/delta.git",
        path: "/home/me/My Projects/delta",
      },
    ],
    warnings: ['line 5: group "docs" lists "ghost", which has no row'],
  },
  {
    what: "mani.yaml: tags as groups, branch, projects without a url skipped, imports noted",
    file: "mani.yaml",
    text: fixture("mani.yaml"),
    format: "mani",
    siblings: [
      {
        name: "pinto",
        repo: "https://github.com/alajmo/pinto.git",
        path: "frontend/pinto",
        groups: ["frontend", "node"],
      },
      // No path: beside mani.yaml, under its name.
      {
        name: "dashgrid",
        repo: "https://github.com/alajmo/dashgrid",
        path: "dashgrid",
        revision: "dev",
      },
    ],
    warnings: [
      "line 2: import: imported files are not read",
      "2 × no url (a plain directory); skipped (line 5: projects.example, line 15: projects.notes)",
    ],
  },
  {
    what: "meta .meta: {path: url}",
    file: ".meta",
    text: fixture(".meta"),
    format: "meta",
    siblings: [
      { name: "api", repo: "git@github.com:example/api.git", path: "api" },
      {
        name: "worker",
        repo: "https://github.com/example/worker.git",
        path: "services/worker",
      },
    ],
  },
  {
    what: "west.yml: url-base (trailing slash), repo-path, defaults, explicit url, groups",
    file: "west.yml",
    text: fixture("west.yml"),
    format: "west",
    siblings: [
      {
        name: "cmsis",
        repo: "https://github.com/zephyrproject-rtos/cmsis",
        path: "modules/hal/cmsis",
        revision: "4b96cbb174678dcd3ca86e11e1f24bc5f8726da0",
      },
      {
        name: "hal_nordic",
        repo: "https://github.com/zephyrproject-rtos/hal-nordic",
        path: "modules/hal/nordic",
        revision: "v3.5.0",
        groups: ["hal"],
      },
      {
        name: "net-tools",
        repo: "https://git.example.com/forks/net-tools",
        path: "net-tools",
        revision: "v3.5.0",
      },
      { name: "direct", repo: "https://example.org/direct.git", path: "direct", revision: "1.0" },
    ],
    warnings: ["line 28: self.import: the manifests that self imports are not read"],
    topDir: "..",
  },
  {
    what: 'repo XML: fetch=".." against the manifest URL, nesting, remove/extend-project',
    file: "default.xml",
    text: fixture("default.xml"),
    options: { baseUrl: "https://android.googlesource.com/platform/manifest" },
    format: "repo",
    siblings: [
      {
        name: "make",
        repo: "https://android.googlesource.com/platform/build",
        path: "build/make",
        revision: "android-14.0.0_r1",
        groups: ["pdk", "tradefed"],
      },
      {
        name: "soong",
        repo: "https://android.googlesource.com/platform/build/soong",
        path: "build/make/soong",
        revision: "android-14.0.0_r1",
      },
      {
        name: "tools",
        repo: "https://github.com/example/tools",
        path: "external/tools",
        revision: "main",
      },
      {
        name: "art",
        repo: "https://android.googlesource.com/platform/art",
        path: "platform/art",
        revision: "art-dev",
        groups: ["runtime"],
      },
    ],
    warnings: [
      'line 8: project "platform/build": linkfile and copyfile not imported (wrknv makes no links or copies)',
      "line 18: <include>: the included manifest extras.xml is not read",
    ],
    topDir: "..",
  },
];

/** Small manifests for the corners the fixtures do not reach. */
const cornerCases: Case[] = [
  {
    what: ".gitmodules: quoting, escapes, continuation, CRLF, old header form, bare keys",
    file: ".gitmodules",
    text: '[submodule.lib]\r\n\tpath = "with space/lib"  # comment\r\n\turl = https://h/org/\\\n' +
      'lib.git\r\n[submodule "q\\"x"]\n path=q\n url = "https://h/a;b.git" ; comment\n' +
      ' branch = "rel\\t1"\n',
    format: "gitmodules",
    siblings: [
      { name: "lib", repo: "https://h/org/lib.git", path: "with space/lib" },
      { name: "q", repo: "https://h/a;b.git", path: "q", revision: "rel\t1" },
    ],
  },
  {
    what: ".gitmodules: later keys win, other sections ignored, ./ URLs",
    file: ".gitmodules",
    text:
      '[submodule "a"]\n\tpath = one\n\tpath = two\n[include]\n\tpath = x\n[submodule "a"]\n\turl = ./a.git\n',
    options: { baseUrl: "git@h:org/super.git" },
    format: "gitmodules",
    siblings: [{ name: "two", repo: "git@h:org/super.git/a.git", path: "two" }],
  },
  {
    what: "gita: the old three-column form and a path-less row named from the URL",
    file: "repos.txt",
    text: "https://h/org/one.git,one,/src/one\r\ngit@h:org/two.git,,\n\n",
    format: "gita",
    siblings: [
      { name: "one", repo: "https://h/org/one.git", path: "/src/one" },
      { name: "two", repo: "git@h:org/two.git" },
    ],
  },
  {
    what: "names: odd characters become -, shared names are made from the paths",
    file: "x.repos",
    text: "repositories:\n  a/My Lib:\n    type: git\n    url: https://h/a\n" +
      "  hal/nordic/drivers:\n    type: git\n    url: https://h/b\n" +
      "  hal/stm32/drivers:\n    type: git\n    url: https://h/c\n",
    format: "repos",
    siblings: [
      { name: "My-Lib", repo: "https://h/a", path: "a/My Lib" },
      { name: "hal-nordic-drivers", repo: "https://h/b", path: "hal/nordic/drivers" },
      { name: "hal-stm32-drivers", repo: "https://h/c", path: "hal/stm32/drivers" },
    ],
    warnings: [
      'line 2: repositories."a/My Lib": name "My Lib" imported as "My-Lib"',
      '2 entries would be named "drivers"; named after their paths: hal/nordic/drivers → hal-nordic-drivers, hal/stm32/drivers → hal-stm32-drivers',
    ],
  },
  {
    what: "a transport wrknv refuses is skipped with a warning",
    file: ".meta",
    text: '{"projects": {"a": "ext::sh -c evil", "b": "https://h/b.git"}}',
    format: "meta",
    siblings: [{ name: "b", repo: "https://h/b.git", path: "b" }],
    warnings: [
      'line 1: projects.a: url "ext::sh -c evil" uses a remote helper transport ("ext::"), which is not allowed; skipped',
    ],
  },
  {
    what: "west: no defaults, revision missing, project imports noted, self.path two deep",
    file: "west.yml",
    text: "manifest:\n  remotes:\n    - name: r\n      url-base: git@h:org\n  projects:\n" +
      "    - name: a\n      remote: r\n      import: true\n  self:\n    path: apps/manifest\n",
    format: "west",
    siblings: [{ name: "a", repo: "git@h:org/a", path: "a" }],
    warnings: [
      "line 6: projects[0] (a): the manifest it imports is not read (it needs the project cloned)",
      'no revision for a (west would check out "master"); they stay on their default branch',
    ],
    topDir: "../..",
  },
  {
    what: "repo: remote revision, scp fetch, groups split on spaces and commas",
    file: "m.xml",
    text: '<manifest><remote name="o" fetch="git@h:org/" revision="dev"/><default remote="o"/>' +
      '<project name="x/y.git" groups="a b,c"/></manifest>',
    format: "repo",
    siblings: [
      {
        name: "y",
        repo: "git@h:org/x/y.git",
        path: "x/y.git",
        revision: "dev",
        groups: ["a", "b", "c"],
      },
    ],
    topDir: "..",
  },
  {
    what: "mani: a project whose path is the file's own directory is skipped",
    file: "mani.yml",
    text: "projects:\n  self:\n    path: ./\n    url: https://h/self.git\n",
    format: "mani",
    siblings: [],
    warnings: ["self is the manifest's own directory; skipped"],
  },
  {
    what: "the format can be forced",
    file: "anything.txt",
    text: '{"projects": {"p": "https://h/p.git"}}',
    options: { format: "meta" },
    format: "meta",
    siblings: [{ name: "p", repo: "https://h/p.git", path: "p" }],
  },
];

for (const c of [...fixtureCases, ...cornerCases]) {
  Deno.test(`import: ${c.what}`, () => {
    const r = importManifest(c.file, c.text, c.options);
    assert.equal(r.format, c.format);
    // Where each entry is declared is checked in "import: each sibling names where ...".
    assert.deepEqual(r.siblings.map(({ at: _, ...s }) => s), c.siblings);
    assert.deepEqual(r.warnings, c.warnings ?? []);
    assert.equal(r.topDir, c.topDir);
  });
}

Deno.test("import: the format is found from the content when the name says nothing", () => {
  const table: [string, ManifestFormat][] = [
    ["ws.repos", "repos"],
    [".gitmodules", "gitmodules"],
    ["gita.csv", "gita"],
    ["mani.yaml", "mani"],
    [".meta", "meta"],
    ["west.yml", "west"],
    ["default.xml", "repo"],
  ];
  for (const [file, format] of table) {
    assert.equal(detectFormat("manifest.txt", fixture(file)), format, file);
    assert.equal(detectFormat(file, ""), format, `${file} by name`);
    const options = { baseUrl: "https://h.invalid/org/manifest.git" };
    assert.equal(importManifest("some/dir/manifest", fixture(file), options).format, format, file);
  }
  assert.equal(detectFormat("notes.txt", "just words\n"), null);
});

Deno.test("import: malformed manifests are one line naming the file, line and entry", async (t) => {
  const table: [file: string, text: string, message: string][] = [
    [
      "x.repos",
      "repositories:\n  a: [unclosed\n",
      "x.repos:3:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
    [
      "x.repos",
      "repositories:\n  a:\n    type: git\n  a:\n    type: git\n",
      "x.repos:4:3: not valid YAML: Map keys must be unique",
    ],
    [
      "x.repos",
      "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
      "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nrepositories: {}\n",
      "x.repos: not valid YAML: Excessive alias count indicates a resource exhaustion attack",
    ],
    ["x.repos", "other: 1\n", 'x.repos:1: expected a "repositories:" mapping'],
    [
      "x.repos",
      "repositories:\n  lib:\n    type: git\n    version: main\n",
      'x.repos:2: repositories.lib: missing "url"',
    ],
    [
      "x.repos",
      "repositories:\n  lib:\n    url: https://h/lib\n",
      'x.repos:2: repositories.lib: missing "type"',
    ],
    [
      "x.repos",
      "repositories:\n  lib:\n    type: git\n    url: --upload-pack=evil\n",
      'x.repos:4: repositories.lib.url: url "--upload-pack=evil" begins with "-" and could be read as an option',
    ],
    [
      ".gitmodules",
      '# top\n[submodule "a"]\n\tpath = a\n',
      '.gitmodules:2: submodule "a": missing "url"',
    ],
    [
      ".gitmodules",
      '[submodule "a"]\n\turl = https://h/a.git\n',
      '.gitmodules:1: submodule "a": missing "path"',
    ],
    [".gitmodules", "url = x\n", '.gitmodules:1: the key "url" is outside any section'],
    [
      ".gitmodules",
      '[submodule "a]\n',
      ".gitmodules:1: a section header's quoted name is not closed",
    ],
    [
      ".gitmodules",
      '[submodule "a"]\n\tpath = "a\n',
      ".gitmodules:2: a quoted value is not closed",
    ],
    [
      ".gitmodules",
      '[submodule "a"]\n\tpath = a\\q\n',
      ".gitmodules:2: a value holds an unknown escape",
    ],
    [
      ".gitmodules",
      '[submodule "a"]\n\tpath = a\n\turl = ../../../x.git\n',
      '.gitmodules:3: submodule "a": cannot resolve the relative URL ../../../x.git against https://h/super.git',
    ],
    [
      ".gitmodules",
      '[submodule "a"]\n\tpath = x/..\n\turl = https://h/a.git\n',
      '.gitmodules:2: submodule "a": cannot make a safe sibling name from ".."',
    ],
    [
      "gita.csv",
      "https://h/a.git,a\n",
      'gita.csv:1: expected url,name,path, got "https://h/a.git,a"',
    ],
    ["gita.csv", 'https://h/a.git,a,"/x\n', "gita.csv:1: a quoted field is not closed"],
    [
      "gita.csv",
      "https://h/a.git,a/b,/x\n",
      'gita.csv:1: repo "a/b": cannot make a safe sibling name from "a/b"',
    ],
    ["mani.yaml", "projects: 3\n", 'mani.yaml:1: expected a "projects:" mapping'],
    [
      "mani.yaml",
      "projects:\n  a:\n    url: [x]\n",
      "mani.yaml:3: projects.a.url: expected a string",
    ],
    [".meta", "{not json", ".meta:1:2: not valid JSON: Expected property name or '}'"],
    [".meta", '{"projects": {"a": 3}}', ".meta:1: projects.a: expected a URL string"],
    [".meta", '{"projects": []}', '.meta: expected "projects": {"path": "url", ...}'],
    [
      "west.yml",
      "manifest:\n  projects:\n    - name: a\n      url: https://h/a\n    - path: x\n",
      'west.yml:5: projects[1]: missing "name"',
    ],
    [
      "west.yml",
      "manifest:\n  projects:\n    - name: x\n      remote: nowhere\n",
      'west.yml:4: projects[0] (x): unknown remote "nowhere"',
    ],
    [
      "west.yml",
      "manifest:\n  projects:\n    - name: x\n",
      'west.yml:3: projects[0] (x): no "url" or "remote", and no defaults.remote',
    ],
    [
      "west.yml",
      "manifest:\n  remotes:\n    - name: r\n      url-base: https://h\n  projects:\n" +
      "    - name: x\n      remote: r\n      url: https://h/x\n",
      'west.yml:6: projects[0] (x): has both "url" and "remote"',
    ],
    [
      "west.yml",
      "manifest:\n  remotes:\n    - name: r\n",
      'west.yml:3: remotes[0]: missing "url-base"',
    ],
    ["west.yml", "projects: []\n", 'west.yml:1: expected a "manifest:" mapping'],
    [
      "default.xml",
      "<manifest><project name='a'/>",
      "default.xml:1:1: not valid XML: Unclosed tag 'manifest'.",
    ],
    [
      "default.xml",
      "<manifest>\n  <remote name='r' fetch='https://h'/>\n  <project path='p'/>\n</manifest>",
      'default.xml:3: project[0]: missing "name"',
    ],
    [
      "default.xml",
      "<manifest>\n<project name='a'/>\n</manifest>",
      'default.xml:2: project "a": no remote and no <default remote>',
    ],
    [
      "default.xml",
      "<manifest><default remote='gone'/><project name='a'/></manifest>",
      'default.xml:1: project "a": unknown remote "gone"',
    ],
    [
      "default.xml",
      "<manifest><remote name='r'/></manifest>",
      'default.xml:1: remote "r": missing "fetch"',
    ],
    ["default.xml", "<other/>", "default.xml: expected a <manifest> root element"],
    [
      "default.xml",
      '<!DOCTYPE m [<!ENTITY a "aaaa">]><manifest/>',
      "default.xml: entity declarations are not allowed in a manifest",
    ],
    [
      "notes.txt",
      "just some words\n",
      "notes.txt: unknown manifest format; expected vcstool .repos, .gitmodules, gita freeze CSV, mani.yaml, meta .meta, west.yml, repo XML manifest",
    ],
    [
      ".meta",
      '{"projects": {"a": "https://h/a.git", "b/a": "https://h/b.git", "a/": "https://h/c.git"}}',
      '.meta: two entries make the sibling name "a" (a and a/)',
    ],
    [
      ".meta",
      '{"projects": {"bad\\nname": "https://h/a.git"}}',
      '.meta:1: projects."bad\\nname": path "bad\\nname" holds a control character',
    ],
  ];
  for (const [file, text, message] of table) {
    await t.step(`${file}: ${JSON.stringify(text).slice(0, 50)}`, () => {
      assert.throws(
        () => importManifest(file, text, { baseUrl: "https://h/super.git" }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.exitCode, 2);
          assert.ok(!e.message.includes("\n"), "one line");
          assert.equal(e.message, message);
          return true;
        },
      );
    });
  }
});

Deno.test("parseGitConfig keeps git-config's rules for values", () => {
  const entries = parseGitConfig(
    { file: "c", warnings: [], unresolved: [], options: {} },
    '[a "B c"]\n  k = " x " y  \n  K2 = a\\"b\\\\c # c\n  flag\n',
  );
  assert.deepEqual(
    entries.map((e) => [e.section, e.subsection, e.key, e.value, e.line]),
    [
      ["a", "B c", "k", " x  y", 2],
      ["a", "B c", "k2", 'a"b\\c', 3],
      ["a", "B c", "flag", "true", 4],
    ],
  );
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  // The user's and the system's git config stay out of it (an insteadOf there would change URLs).
  const env = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
  const out = await new Deno.Command("git", { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("resolveRelativeUrl agrees with git submodule init", async () => {
  const bases = [
    "https://github.com/example/super.git",
    "https://h/org/super/",
    "git@github.com:example/super.git",
    "ssh://git@h:2222/org/super.git",
    "/srv/git/super.git",
    "file:///srv/git/super.git",
  ];
  const rels = ["../core.git", "../../m/z.git", "./sub.git", "./../x.git"];
  const dir = await Deno.makeTempDir({ prefix: "wrknv-submodule-" });
  try {
    await git(dir, "init", "-q", ".");
    await Deno.writeTextFile(
      `${dir}/.gitmodules`,
      rels.map((r, i) => `[submodule "m${i}"]\n\tpath = m${i}\n\turl = ${r}\n`).join(""),
    );
    for (let i = 0; i < rels.length; i++) {
      await git(dir, "update-index", "--add", "--cacheinfo", `160000,${"1".repeat(40)},m${i}`);
    }
    for (const base of bases) {
      // Set (not add, then remove): each base replaces the last.
      await git(dir, "config", "remote.origin.url", base);
      await git(dir, "submodule", "init");
      for (let i = 0; i < rels.length; i++) {
        const want = await git(dir, "config", `submodule.m${i}.url`);
        assert.equal(resolveRelativeUrl(rels[i], base), want, `${rels[i]} against ${base}`);
        await git(dir, "config", "--unset", `submodule.m${i}.url`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // Where git would strip the host itself away, wrknv refuses instead.
  assert.equal(resolveRelativeUrl("../../../x.git", "https://h/super.git"), undefined);
  assert.equal(resolveRelativeUrl("../../x.git", "git@h:super.git"), undefined);
});

Deno.test("joinUrl agrees with Python's urljoin, which repo uses for fetch", async () => {
  const table: [ref: string, base: string][] = [
    ["..", "https://android.googlesource.com/platform/manifest"],
    ["../aosp", "https://h/a/b/manifest"],
    [".", "https://h/a/manifest"],
    ["../..", "https://h/a/manifest"],
    ["../../..", "https://h/a/b/c"],
    ["mirror", "https://h/a/manifest"],
    ["/abs", "https://h/a/m"],
    ["https://other/x", "https://h/a"],
  ];
  const script = "import sys, json, urllib.parse as u\n" +
    "print(json.dumps([u.urljoin(b, r) for r, b in json.loads(sys.argv[1])]))";
  const out = await new Deno.Command("python3", {
    args: ["-c", script, JSON.stringify(table)],
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  const want = JSON.parse(new TextDecoder().decode(out.stdout)) as string[];
  assert.deepEqual(table.map(([ref, base]) => joinUrl(ref, base)), want);
  // urljoin leaves references alone for schemes it does not know (ssh); RFC 3986 does not.
  assert.equal(joinUrl("..", "ssh://git@h:29418/platform/manifest"), "ssh://git@h:29418/");
  assert.equal(joinUrl("..", "git@h:platform/manifest"), "git@h:");
});

Deno.test("import: rosinstall lists, empty .repos files and gita's branch column", () => {
  const ros = importManifest("coverage.rosinstall", fixture("coverage.rosinstall"));
  assert.equal(ros.format, "repos");
  assert.deepEqual(ros.siblings.map(({ at: _, ...s }) => s), [
    {
      name: "ament_cmake",
      repo: "https://github.com/ament/ament_cmake.git",
      path: "src/ament/ament_cmake",
      revision: "rolling",
    },
    {
      name: "rcl",
      repo: "https://github.com/ros2/rcl.git",
      path: "src/ros2/rcl",
      revision: "1.10",
    },
    {
      name: "Fast-DDS",
      repo: "https://github.com/eProsima/Fast-DDS.git",
      path: "src/eProsima/Fast-DDS",
    },
  ]);
  assert.deepEqual(ros.warnings, [
    "line 10: [3] (src/legacy): type hg is not git; skipped",
    "line 13: [4].other: not a repository (other); skipped",
  ]);
  assert.equal(detectFormat("list.txt", fixture("coverage.rosinstall")), "repos");

  const empty = importManifest("empty.repos", fixture("empty.repos"));
  assert.deepEqual([empty.siblings, empty.warnings], [[], ["line 2: no repositories listed"]]);
  assert.deepEqual(importManifest("e.repos", "repositories: {}\n").warnings, [
    "no repositories listed",
  ]);

  const gita = importManifest("gita-branches.csv", fixture("gita-branches.csv"));
  assert.deepEqual(gita.siblings.map((s) => [s.name, s.revision]), [
    ["alpha", "main"],
    ["beta", "feature/x"],
    ["gamma", undefined],
  ]);
});

Deno.test("import: each sibling names where the manifest declares it", () => {
  const at = (file: string, options?: ImportOptions) =>
    importManifest(file, fixture(file), options).siblings.map((s) => s.at);
  assert.deepEqual(at("west.yml").slice(0, 2), [
    "west.yml:14: projects[0] (cmsis)",
    "west.yml:17: projects[1] (hal_nordic)",
  ]);
  assert.deepEqual(at("ws.repos"), [
    'ws.repos:3: repositories."src/core/foundation"',
    "ws.repos:7: repositories.tools",
  ]);
  assert.deepEqual(
    at("default.xml", { baseUrl: "https://h/m" })[0],
    'default.xml:8: project "platform/build"',
  );
});

Deno.test("import: west reads self imports and repo its includes through the caller", () => {
  /** What the CLI gives the importers: a file of the manifest repository by name. */
  const reader = (dir: string) => (name: string) => {
    try {
      return Deno.readTextFileSync(new URL(`./fixtures/manifests/${dir}/${name}`, import.meta.url));
    } catch {
      return undefined;
    }
  };
  const readFile = reader("west-workspace/manifest");
  const listDir = (name: string) => name === "submanifests" ? ["optional.yaml"] : undefined;
  const west = importManifest("west.yml", readFile("west.yml")!, { readFile, listDir });
  assert.deepEqual(west.inactiveGroups, ["sim", "optional"]);
  // The main manifest's hal_nordic wins over the submanifest's.
  assert.deepEqual(
    west.siblings.filter((s) => s.name === "hal_nordic" || s.name === "canopen").map((s) => [
      s.name,
      s.path,
      s.at,
    ]),
    [
      ["hal_nordic", "modules/hal/nordic", "west.yml:21: projects[0] (hal_nordic)"],
      ["canopen", "modules/lib/canopen", "submanifests/optional.yaml:9: projects[0] (canopen)"],
    ],
  );
  // Without a reader: reported, not guessed.
  assert.match(
    importManifest("west.yml", readFile("west.yml")!).warnings.join("\n"),
    /self\.import: the manifests that self imports are not read/,
  );

  const readRepo = reader("repo-client/.repo/manifests");
  const top = '<manifest><include name="default.xml"/><include name="nope.xml"/></manifest>';
  const repo = importManifest("manifest.xml", top, {
    baseUrl: "https://h/Lineage/android",
    readFile: readRepo,
  });
  assert.equal(repo.siblings.length, 7);
  assert.deepEqual(repo.inactiveGroups, ["notdefault"]);
  assert.deepEqual(repo.warnings, [
    'default.xml line 11: project "Lineage/android_build": linkfile and copyfile not imported (wrknv makes no links or copies)',
    "line 1: <include>: the included manifest nope.xml is not read (not found)",
  ]);
  // An include cycle is read once.
  const loop = importManifest(
    "a.xml",
    '<manifest><remote name="r" fetch="https://h"/><default remote="r"/><project name="x"/><include name="a.xml"/></manifest>',
    { readFile: () => '<manifest><include name="a.xml"/></manifest>' },
  );
  assert.deepEqual(loop.siblings.map((s) => s.name), ["x"]);
});

Deno.test("import: relative URLs without a base are refused in one line; like warnings are grouped", () => {
  assert.throws(
    () => importManifest(".gitmodules", fixture(".gitmodules")),
    (e) =>
      e instanceof ConfigError &&
      e.message ===
        '.gitmodules: 2 entries have relative URLs (the first: .gitmodules:4: submodule "libs/core": ../core.git) and there is no URL to resolve them against (the manifest\'s repository has no origin); give the URL of the repository that holds the manifest with --base-url URL',
  );
  const text = Array.from(
    { length: 5 },
    (_, i) => `[submodule "m${i}"]\n\tpath = m${i}\n\turl = https://h/m${i}.git\n\tbranch = .\n`,
  ).join("");
  assert.deepEqual(importManifest(".gitmodules", text).warnings, [
    '5 × branch "." not imported (it follows the superproject\'s branch) (line 4: submodule "m0", line 8: submodule "m1", line 12: submodule "m2", ...)',
  ]);
});
