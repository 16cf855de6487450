/**
 * Bad wrknv.toml files, run through the real CLI: each must give exit code 2,
 * one line on stderr that names where the problem is, no stack trace, and no
 * change on disk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { STATE_DIR, wrknv } from "./support/cli.ts";
import { loadWorkspace } from "../src/config/mod.ts";
import { ConfigError } from "../src/errors.ts";

// The loader's cache of resolved files goes to this test's state, not the user's.
Deno.env.set("WRKNV_CACHE_DIR", `${STATE_DIR}/cache`);
import { snapshot } from "./support/tree.ts";

const HEAD = '[workspace]\nname = "ws"\n';
const sib = (name: string, extra = "") =>
  `\n[[siblings]]\nname = "${name}"\nrepo = "https://example.invalid/${name}.git"\n${extra}`;

interface Case {
  name: string;
  toml: string;
  /** Make something on disk first (in the directory that holds meta/). */
  prepare?: (dir: string) => Promise<void>;
  /** The start of the message: file, line or key path. */
  at: string;
  /** What the rest of the line must say. */
  says: RegExp;
}

const cases: Case[] = [
  // TOML syntax: file:line:column
  {
    name: "unclosed table header",
    toml: "[workspace\nname = 'x'\n",
    at: "wrknv.toml:1:",
    says: /./,
  },
  { name: "double equals", toml: HEAD + "root = = 1\n", at: "wrknv.toml:3:", says: /invalid/ },
  { name: "duplicate key", toml: HEAD + 'name = "y"\n', at: "wrknv.toml:3:", says: /redefine/ },
  { name: "unterminated string", toml: HEAD + 'root = "..\n', at: "wrknv.toml:3:", says: /string/ },
  { name: "bad escape", toml: HEAD + 'root = "\\q"\n', at: "wrknv.toml:3:", says: /escape/ },
  { name: "bare value", toml: HEAD + "root = ..\n", at: "wrknv.toml:3:", says: /./ },
  // Schema: key paths, with the line where it can be found
  { name: "no workspace table", toml: sib("a"), at: "wrknv.toml: workspace:", says: /is required/ },
  {
    name: "workspace not a table",
    toml: "workspace = 1\n",
    at: "wrknv.toml:1: workspace:",
    says: /expected a table, got an integer/,
  },
  {
    name: "repo not a string",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = 1\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /expected a string, got an integer/,
  },
  {
    name: "repo missing",
    toml: HEAD + '\n[[siblings]]\nname = "a"\n',
    at: "wrknv.toml:4: siblings[0].repo:",
    says: /is required/,
  },
  {
    name: "name missing",
    toml: HEAD + sib("a") + '\n[[siblings]]\nrepo = "x"\n',
    at: "wrknv.toml:8: siblings[1].name:",
    says: /is required/,
  },
  {
    name: "depend_on typo",
    toml: HEAD + sib("a", "depend_on = []\n"),
    at: "wrknv.toml:7: siblings[0].depend_on:",
    says: /unknown key \(did you mean "depends_on"\?\)/,
  },
  {
    name: "workspace key typo",
    toml: '[workspace]\nnmae = "x"\n',
    at: "wrknv.toml:2: workspace.nmae:",
    says: /did you mean "name"/,
  },
  {
    name: "python table typo",
    toml: HEAD + "[workspace.pyhton]\nversion = '>=3.11'\n",
    at: "wrknv.toml:3: workspace.pyhton:",
    says: /did you mean "python"/,
  },
  {
    name: "top-level typo",
    toml: HEAD + '[[sibling]]\nname = "a"\n',
    at: "wrknv.toml:3: sibling:",
    says: /did you mean "siblings"/,
  },
  {
    name: "unknown key far from any",
    toml: HEAD + "colour = 1\n",
    at: "wrknv.toml:3: workspace.colour:",
    says: /^ unknown key$/,
  },
  {
    name: "installer not allowed",
    toml: HEAD + '[workspace.python]\ninstaller = "conda"\n',
    at: "wrknv.toml:4: workspace.python.installer:",
    says: /expected one of "auto", "uv", "pip", got "conda"/,
  },
  {
    name: "install not a boolean",
    toml: HEAD + sib("a", 'install = "yes"\n'),
    at: "wrknv.toml:7: siblings[0].install:",
    says: /expected a boolean/,
  },
  {
    name: "groups not an array",
    toml: HEAD + sib("a", 'groups = "core"\n'),
    at: "wrknv.toml:7: siblings[0].groups:",
    says: /expected an array, got a string/,
  },
  {
    name: "layers of numbers",
    toml: HEAD + "layers = [1]\n",
    at: "wrknv.toml:3: workspace.layers[0]:",
    says: /expected a string/,
  },
  {
    name: "extras a string",
    toml: HEAD + '[workspace.python]\nextras = "dev"\n',
    at: "wrknv.toml:4: workspace.python.extras:",
    says: /expected an array/,
  },
  {
    name: "hooks a string",
    toml: HEAD + '[workspace.hooks]\npost_install = "make"\n',
    at: "wrknv.toml:4: workspace.hooks.post_install:",
    says: /expected an array/,
  },
  {
    name: "siblings a table",
    toml: HEAD + "[siblings]\nname = 'a'\n",
    at: "wrknv.toml:3: siblings:",
    says: /expected an array, got a table/,
  },
  {
    name: "root a number",
    toml: HEAD + "root = 5\n",
    at: "wrknv.toml:3: workspace.root:",
    says: /expected a string/,
  },
  {
    name: "hook typo",
    toml: HEAD + '[workspace.hooks]\npost_instal = ["x"]\n',
    at: "wrknv.toml:4: workspace.hooks.post_instal:",
    says: /did you mean "post_install"/,
  },
  // Meaning
  {
    name: "duplicate names",
    toml: HEAD + sib("a") + sib("a"),
    at: "wrknv.toml:9: siblings[1].name:",
    says: /duplicate sibling name "a" \(also siblings\[0\]\)/,
  },
  {
    name: "same path",
    toml: HEAD + sib("a", 'path = "../x"\n') + sib("b", 'path = "../x"\n'),
    at: "wrknv.toml:12: siblings[1].path:",
    says: /same path as "a"/,
  },
  {
    name: "a sibling inside another's .git directory",
    toml: HEAD + sib("a") + sib("b", 'path = "../a/.git/modules/b"\n'),
    at: "wrknv.toml:11: siblings[1].path:",
    says: /"b" lies inside the \.git directory of "a"/,
  },
  {
    name: "path traversal",
    toml: HEAD + sib("a", 'path = "../../etc"\n'),
    at: "wrknv.toml:7: siblings[0].path:",
    says: /outside the workspace root/,
  },
  {
    name: "absolute path outside root",
    toml: HEAD + sib("a", 'path = "/etc/x"\n'),
    at: "wrknv.toml:7: siblings[0].path:",
    says: /outside the workspace root/,
  },
  {
    name: "path is the root",
    toml: HEAD + sib("a", 'path = ".."\n'),
    at: "wrknv.toml:7: siblings[0].path:",
    says: /workspace root itself/,
  },
  {
    name: "path is the meta-repo",
    toml: HEAD + 'root = "."\n' + sib("a", 'path = "./"\n'),
    at: "wrknv.toml:8: siblings[0].path:",
    says: /workspace root itself|directory holding wrknv.toml/,
  },
  {
    name: "path holds the meta-repo",
    toml: HEAD + 'root = "../.."\n' + sib("a", 'path = ".."\n'),
    at: "wrknv.toml:8: siblings[0].path:",
    says: /holds the directory of wrknv.toml/,
  },
  {
    name: "url begins with a dash",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "--upload-pack=touch /tmp/pwned"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /begins with "-"/,
  },
  {
    name: "ext transport",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "ext::sh -c \'touch /tmp/pwned\'"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /remote helper transport \("ext::"\)/,
  },
  {
    name: "fd transport",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "fd::3"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /"fd::"/,
  },
  {
    name: "ssh host as option",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "ssh://-oProxyCommand=touch%20x/repo"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /beginning with "-"/,
  },
  {
    name: "ftp transport",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "ftp://host/x.git"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /ftp:\/\/ transport/,
  },
  {
    name: "scp host as option",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "git@-oProxyCommand=x:repo"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /beginning with "-"/,
  },
  {
    name: "depends_on unknown",
    toml: HEAD + sib("alpha") + sib("b", 'depends_on = ["alpah"]\n'),
    at: "wrknv.toml:11: siblings[1].depends_on[0]:",
    says: /unknown sibling "alpah" \(did you mean "alpha"\?\)/,
  },
  {
    name: "depends_on cycle",
    toml: HEAD + sib("a", 'depends_on = ["b"]\n') + sib("b", 'depends_on = ["c"]\n') +
      sib("c", 'depends_on = ["a"]\n'),
    at: "wrknv.toml:7: siblings[0].depends_on:",
    says: /dependency cycle: a -> b -> c -> a/,
  },
  {
    name: "depends_on itself",
    toml: HEAD + sib("a", 'depends_on = ["a"]\n'),
    at: "wrknv.toml:7: siblings[0].depends_on[0]:",
    says: /depends on itself/,
  },
  {
    name: "layer not in layers",
    toml: HEAD + 'layers = ["foundation", "tools"]\n' + sib("a", 'layer = "tool"\n'),
    at: "wrknv.toml:8: siblings[0].layer:",
    says: /unknown layer "tool" \(did you mean "tools"\?\)/,
  },
  {
    name: "layer without layers",
    toml: HEAD + sib("a", 'layer = "tools"\n'),
    at: "wrknv.toml:7: siblings[0].layer:",
    says: /workspace.layers is empty/,
  },
  {
    name: "python spec not a version",
    toml: HEAD + '[workspace.python]\nversion = ">=three"\n',
    at: "wrknv.toml:4: workspace.python.version:",
    says: /invalid Python version specifier ">=three"/,
  },
  {
    name: "python spec operator reversed",
    toml: HEAD + '[workspace.python]\nversion = "=>3.11"\n',
    at: "wrknv.toml:4: workspace.python.version:",
    says: /invalid Python version specifier "=>3.11"/,
  },
  {
    name: "name with a slash",
    toml: HEAD + sib("a/b"),
    at: "wrknv.toml:5: siblings[0].name:",
    says: /path separator/,
  },
  {
    name: "name dot-dot",
    toml: HEAD + sib(".."),
    at: "wrknv.toml:5: siblings[0].name:",
    says: /".."/,
  },
  {
    name: "name with a newline",
    toml: HEAD + '\n[[siblings]]\nname = "a\\nb"\nrepo = "x"\n',
    at: "wrknv.toml:5: siblings[0].name:",
    says: /control character/,
  },
  {
    name: "name with a bell",
    toml: HEAD + '\n[[siblings]]\nname = "a\\u0007"\nrepo = "x"\n',
    at: "wrknv.toml:5: siblings[0].name:",
    says: /control character/,
  },
  {
    name: "revision like an option",
    toml: HEAD + sib("a", 'revision = "--orphan"\n'),
    at: "wrknv.toml:7: siblings[0].revision:",
    says: /invalid revision "--orphan"/,
  },
  {
    name: "duplicate layer",
    toml: HEAD + 'layers = ["a", "a"]\n',
    at: "wrknv.toml:3: workspace.layers[1]:",
    says: /duplicate layer "a"/,
  },
  {
    name: "bad extra name",
    toml: HEAD + '[workspace.python]\nextras = ["dev tools"]\n',
    at: "wrknv.toml:4: workspace.python.extras[0]:",
    says: /invalid extra name/,
  },
  {
    name: "empty hook",
    toml: HEAD + '[workspace.hooks]\npost_install = [" "]\n',
    at: "wrknv.toml:4: workspace.hooks.post_install[0]:",
    says: /empty command/,
  },
  {
    name: "venv inside a sibling",
    toml: HEAD + 'root = "."\n[workspace.python]\nvenv = "libs/a/.venv"\n' +
      sib("a", 'path = "libs/a"\n'),
    at: "wrknv.toml:5: workspace.python.venv:",
    says: /lies inside sibling "a"/,
  },
  {
    name: "group with a space",
    toml: HEAD + sib("a", 'groups = ["core libs"]\n'),
    at: "wrknv.toml:7: siblings[0].groups[0]:",
    says: /group "core libs"/,
  },
  {
    name: "path through a symlink that leads outside the root",
    toml: HEAD + sib("a", 'path = "../escape/a"\n'),
    prepare: (dir) => Deno.symlink("/usr", `${dir}/escape`),
    at: "wrknv.toml: siblings[0].path:",
    says: /reached through a symbolic link that leads outside the workspace root/,
  },
  {
    name: "name with a backslash",
    toml: HEAD + '\n[[siblings]]\nname = "a\\\\b"\nrepo = "x"\n',
    at: "wrknv.toml:5: siblings[0].name:",
    says: /path separator/,
  },
  {
    name: "revision with a space",
    toml: HEAD + sib("a", 'revision = "main branch"\n'),
    at: "wrknv.toml:7: siblings[0].revision:",
    says: /invalid revision "main branch"/,
  },
  {
    name: "url with a newline",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "https://h/a.git\\nxyz"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /control character/,
  },
  {
    name: "another remote helper",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "testgit::/tmp/x"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /"testgit::"/,
  },
  {
    name: "ssh user as an option",
    toml: HEAD + '\n[[siblings]]\nname = "a"\nrepo = "ssh://-oProxyCommand=x@host/repo"\n',
    at: "wrknv.toml:6: siblings[0].repo:",
    says: /beginning with "-"/,
  },
];

Deno.test("config errors: at least 60 cases", () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases`);
});

async function inCaseDir<T>(c: Case, fn: (dir: string, meta: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bad-" });
  try {
    const meta = join(dir, "meta");
    await Deno.mkdir(meta);
    await Deno.writeTextFile(join(meta, "wrknv.toml"), c.toml);
    await c.prepare?.(dir);
    return await fn(dir, meta);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// The loader answers every case in this process (what the CLI prints is the
// error's message after "error: "); the CLI itself is run for a few below.
for (const c of cases) {
  Deno.test(`config error: ${c.name}`, async () => {
    await inCaseDir(c, async (dir, meta) => {
      const before = await snapshot(dir);
      const error = await loadWorkspace({ cwd: meta }).then(
        () => assert.fail("loaded"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConfigError, `a ConfigError: ${error}`);
      assert.equal(error.exitCode, 2);
      const line = error.message;
      assert.ok(!line.includes("\n"), `one line, got: ${line}`);
      assert.ok(line.startsWith(c.at), `"${line}" starts with "${c.at}"`);
      assert.match(line.slice(c.at.length), c.says);
      assert.deepEqual(await snapshot(dir), before, "nothing changed on disk");
    });
  });
}

// Through the real CLI: a syntax error, a schema error and a meaning error.
for (
  const name of [
    "unterminated string",
    "depend_on typo",
    "path through a symlink that leads outside the root",
  ]
) {
  const c = cases.find((c) => c.name === name)!;
  Deno.test(`config error through the CLI: ${name}`, async () => {
    await inCaseDir(c, async (dir, meta) => {
      const before = await snapshot(dir);
      const r = await wrknv(["config"], { cwd: meta });
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.equal(r.stdout, "");
      const lines = r.stderr.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
      assert.ok(
        lines[0].startsWith(`error: ${c.at}`),
        `"${lines[0]}" starts with "error: ${c.at}"`,
      );
      assert.match(lines[0].slice(`error: ${c.at}`.length), c.says);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.deepEqual(await snapshot(dir), before, "nothing changed on disk");
    });
  });
}

Deno.test("three mistakes in one file: all three in one run, by line, also as JSON", async () => {
  const toml = '[workspace]\nnmae = "ws"\n' +
    '\n[[siblings]]\nname = "a"\nurl = "https://h.invalid/a.git"\n' +
    '\n[[siblings]]\nname = "b b"\nrepo = "-x"\n';
  const c: Case = { name: "three", toml, at: "", says: /./ };
  await inCaseDir(c, async (dir, meta) => {
    const before = await snapshot(dir);
    const r = await wrknv(["config"], { cwd: meta });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'error: wrknv.toml:2: workspace.nmae: unknown key (did you mean "name"?)\n' +
        'error: wrknv.toml:6: siblings[0].url: unknown key (did you mean "repo"?)\n' +
        'error: wrknv.toml:9: siblings[1].name: name "b b" must start with a letter or digit and hold only letters, digits, ".", "_" and "-"\n' +
        'error: wrknv.toml:10: siblings[1].repo: repository URL "-x" begins with "-" and could be read as an option\n',
    );
    const j = await wrknv(["config", "--json"], { cwd: meta });
    assert.equal(j.code, 2);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.errors.length, 4);
    assert.match(doc.errors[1], /siblings\[0\]\.url: unknown key \(did you mean "repo"\?\)/);
    assert.deepEqual(await snapshot(dir), before);
  });
});

Deno.test("a missing closing quote is called that", async () => {
  const c: Case = { name: "quote", toml: '[workspace]\nname = "ws\n', at: "", says: /./ };
  await inCaseDir(c, async (_dir, meta) => {
    const r = await wrknv(["config"], { cwd: meta });
    assert.equal(
      r.stderr,
      "error: wrknv.toml:2:11: unterminated string: the closing quote is missing\n",
    );
  });
});
