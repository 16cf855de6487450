import assert from "node:assert/strict";
import { parse } from "smol-toml";
import { initWorkspace, nameFromUrl } from "../src/ops/init.ts";
import { addSibling, removeSibling } from "../src/config/edit.ts";
import { parseConfig } from "../src/config/load.ts";
import { ConfigError } from "../src/errors.ts";

Deno.test("nameFromUrl", async (t) => {
  const table: [string, string][] = [
    ["https://github.com/provide-io/provide-foundation.git", "provide-foundation"],
    ["git@github.com:org/tools.git", "tools"],
    ["ssh://git@h:22/org/x/", "x"],
    ["/srv/git/lib.git/", "lib"],
    ["../remotes/My Repo", "My-Repo"],
    ["file:///a/b/c", "c"],
    ["host:repo", "repo"],
    ["https://h/.hidden.git", "hidden"],
  ];
  for (const [url, want] of table) await t.step(url, () => assert.equal(nameFromUrl(url), want));
});

interface Case {
  name: string;
  answers: Parameters<typeof initWorkspace>[1];
  check: (ws: ReturnType<typeof initWorkspace>) => void;
}

const cases: Case[] = [
  {
    name: "no answers: every default",
    answers: {},
    check: ({ workspace, text }) => {
      assert.equal(workspace.name, "meta");
      assert.equal(workspace.root, "/w");
      assert.deepEqual(workspace.python, {
        version: ">=3.11",
        venv: "/w/meta/.venv",
        installer: "auto",
        extras: [],
      });
      assert.deepEqual(workspace.siblings, []);
      assert.match(text, /^#:schema https:\/\/\S+\/wrknv\.schema\.json\n/);
    },
  },
  {
    name: "siblings named from URLs, default paths omitted",
    answers: {
      siblings: [
        { repo: "https://h/org/a.git" },
        { repo: "git@h:org/b.git", path: "/w/b" },
        { repo: "https://h/org/c.git", path: "../elsewhere/c" },
      ],
    },
    check: ({ workspace, text }) => {
      assert.deepEqual(workspace.siblings.map((s) => [s.name, s.path]), [
        ["a", "/w/a"],
        ["b", "/w/b"],
        ["c", "/w/elsewhere/c"],
      ]);
      const doc = parse(text) as { siblings: Record<string, unknown>[] };
      assert.equal(doc.siblings[1].path, undefined, "a default path is not written");
      assert.equal(doc.siblings[2].path, "../elsewhere/c");
    },
  },
  {
    name: "layers, extras, installer and a non-Python sibling",
    answers: {
      name: "provide",
      layers: ["foundation", "tools"],
      python: { version: ">=3.12", installer: "uv", extras: ["dev", "test"] },
      siblings: [
        { repo: "https://h/f.git", layer: "foundation", groups: ["core"] },
        { repo: "https://h/docs.git", install: false, revision: "v1.0" },
      ],
    },
    check: ({ workspace }) => {
      assert.equal(workspace.name, "provide");
      assert.deepEqual(workspace.layers, ["foundation", "tools"]);
      assert.equal(workspace.python.installer, "uv");
      assert.deepEqual(workspace.python.extras, ["dev", "test"]);
      assert.equal(workspace.siblings[0].layer, "foundation");
      assert.deepEqual(workspace.siblings[0].groups, ["core"]);
      assert.equal(workspace.siblings[1].install, false);
      assert.equal(workspace.siblings[1].revision, "v1.0");
    },
  },
  {
    name: "root inside the meta-repository",
    answers: { root: "repos", siblings: [{ repo: "https://h/x.git" }] },
    check: ({ workspace }) => assert.equal(workspace.siblings[0].path, "/w/meta/repos/x"),
  },
];

for (const c of cases) {
  Deno.test(`initWorkspace: ${c.name}`, () => {
    const result = initWorkspace("/w/meta", c.answers);
    assert.equal(result.path, "/w/meta/wrknv.toml");
    c.check(result);
    // Stable: the same answers give the same bytes.
    assert.equal(initWorkspace("/w/meta", c.answers).text, result.text);
  });
}

Deno.test("initWorkspace refuses answers that make no valid workspace", () => {
  const bad: [Parameters<typeof initWorkspace>[1], RegExp][] = [
    [{ siblings: [{ repo: "ext::sh -c x" }] }, /sibling 1: repository URL .*remote helper/],
    [
      { siblings: [{ repo: "https://h/a.git" }, { repo: "https://k/a.git" }] },
      /two siblings are named "a"/,
    ],
    [{ python: { version: "three" } }, /invalid Python version specifier/],
    [
      { siblings: [{ repo: "https://h/a.git", layer: "x" }] },
      /layer "x" is set but workspace.layers is empty/,
    ],
  ];
  for (const [answers, want] of bad) {
    assert.throws(
      () => initWorkspace("/w/meta", answers),
      (e) => e instanceof ConfigError && want.test(e.message),
    );
  }
});

const EDITED = `[workspace]
name = "w"

# The foundation layer.
[[siblings]]
name = "a"
repo = "https://h/a.git"

# Tools: keep this comment.
[[siblings]]
name = "b"
repo = "https://h/b.git"
groups = [
  "x",
]

[[siblings]]
name = "c"  # inline comment
repo = "https://h/c.git"
`;

Deno.test("add keeps every comment and appends one table", () => {
  const out = addSibling(EDITED, {
    name: "d",
    repo: "https://h/d.git",
    layer: undefined,
    groups: ["g"],
  });
  assert.ok(out.startsWith(EDITED), "the old text is untouched");
  assert.equal(
    out.slice(EDITED.length),
    '\n[[siblings]]\nname = "d"\nrepo = "https://h/d.git"\ngroups = ["g"]\n',
  );
  assert.deepEqual(parseConfig(out, "/w/m/wrknv.toml").siblings.map((s) => s.name), [
    "a",
    "b",
    "c",
    "d",
  ]);
});

Deno.test("remove keeps the comment that stands between two siblings", async (t) => {
  for (const name of ["a", "b", "c"]) {
    await t.step(name, () => {
      const out = removeSibling(EDITED, name)!;
      assert.ok(out.includes("# Tools: keep this comment."));
      assert.ok(out.includes("# The foundation layer."));
      const names = parseConfig(out, "/w/m/wrknv.toml").siblings.map((s) => s.name);
      assert.deepEqual(names, ["a", "b", "c"].filter((n) => n !== name));
    });
  }
  assert.equal(removeSibling(EDITED, "zzz"), undefined);
});

Deno.test("remove edits the inline-array form too", () => {
  const text =
    '# list\nsiblings = [{ name = "a", repo = "x" }, { name = "b", repo = "y" }]\n[workspace]\nname = "w"\n';
  const out = removeSibling(text, "a")!;
  assert.deepEqual(parseConfig(out, "/w/m/wrknv.toml").siblings.map((s) => s.name), ["b"]);
  assert.ok(out.includes("# list"));
});
