/**
 * `exportManifest`: siblings to a vcstool `.repos` file or a `.gitmodules`
 * file. Checked three ways: the exact text for plain values, a round trip
 * through `importManifest`, and the exported files read by the tools' own
 * readers (git config for .gitmodules, PyYAML, which vcstool uses, for
 * .repos), so the quoting is right for them and not only for us.
 */
import assert from "node:assert/strict";
import { type ExportFormat, exportManifest, type ExportSibling } from "../src/config/export.ts";
import { importManifest } from "../src/config/importers/mod.ts";
import { ConfigError } from "../src/errors.ts";

const plain: ExportSibling[] = [
  { name: "core", repo: "https://h/org/core.git", path: "core", revision: "main" },
  { name: "tools", repo: "git@h:org/tools.git", path: "nested/tools" },
];

Deno.test("export: the exact text for plain values", () => {
  const reposHead = "# Written by `wrknv export`: paths are relative to the workspace root;\n" +
    "# clone there with `vcs import < FILE`, or read back anywhere with `wrknv init --from FILE`\n";
  const gitmodulesHead =
    "# Written by `wrknv export`: paths are relative to the workspace root, the superproject;\n" +
    "# read back anywhere with `wrknv init --from FILE`\n";
  assert.equal(
    exportManifest(plain, "repos"),
    reposHead + "repositories:\n" +
      "  core:\n    type: git\n    url: https://h/org/core.git\n    version: main\n" +
      "  nested/tools:\n    type: git\n    url: git@h:org/tools.git\n",
  );
  assert.equal(
    exportManifest(plain, "gitmodules"),
    gitmodulesHead +
      '[submodule "core"]\n\tpath = core\n\turl = https://h/org/core.git\n\tbranch = main\n' +
      '[submodule "tools"]\n\tpath = nested/tools\n\turl = git@h:org/tools.git\n',
  );
  assert.equal(exportManifest([], "repos"), reposHead + "repositories: {}\n");
  assert.equal(exportManifest([], "gitmodules"), gitmodulesHead);
});

/** Values that a careless writer would get wrong in YAML or git-config. */
const awkward: ExportSibling[] = [
  ...plain,
  // YAML 1.1 would read these revisions as a float, booleans, null, an octal, a date.
  { name: "float", repo: "https://h/float", path: "float", revision: "1.10" },
  { name: "bool", repo: "https://h/bool", path: "bool", revision: "yes" },
  { name: "off", repo: "https://h/off", path: "off", revision: "off" },
  { name: "null", repo: "https://h/null", path: "null", revision: "~" },
  { name: "octal", repo: "https://h/octal", path: "octal", revision: "0123" },
  { name: "date", repo: "https://h/date", path: "date", revision: "2024-01-02" },
  // Comment characters, quotes, spaces and a colon at the end.
  { name: "hash-dir", repo: "https://h/org/a#b;c.git", path: "hash#dir", revision: 'x"y' },
  { name: "My-Lib", repo: "file:///srv/git/My Lib.git", path: "My Lib", revision: "rel: 1" },
  { name: "colon", repo: "https://h/colon:", path: "./colon", revision: "v:" },
  { name: "tab", repo: "https://h/tab", path: "tab", revision: "a\tb" },
];

for (const format of ["repos", "gitmodules"] as ExportFormat[]) {
  Deno.test(`export ${format}, then import: the same siblings`, () => {
    const file = format === "repos" ? "wrknv.repos" : ".gitmodules";
    const back = importManifest(file, exportManifest(awkward, format));
    assert.equal(back.format, format);
    assert.deepEqual(
      back.siblings.map((s) => [s.name, s.repo, s.path, s.revision]),
      awkward.map((s) => [s.name, s.repo, s.path, s.revision]),
    );
  });
}

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

Deno.test("export gitmodules: git config reads back every value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wrknv-export-" });
  try {
    const file = `${dir}/.gitmodules`;
    await Deno.writeTextFile(file, exportManifest(awkward, "gitmodules"));
    // -z: NUL-terminated "key\nvalue" records, values exactly as git read them.
    const records = (await run("git", ["config", "-f", file, "-z", "--list"]))
      .split("\0").filter((r) => r);
    const read = new Map(
      records.map((r) => [r.slice(0, r.indexOf("\n")), r.slice(r.indexOf("\n") + 1)]),
    );
    for (const s of awkward) {
      assert.equal(read.get(`submodule.${s.name}.path`), s.path, s.name);
      assert.equal(read.get(`submodule.${s.name}.url`), s.repo, s.name);
      assert.equal(read.get(`submodule.${s.name}.branch`), s.revision, s.name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export repos: PyYAML (vcstool's reader) reads back every value as a string", async () => {
  const script = "import sys, json, yaml\n" +
    "print(json.dumps(yaml.safe_load(sys.stdin.read())))";
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(exportManifest(awkward, "repos")));
  await writer.close();
  const out = await child.output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.deepEqual(
    Object.entries(doc.repositories),
    awkward.map((s) => [s.path, {
      type: "git",
      url: s.repo,
      ...(s.revision ? { version: s.revision } : {}),
    }]),
  );
});

Deno.test("export gitmodules: a value git-config cannot hold is refused", () => {
  const table: [ExportSibling, string][] = [
    [
      { name: "a", repo: "https://h/a", path: "a\rb" },
      'cannot export sibling "a": its path holds a control character',
    ],
    [
      { name: "b\nc", repo: "https://h/b", path: "b" },
      'cannot export sibling "b\\nc": its name holds a control character',
    ],
    [
      { name: "d", repo: "https://h/d\u0001", path: "d" },
      'cannot export sibling "d": its URL holds a control character',
    ],
  ];
  for (const [sibling, message] of table) {
    assert.throws(() => exportManifest([sibling], "gitmodules"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, message);
      return true;
    });
  }
});
