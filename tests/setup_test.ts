/**
 * wrknv setup with a real venv and pip, offline.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { makePackageRemote, OFFLINE, venvRun } from "./support/python.ts";
import { snapshot } from "./support/tree.ts";

/**
 * Six siblings: a diamond (core <- left, right <- top), a dependency spelled
 * differently from its project name, an extra only some have, and a
 * non-Python sibling.
 */
async function sixPackages(dir: string) {
  const remotes = join(dir, "remotes");
  const specs = [
    { name: "foo-bar", deps: [], extras: { dev: [] } },
    { name: "core", deps: [], extras: { dev: [] } },
    { name: "left", deps: ["core>=0.1"] },
    {
      name: "right",
      deps: ['Foo_Bar[dev]>=0.1; python_version>="3"', "core"],
      extras: { dev: [] },
    },
    { name: "top", deps: ["left", "right", 'never-installed; python_version<"3"'] },
  ];
  const made = await Promise.all(specs.map((s) => makePackageRemote(remotes, s)));
  const docs = await makeRemote(remotes, "docs", { files: { "index.md": "# docs\n" } });
  // File order is not dependency order: top first.
  const order = ["top", "right", "docs", "left", "core", "foo-bar"];
  const url = (n: string) =>
    n === "docs" ? docs.url : made[specs.findIndex((s) => s.name === n)].url;
  const ws = await makeWorkspace(
    join(dir, "ws"),
    order.map((n) => ({ name: n, repo: url(n), ...(n === "docs" ? { install: false } : {}) })),
    { python: 'extras = ["dev"]' },
  );
  return ws;
}

Deno.test("six packages install editable in dependency order; every one imports; a re-run is idempotent", async () => {
  await using tmp = await tempDir();
  const ws = await sixPackages(tmp.path);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.installer, "pip");
  // Layers in dependency order; ties in file order (right stands before left in the file).
  assert.deepEqual(doc.order, [["core", "foo-bar"], ["right", "left"], ["top"]]);
  const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
  assert.equal(by.docs.status, "skipped");
  assert.equal(by.top.status, "installed");
  assert.deepEqual(by.right.extras, ["dev"]);
  assert.deepEqual(by.left.extras, []);
  assert.match(by.left.note, /has no extra "dev"/);

  const venv = join(ws.meta, ".venv");
  const check = await venvRun(venv, "import top, left, right, core, foo_bar; print('ok')");
  assert.equal(check.stdout.trim(), "ok", check.stderr);
  // Editable: a change in the sibling shows without reinstalling.
  await Deno.writeTextFile(
    join(ws.sibling("core"), "src", "core", "__init__.py"),
    "NAME = 'changed'\n",
  );
  assert.equal((await venvRun(venv, "import core; print(core.NAME)")).stdout.trim(), "changed");

  const before = await snapshot(venv);
  const again = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta });
  assert.equal(again.code, 0, again.stderr);
  const doc2 = JSON.parse(again.stdout);
  assert.ok(
    doc2.siblings.filter((s: { status: string }) => s.status !== "skipped").every((
      s: { status: string },
    ) => s.status === "up-to-date"),
  );
  assert.deepEqual(await snapshot(venv), before, "a re-run leaves the venv as it was");
});

Deno.test("a dependency cycle is a clear error, exit 2, and installs nothing", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const a = await makePackageRemote(remotes, { name: "cyc-a", deps: ["cyc-b"] });
  const b = await makePackageRemote(remotes, { name: "cyc-b", deps: ["cyc-a"] });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "cyc-a", repo: a.url }, {
    name: "cyc-b",
    repo: b.url,
  }]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "error: dependency cycle: cyc-a -> cyc-b -> cyc-a\n");
  let venvExists = true;
  try {
    await Deno.stat(join(ws.meta, ".venv"));
  } catch {
    venvExists = false;
  }
  assert.equal(venvExists, false, "nothing was made");
});

Deno.test("a failing package is named in the summary; the others still install", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const good = await makePackageRemote(remotes, { name: "good" });
  const bad = await makePackageRemote(remotes, {
    name: "broken",
    files: {
      "pyproject.toml":
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "broken"\nversion = "0.1.0"\n[tool.setuptools]\npackages = ["does_not_exist"]\n',
    },
  });
  const user = await makePackageRemote(remotes, { name: "uses-broken", deps: ["broken"] });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "good", repo: good.url },
    { name: "broken", repo: bad.url },
    { name: "uses-broken", repo: user.url },
  ]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta });
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
  assert.equal(by.broken.status, "failed");
  assert.ok(by.broken.error.length > 0);
  assert.equal(by["uses-broken"].status, "blocked");
  assert.equal(by.good.status, "installed");
  const human = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta });
  assert.match(human.stdout, /✗ broken\s+failed/);
  assert.match(human.stdout, /setup incomplete: .*1 failed, 1 blocked/);
});

/** Write a minimal pure-Python wheel for `name` into `dir` (no index needed). */
async function makeWheel(dir: string, name: string, version: string): Promise<void> {
  const script = `
import base64, hashlib, sys, zipfile
d, name, version = sys.argv[1:4]
files = {
  f"{name}/__init__.py": f"VERSION = '{version}'\\n",
  f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
  f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = ""
with zipfile.ZipFile(f"{d}/{name}-{version}-py3-none-any.whl", "w") as z:
    for path, text in files.items():
        data = text.encode()
        z.writestr(path, data)
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += f"{path},sha256={h},{len(data)}\\n"
    record += f"{name}-{version}.dist-info/RECORD,,\\n"
    z.writestr(f"{name}-{version}.dist-info/RECORD", record)
`;
  const out = await new Deno.Command("python3", { args: ["-c", script, dir, name, version] })
    .output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

Deno.test("external dependencies are installed from the wheel directories, offline", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const wheels = join(tmp.path, "wheels");
  await Deno.mkdir(wheels);
  await makeWheel(wheels, "extdep", "1.2.0");
  const base = await makePackageRemote(remotes, { name: "base", deps: ["ExtDep>=1.0"] });
  const app = await makePackageRemote(remotes, {
    name: "app",
    deps: ["base", 'never-there>=1; sys_platform == "win32"'],
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "app", repo: app.url }, {
    name: "base",
    repo: base.url,
  }]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE, "--find-links", wheels], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).order, [["base"], ["app"]]);
  const check = await venvRun(
    join(ws.meta, ".venv"),
    "import app, base, extdep; print(extdep.VERSION)",
  );
  assert.equal(check.stdout.trim(), "1.2.0", check.stderr);
  // Without the wheel the external dependency cannot be had: the sibling that needs it fails, by name.
  await Deno.remove(join(ws.meta, ".venv"), { recursive: true });
  const missing = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta });
  assert.equal(missing.code, 1);
  const by = Object.fromEntries(
    JSON.parse(missing.stdout).siblings.map((s: { name: string }) => [s.name, s]),
  );
  assert.equal(by.base.status, "failed");
  assert.match(by.base.error, /extdep/i);
  assert.equal(by.app.status, "blocked", "what depends on a failure is blocked");
});
