import assert from "node:assert/strict";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.ts";
import { formatLock, parseLock, readLock, writeLock } from "../src/config/lock.ts";
import { schemaText } from "../src/cli/schema.ts";
import { checkRepoUrl } from "../src/config/url.ts";
import { editDistance, nearest } from "../src/config/suggest.ts";
import { formatKeyPath, locateKey } from "../src/config/locate.ts";
import { ConfigError } from "../src/errors.ts";
import { wrknv } from "./support/cli.ts";

const FULL = `#:schema ./wrknv.schema.json
[workspace]
name = "provide"
root = ".."
layers = ["foundation", "framework", "tools"]

[workspace.python]
version = ">=3.11"
venv = ".venv"
installer = "pip"
extras = ["dev"]

[workspace.hooks]
post_install = ["pre-commit install"]

[[siblings]]
name = "provide-foundation"
repo = "https://github.com/provide-io/provide-foundation.git"
path = "../provide-foundation"
revision = "main"
layer = "foundation"
groups = ["core"]

[[siblings]]
name = "provide-testkit"
repo = "../remotes/testkit"
layer = "framework"
depends_on = ["provide-foundation"]
import = ["provide.testkit"]

[[siblings]]
name = "docs"
repo = "git@github.com:provide-io/docs.git"
install = false
`;

Deno.test("parseConfig resolves paths, defaults and file order", () => {
  const ws = parseConfig(FULL, "/w/meta/wrknv.toml");
  assert.equal(ws.name, "provide");
  assert.equal(ws.configDir, "/w/meta");
  assert.equal(ws.root, "/w");
  assert.deepEqual(ws.layers, ["foundation", "framework", "tools"]);
  assert.deepEqual(ws.python, {
    version: ">=3.11",
    venv: "/w/meta/.venv",
    installer: "pip",
    extras: ["dev"],
  });
  assert.deepEqual(ws.hooks, { preInstall: [], postInstall: ["pre-commit install"] });
  assert.deepEqual(ws.siblings.map((s) => [s.name, s.path, s.index]), [
    ["provide-foundation", "/w/provide-foundation", 0],
    ["provide-testkit", "/w/provide-testkit", 1],
    ["docs", "/w/docs", 2],
  ]);
  assert.equal(ws.siblings[1].repo, "/w/remotes/testkit", "a relative local repo is made absolute");
  assert.deepEqual(ws.siblings[1].dependsOn, ["provide-foundation"]);
  assert.deepEqual(ws.siblings[1].imports, ["provide.testkit"]);
  assert.equal(ws.siblings[2].install, false);
  assert.equal(ws.siblings[0].revision, "main");
  assert.deepEqual(ws.siblings[0].groups, ["core"]);
});

Deno.test("parseConfig fills every default from a minimal file", () => {
  const ws = parseConfig("[workspace]\n", "/x/meta/wrknv.toml");
  assert.equal(ws.name, "meta", "the name defaults to the directory's");
  assert.equal(ws.root, "/x");
  assert.deepEqual(ws.python, {
    version: ">=3.11",
    venv: "/x/meta/.venv",
    installer: "auto",
    extras: [],
  });
  assert.deepEqual(ws.siblings, []);
});

Deno.test("root inside the meta-repository is allowed", () => {
  const ws = parseConfig(
    '[workspace]\nroot = "repos"\n[[siblings]]\nname = "a"\nrepo = "x"\n',
    "/m/wrknv.toml",
  );
  assert.equal(ws.siblings[0].path, "/m/repos/a");
});

Deno.test("repository URL transports", async (t) => {
  const table: [string, string | RegExp][] = [
    ["https://github.com/a/b.git", "https"],
    ["http://127.0.0.1:8080/b", "http"],
    ["git://127.0.0.1/b", "git"],
    ["ssh://git@github.com/a/b.git", "ssh"],
    ["git+ssh://git@github.com/a/b.git", "ssh"],
    ["file:///srv/git/b.git", "file"],
    ["git@github.com:a/b.git", "scp"],
    ["github.com:a/b.git", "scp"],
    ["/srv/git/b.git", "local"],
    ["../remotes/b", "local"],
    ["./b:c", "local"],
    ["-u", /begins with "-"/],
    ["--upload-pack=x", /begins with "-"/],
    ["ext::sh -c x", /remote helper/],
    ["fd::3", /remote helper/],
    ["transport::addr", /remote helper/],
    ["ftp://h/x", /ftp:\/\//],
    ["ssh://-oProxyCommand=x/y", /beginning with "-"/],
    ["ssh://-u@h/y", /beginning with "-"/],
    ["git@-oProxy:y", /beginning with "-"/],
    ["https:///nohost", /no host/],
    ["", /empty/],
    ["a\nb", /control/],
  ];
  for (const [url, want] of table) {
    await t.step(JSON.stringify(url), () => {
      const r = checkRepoUrl(url);
      if (typeof want === "string") assert.deepEqual(r, { transport: want });
      else assert.match("error" in r ? r.error : "(accepted)", want);
    });
  }
});

Deno.test("suggestions", () => {
  assert.equal(editDistance("depend_on", "depends_on"), 1);
  assert.equal(editDistance("nmae", "name"), 1, "a swap is one edit");
  assert.equal(nearest("depend_on", ["name", "depends_on", "groups"]), "depends_on");
  assert.equal(nearest("colour", ["name", "root", "layers"]), undefined);
});

Deno.test("locateKey finds keys in tables, arrays of tables and dotted keys", () => {
  const text =
    '[workspace]\nname = "x"\npython.version = "3"\n\n[[siblings]]\nname = "a"\n\n[[siblings]]\nname = "b"\nrepo = 1\n';
  assert.equal(locateKey(text, ["workspace", "name"]), 2);
  assert.equal(locateKey(text, ["workspace", "python", "version"]), 3);
  assert.equal(locateKey(text, ["siblings", 1, "repo"]), 10);
  assert.equal(locateKey(text, ["siblings", 1, "path"]), 8, "a missing key points at its table");
  assert.equal(locateKey(text, ["nowhere"]), undefined);
  assert.equal(formatKeyPath(["siblings", 2, "depends_on", 0]), "siblings[2].depends_on[0]");
});

Deno.test("lock files round-trip and reject bad commits", async () => {
  const entries = [
    { name: "a", repo: "https://h/a.git", commit: "0123456789abcdef0123456789abcdef01234567" },
    { name: "b", repo: "/srv/b", commit: "fedcba9876543210fedcba9876543210fedcba98" },
  ];
  assert.deepEqual(parseLock(formatLock(entries)), entries);
  assert.throws(
    () => parseLock('version = 1\n[[siblings]]\nname = "a"\nrepo = "x"\ncommit = "abc"\n'),
    (e) =>
      e instanceof ConfigError &&
      /siblings\[0\]\.commit: expected a full commit hash/.test(e.message),
  );
  assert.throws(() => parseLock("version = 2\n"), ConfigError);
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await readLock({ configDir: dir }), null);
    await writeLock({ configDir: dir }, entries);
    assert.deepEqual(await readLock({ configDir: dir }), entries);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(names, ["wrknv.lock"], "no temporary file is left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wrknv.schema.json is up to date (regenerate: deno task dev schema > wrknv.schema.json)", async () => {
  const committed = await Deno.readTextFile(new URL("../wrknv.schema.json", import.meta.url));
  assert.equal(committed, schemaText());
});

Deno.test("wrknv config --json prints the resolved workspace", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "meta"));
    await Deno.writeTextFile(join(dir, "meta", "wrknv.toml"), FULL);
    await Deno.mkdir(join(dir, "meta", "sub", "deeper"), { recursive: true });
    // Found by walking up from a subdirectory.
    const r = await wrknv(["config", "--json"], { cwd: join(dir, "meta", "sub", "deeper") });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const real = await Deno.realPath(dir);
    assert.equal(doc.workspace.name, "provide");
    assert.equal(doc.workspace.root, real);
    assert.equal(doc.workspace.python.venv, join(real, "meta", ".venv"));
    assert.deepEqual(doc.siblings.map((s: { name: string }) => s.name), [
      "provide-foundation",
      "provide-testkit",
      "docs",
    ]);
    assert.equal(doc.siblings[0].path, join(real, "provide-foundation"));
    assert.equal(doc.siblings[0].repo, "https://github.com/provide-io/provide-foundation.git");
    assert.deepEqual(doc.siblings[1].depends_on, ["provide-foundation"]);
    // -C and --config reach the same file.
    const c = await wrknv(["-C", join(dir, "meta"), "config", "--json"], { cwd: dir });
    assert.deepEqual(JSON.parse(c.stdout), doc);
    const f = await wrknv(["--config", "meta/wrknv.toml", "--json", "config"], { cwd: dir });
    assert.deepEqual(JSON.parse(f.stdout), doc);
    const human = await wrknv(["config"], { cwd: join(dir, "meta") });
    assert.match(human.stdout, /provide-testkit\s+\.\.\/provide-testkit\s+framework/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no wrknv.toml anywhere is a one-line error with exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await wrknv(["config"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^error: no wrknv.toml in .* or any parent directory, and no meta-repository beside them lists it as a sibling\nhint: run wrknv in the meta-repository/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 2, "an error line and a hint");
    const m = await wrknv(["--config", "missing.toml", "config"], { cwd: dir });
    assert.equal(m.code, 2);
    assert.equal(m.stderr, "error: missing.toml: no such file\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wrknv --help lists each command on one line; unknown commands exit 2", async () => {
  const r = await wrknv(["--help"], { cwd: "." });
  assert.equal(r.code, 0);
  const commands = r.stdout.split("Commands:\n")[1].split("\n\n")[0].split("\n");
  assert.ok(commands.length >= 2);
  for (const line of commands) assert.match(line, /^ {2}[a-z-]+\s{2,}\S.*$/, line);
  const v = await wrknv(["--version"], { cwd: "." });
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const bad = await wrknv(["frobnicate"], { cwd: "." });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command 'frobnicate'/);
});

Deno.test("nested siblings are allowed; each knows the nearest sibling that holds it", () => {
  // `zephyr-lang-rust` sorts between `zephyr` and `zephyr/modules/foo`, so a
  // check of neighbours after sorting misses that the last lies in the first.
  const sib = (name: string, path: string) =>
    `[[siblings]]\nname = "${name}"\nrepo = "https://h.invalid/${name}.git"\npath = "${path}"\n`;
  const ws = parseConfig(
    `[workspace]\nroot = "ws"\n` + sib("foo", "ws/zephyr/modules/foo") +
      sib("zephyr", "ws/zephyr") + sib("rust", "ws/zephyr-lang-rust") +
      sib("bsim", "ws/tools/bsim") + sib("components", "ws/tools/bsim/components") +
      sib("deep", "ws/tools/bsim/components/x/y"),
    "/m/wrknv.toml",
  );
  assert.deepEqual(
    Object.fromEntries(ws.siblings.map((s) => [s.name, s.within ?? null])),
    {
      foo: "zephyr",
      zephyr: null,
      rust: null,
      bsim: null,
      components: "bsim",
      deep: "components",
    },
  );
});
