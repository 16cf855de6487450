/** `wrknv up` as a newcomer runs it: its three steps, then a short summary, not every check. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn, loggingGit, makeRemote } from "./support/git.ts";
import { makeWorkspace, twoSiblings } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { OFFLINE } from "./support/python.ts";

Deno.test("up ends with what is wrong and a count; -v lists every check", async () => {
  await using tmp = await tempDir();
  const { ws } = await twoSiblings(tmp.path);
  const r = await wrknv(["up", ...OFFLINE], { cwd: ws.meta, env: { PIP_NO_INDEX: "1" } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /▸ bootstrap[^]*▸ setup[^]*▸ validate/);
  assert.match(r.stdout, /0 errors, 0 warnings\n\d+ checks; wrknv validate lists them all\n$/);
  assert.doesNotMatch(r.stdout, /\[sibling\.present\]/, "no line per passing check");
  const v = await wrknv(["up", "-v", ...OFFLINE], { cwd: ws.meta, env: { PIP_NO_INDEX: "1" } });
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /\[sibling\.present\]/);
  // A workspace without hooks has nothing to trust, and trust says so.
  const t = await wrknv(["trust", "--yes"], { cwd: ws.meta });
  assert.equal(t.code, 0);
  assert.match(t.stdout, /wrknv\.toml has no hooks: there is nothing to trust/);
});

Deno.test("validate says which branch a sibling is on when it is at its revision's commit", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url, revision: "main", install: false },
  ]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  await gitIn(ws.sibling("a"), ["checkout", "--quiet", "-b", "hotfix"]);
  const r = await wrknv(["validate", "--json"], { cwd: ws.meta });
  const check = JSON.parse(r.stdout).checks.find((c: { id: string }) =>
    c.id === "sibling.revision"
  );
  assert.match(check.message, /^on hotfix, at main's commit \([0-9a-f]{7}\)$/);
  await gitIn(ws.sibling("a"), ["checkout", "--quiet", "--detach"]);
  const d = await wrknv(["validate", "--json"], { cwd: ws.meta });
  const again = JSON.parse(d.stdout).checks.find((c: { id: string }) =>
    c.id === "sibling.revision"
  );
  assert.match(again.message, /^detached, at main's commit/);
});

Deno.test("validate --tests without pytest in the venv says so once, with the venv's Python in the fix", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const files = { "tests/test_x.py": "def test_x():\n    assert True\n" };
  const [a, b] = await Promise.all([
    makeRemote(remotes, "a", { files }),
    makeRemote(remotes, "b", { files }),
  ]);
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url, install: false },
    { name: "b", repo: b.url, install: false },
  ]);
  const up = await wrknv(["up", ...OFFLINE], { cwd: ws.meta, env: { PIP_NO_INDEX: "1" } });
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const r = await wrknv(["validate", "--tests", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 1);
  const tests = JSON.parse(r.stdout).checks.filter((c: { id: string }) => c.id === "tests");
  assert.equal(tests.length, 1, "one check, not one per sibling");
  assert.match(
    tests[0].message,
    /^pytest is not installed in the venv, so the tests of a, b did not run$/,
  );
  assert.match(tests[0].hint, /\.venv\/bin\/python'? -m pip install pytest/);
});

Deno.test("a failure is told once, with its next step: bootstrap, setup and up, with and without -q", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const ok = await makeRemote(remotes, "ok");
  const broken = await makeRemote(remotes, "wrknvtest-broken", {
    files: {
      "pyproject.toml":
        '[build-system]\nrequires = []\nbuild-backend = "wrknvtest_no_such_backend"\n\n' +
        '[project]\nname = "wrknvtest-broken"\nversion = "0.1.0"\n',
    },
  });
  const gone = `file://${join(remotes, "gone.git")}`;
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "ok", repo: ok.url, install: false },
    { name: "gone", repo: gone, install: false },
  ]);
  const env = { PIP_NO_INDEX: "1", PIP_CONFIG_FILE: "/dev/null" };
  // Run `argv` in `cwd`: it fails, and says `what` once in all it prints.
  const toldOnce = async (cwd: string, argv: string[], what: string) => {
    const r = await wrknv(argv, { cwd, env });
    assert.equal(r.code, 1, argv.join(" "));
    const all = r.stdout + r.stderr;
    assert.equal(all.split(what).length - 1, 1, `${argv.join(" ")}:\n${all}`);
    return all;
  };
  for (
    const argv of [["bootstrap"], ["bootstrap", "-q"], ["up", ...OFFLINE], ["up", "-q", ...OFFLINE]]
  ) {
    await toldOnce(ws.meta, argv, "does not appear to be a git repository");
  }
  // Setup: a sibling whose build backend is not there.
  const ws2 = await makeWorkspace(join(tmp.path, "ws2"), [
    { name: "wrknvtest-broken", repo: broken.url },
  ], { python: 'installer = "pip"' });
  assert.equal((await wrknv(["bootstrap"], { cwd: ws2.meta })).code, 0);
  for (const argv of [["setup", ...OFFLINE], ["setup", "-q", ...OFFLINE], ["up", ...OFFLINE]]) {
    const all = await toldOnce(ws2.meta, argv, "No module named 'wrknvtest_no_such_backend'");
    assert.match(all, /log: /, "the next step: the log to read");
  }
});

Deno.test("up asks git once whether the venv is tracked, not in setup and again in validate", async () => {
  await using tmp = await tempDir();
  const { ws } = await twoSiblings(tmp.path);
  const env = { PIP_NO_INDEX: "1", PIP_CONFIG_FILE: "/dev/null" };
  assert.equal((await wrknv(["up", ...OFFLINE], { cwd: ws.meta, env })).code, 0);
  const logged = await loggingGit(tmp.path);
  const r = await wrknv(["up", ...OFFLINE], {
    cwd: ws.meta,
    env: { ...env, ...logged.env },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const calls = (await logged.calls()).filter((l) => l.startsWith("ls-files"));
  assert.equal(calls.length, 1, calls.join("\n"));
});
