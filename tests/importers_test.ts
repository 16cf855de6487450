/**
 * Siblings from other tools' manifests, written here from each tool's
 * documented format, awkward corners included; and the way back (export).
 */
import assert from "node:assert/strict";
import { importManifest, resolveRelativeUrl } from "../src/config/importers/mod.ts";
import { exportManifest } from "../src/config/export.ts";
import { ConfigError } from "../src/errors.ts";

const fixture = (name: string) =>
  Deno.readTextFile(new URL(`./fixtures/manifests/${name}`, import.meta.url));

Deno.test("vcstool .repos: nested paths, versions, non-git entries skipped", async () => {
  const r = await importManifest("ws.repos", await fixture("ws.repos"));
  assert.equal(r.format, "repos");
  assert.deepEqual(r.siblings, [
    {
      name: "foundation",
      repo: "https://github.com/example/foundation.git",
      path: "src/core/foundation",
      revision: "main",
    },
    { name: "tools", repo: "git@github.com:example/tools.git", path: "tools", revision: "v1.2.0" },
  ]);
  assert.deepEqual(r.warnings, ["repositories.old/legacy: type hg is not git; skipped"]);
});

Deno.test(".gitmodules: relative URLs resolve against the superproject's, nested paths, branch", async () => {
  const text = await fixture(".gitmodules");
  const r = await importManifest(".gitmodules", text, {
    baseUrl: "https://github.com/example/super.git",
  });
  assert.equal(r.format, "gitmodules");
  assert.deepEqual(r.siblings, [
    {
      name: "core",
      repo: "https://github.com/example/core.git",
      path: "libs/core",
      revision: "develop",
    },
    { name: "docs", repo: "https://github.com/example/docs.git", path: "docs" },
  ]);
  const noBase = await importManifest(".gitmodules", text);
  assert.equal(noBase.siblings[0].repo, "../core.git");
  assert.match(noBase.warnings[0], /relative URL \.\.\/core\.git kept as written/);
});

Deno.test("gita freeze CSV: url,name,path", async () => {
  const r = await importManifest("gita.csv", await fixture("gita.csv"));
  assert.equal(r.format, "gita");
  assert.deepEqual(r.siblings, [
    { name: "alpha", repo: "https://github.com/example/alpha.git", path: "/home/me/src/alpha" },
    { name: "beta", repo: "git@github.com:example/beta.git", path: "/home/me/src/nested/beta" },
  ]);
});

Deno.test("mani.yaml: projects with url, path, tags as groups; local projects skipped", async () => {
  const r = await importManifest("mani.yaml", await fixture("mani.yaml"));
  assert.equal(r.format, "mani");
  assert.deepEqual(r.siblings, [
    {
      name: "pinto",
      repo: "https://github.com/alajmo/pinto.git",
      path: "frontend/pinto",
      groups: ["frontend", "node"],
    },
    { name: "dashgrid", repo: "https://github.com/alajmo/dashgrid", revision: "dev" },
  ]);
  assert.deepEqual(r.warnings, ["projects.example: no url (a local project); skipped"]);
});

Deno.test("meta .meta: projects {path: url}", async () => {
  const r = await importManifest(".meta", await fixture(".meta"));
  assert.equal(r.format, "meta");
  assert.deepEqual(r.siblings, [
    { name: "api", repo: "git@github.com:example/api.git", path: "api" },
    { name: "worker", repo: "https://github.com/example/worker.git", path: "services/worker" },
  ]);
});

Deno.test("west.yml: url-base, repo-path, defaults, explicit url, groups", async () => {
  const r = await importManifest("west.yml", await fixture("west.yml"));
  assert.equal(r.format, "west");
  assert.deepEqual(r.siblings, [
    {
      name: "cmsis",
      repo: "https://github.com/zephyrproject-rtos/cmsis",
      path: "modules/hal/cmsis",
      revision: "4b96cbb174678dcd3ca86e11e1f24bc5f8726da0",
    },
    {
      name: "nordic",
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
    { name: "direct", repo: "https://example.org/direct.git", path: "direct", revision: "v3.5.0" },
  ]);
});

Deno.test('repo XML manifest: fetch=".." against the manifest URL, defaults, remotes, groups', async () => {
  const text = await fixture("default.xml");
  const r = await importManifest("default.xml", text, {
    baseUrl: "https://android.googlesource.com/platform/manifest",
  });
  assert.equal(r.format, "repo");
  assert.deepEqual(r.siblings, [
    {
      name: "make",
      repo: "https://android.googlesource.com/platform/build",
      path: "build/make",
      revision: "refs/tags/android-14.0.0_r1",
      groups: ["pdk", "tradefed"],
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
      revision: "refs/tags/android-14.0.0_r1",
    },
  ]);
  const noBase = await importManifest("default.xml", text);
  assert.equal(noBase.siblings[0].repo, "../platform/build");
  assert.ok(noBase.warnings.some((w) => /fetch="\.\." is relative/.test(w)));
});

Deno.test("formats are detected from content when the name says nothing", async () => {
  for (
    const [file, format] of [
      ["ws.repos", "repos"],
      [".gitmodules", "gitmodules"],
      [".meta", "meta"],
      ["west.yml", "west"],
      ["mani.yaml", "mani"],
      ["default.xml", "repo"],
    ]
  ) {
    const r = await importManifest("manifest.txt", await fixture(file));
    assert.equal(r.format, format, file);
  }
});

Deno.test("malformed and unknown manifests are one clear error naming the file and place", async (t) => {
  const table: [string, string, RegExp][] = [
    ["x.repos", "repositories:\n  a: [unclosed\n", /^x\.repos: \d+:\d+: not valid YAML/],
    [
      "x.repos",
      "repositories:\n  a:\n    type: git\n",
      /^x\.repos: repositories\.a: missing "url"$/,
    ],
    ["x.repos", "other: 1\n", /^x\.repos: expected a "repositories:" mapping$/],
    [
      ".gitmodules",
      '[submodule "a"]\n\tpath = a\n',
      /^\.gitmodules: submodule "a" \(line 1\): missing "url"$/,
    ],
    [".gitmodules", "url = x\n", /^\.gitmodules: 1: a key outside any \[submodule\] section$/],
    [
      "west.yml",
      "manifest:\n  projects:\n    - path: x\n",
      /^west\.yml: projects\[0\]: missing "name"$/,
    ],
    [
      "west.yml",
      "manifest:\n  projects:\n    - name: x\n      remote: nowhere\n",
      /unknown remote "nowhere"/,
    ],
    ["default.xml", "<manifest><project name='a'/>", /^default\.xml: \d+:\d+: not valid XML/],
    [
      "default.xml",
      "<manifest><project path='p'/></manifest>",
      /^default\.xml: <project> 1: missing "name"$/,
    ],
    [
      "default.xml",
      "<manifest><project name='a'/></manifest>",
      /no remote and no <default remote>/,
    ],
    [".meta", "{not json", /^\.meta: not valid JSON/],
    [".meta", '{"projects": {"a": 3}}', /^\.meta: projects\.a: expected a URL string$/],
    ["mani.yaml", "projects: 3\n", /expected a "projects:" mapping/],
    ["notes.txt", "just some words\n", /^notes\.txt: unknown manifest format/],
    [".meta", '{"projects": {"a/..": "https://h/x.git"}}', /cannot make a safe sibling name/],
    [
      ".meta",
      '{"projects": {"a": "https://h/a.git", "b/a": "https://h/b.git"}}',
      /two entries make the sibling name "a"/,
    ],
  ];
  for (const [file, text, want] of table) {
    await t.step(`${file}: ${JSON.stringify(text).slice(0, 40)}`, async () => {
      await assert.rejects(
        () => importManifest(file, text),
        (e) => e instanceof ConfigError && want.test(e.message),
      );
    });
  }
});

Deno.test("resolveRelativeUrl", () => {
  assert.equal(
    resolveRelativeUrl("../core.git", "https://h/org/super.git"),
    "https://h/org/core.git",
  );
  assert.equal(resolveRelativeUrl("../../x/y.git", "https://h/org/super.git"), "https://h/x/y.git");
  assert.equal(resolveRelativeUrl("../core.git", "git@h:org/super.git"), "git@h:org/core.git");
  assert.equal(
    resolveRelativeUrl("./sub.git", "https://h/org/super"),
    "https://h/org/super/sub.git",
  );
});

Deno.test("export then import gives the same siblings", async () => {
  const siblings = [
    { name: "core", repo: "https://h/org/core.git", path: "../core", revision: "main" },
    { name: "tools", repo: "git@h:org/tools.git", path: "../nested/tools" },
  ];
  const repos = await importManifest("out.repos", exportManifest(siblings, "repos"));
  assert.deepEqual(
    repos.siblings.map((s) => [s.repo, s.path, s.revision]),
    siblings.map((s) => [s.repo, s.path, s.revision]),
  );
  const gm = await importManifest(".gitmodules", exportManifest(siblings, "gitmodules"));
  assert.deepEqual(
    gm.siblings.map((s) => [s.name, s.repo, s.path, s.revision]),
    siblings.map((s) => [s.name, s.repo, s.path, s.revision]),
  );
});
