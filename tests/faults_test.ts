/**
 * Faults: each ends with a clear message, and nothing that was there before
 * is lost.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn, makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { MAIN, STATE_DIR, wrknv } from "./support/cli.ts";
import { makePackageRemote, OFFLINE } from "./support/python.ts";
import { snapshot } from "./support/tree.ts";
import { parseConfig } from "../src/config/load.ts";
import { parseLock } from "../src/config/lock.ts";

const withoutState = (tree: Record<string, string>) =>
  Object.fromEntries(Object.entries(tree).filter(([k]) => !k.includes(".wrknv")));

/** Start wrknv, kill -9 it after `ms`, wait for it. */
async function killAfter(args: string[], cwd: string, ms: number): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd,
    env: {
      NO_COLOR: "1",
      WRKNV_CACHE_DIR: `${STATE_DIR}/cache`,
      WRKNV_CONFIG_DIR: `${STATE_DIR}/config`,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((r) => setTimeout(r, ms));
  try {
    child.kill("SIGKILL");
  } catch {
    // already done
  }
  await child.status;
}

Deno.test("kill -9 during wrknv add and wrknv lock: the file is the old one or the new one", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "a", repo: a.url }]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const old = await Deno.readTextFile(ws.config);
  const seen = new Set<string>();
  for (let i = 0; i < 24; i++) {
    await Deno.writeTextFile(ws.config, old);
    await killAfter(["add", `https://h.invalid/n${i}.git`], ws.meta, 20 + (i * 7) % 120);
    const now = await Deno.readTextFile(ws.config);
    const names = parseConfig(now, ws.config).siblings.map((s) => s.name);
    assert.ok(now === old || (names.length === 2 && names[1] === `n${i}`), `torn file: ${now}`);
    seen.add(now === old ? "old" : "new");
    const strays = [...Deno.readDirSync(ws.meta)].filter((e) => e.name.endsWith(".tmp"));
    for (const s of strays) await Deno.remove(join(ws.meta, s.name)); // a temp file is allowed, never the target torn
  }
  assert.ok(seen.size >= 1);

  await Deno.writeTextFile(ws.config, old);
  const lockPath = join(ws.meta, "wrknv.lock");
  assert.equal((await wrknv(["lock"], { cwd: ws.meta })).code, 0);
  const oldLock = await Deno.readTextFile(lockPath);
  await gitIn(ws.sibling("a"), ["commit", "--quiet", "--allow-empty", "-m", "next"]);
  for (let i = 0; i < 16; i++) {
    await Deno.writeTextFile(lockPath, oldLock);
    await killAfter(["lock"], ws.meta, 30 + (i * 11) % 150);
    const now = await Deno.readTextFile(lockPath);
    assert.equal(parseLock(now).length, 1, `the lock parses: ${now}`);
  }
});

Deno.test("git missing from PATH, and Python missing: one clear line, nothing changed", async () => {
  await using tmp = await tempDir();
  const a = await makePackageRemote(join(tmp.path, "remotes"), { name: "a" });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "a", repo: a.url }]);
  const before = await snapshot(ws.root);
  const noGit = await wrknv(["bootstrap"], { cwd: ws.meta, env: { PATH: "/nonexistent" } });
  assert.equal(noGit.code, 1);
  assert.match(noGit.stdout + noGit.stderr, /git not found on PATH/);
  assert.deepEqual(withoutState(await snapshot(ws.root)), withoutState(before));

  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  // A PATH with git but no Python at all.
  const bin = join(tmp.path, "gitonly");
  await Deno.mkdir(bin);
  await Deno.symlink("/usr/bin/git", join(bin, "git"));
  const noPython = await wrknv(["setup"], { cwd: ws.meta, env: { PATH: bin } });
  assert.equal(noPython.code, 1);
  assert.match(noPython.stderr, /^error: no Python satisfies ">=3\.11" \(looked for python3/);
  assert.match(noPython.stderr, /hint: install a matching Python/);
  let venv = true;
  try {
    await Deno.stat(join(ws.meta, ".venv"));
  } catch {
    venv = false;
  }
  assert.equal(venv, false);
});

Deno.test("a broken venv: validate says so, setup suggests --recreate, --recreate mends it", async () => {
  await using tmp = await tempDir();
  const a = await makePackageRemote(join(tmp.path, "remotes"), { name: "a" });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "a", repo: a.url }]);
  assert.equal((await wrknv(["up", ...OFFLINE], { cwd: ws.meta })).code, 0);
  for (const f of ["python", "python3", "python3.11"]) {
    await Deno.remove(join(ws.meta, ".venv", "bin", f)).catch(() => {});
  }
  const v = await wrknv(["validate", "--json"], { cwd: ws.meta });
  assert.equal(v.code, 1);
  const check = JSON.parse(v.stdout).checks.find((c: { id: string }) => c.id === "venv.exists");
  assert.equal(check.status, "error");
  assert.match(check.message, /the venv is broken: its python .* is missing or does not run/);
  const s = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta });
  assert.equal(s.code, 1);
  assert.match(s.stderr, /error: the venv at .* is broken/);
  assert.match(s.stderr, /hint: run `wrknv setup --recreate`/);
  const fixed = await wrknv(["setup", "--recreate", ...OFFLINE], { cwd: ws.meta });
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal((await wrknv(["validate"], { cwd: ws.meta })).code, 0);
});

Deno.test("a symlink loop under the root, and a file where a sibling should be", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const b = await makeRemote(join(tmp.path, "remotes"), "b");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "a", repo: a.url }, {
    name: "b",
    repo: b.url,
  }]);
  await Deno.symlink("loop2", join(ws.root, "loop1"));
  await Deno.symlink("loop1", join(ws.root, "loop2"));
  await Deno.symlink("a", join(ws.root, "a")).catch(() => {}); // a link to itself, where sibling a goes
  await Deno.writeTextFile(ws.sibling("b"), "I am a file, not a repository\n");
  const before = await snapshot(ws.root);
  const r = await wrknv(["bootstrap", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.siblings.map((s: { status: string }) => s.status), ["conflict", "conflict"]);
  assert.match(doc.siblings[0].error, /broken symbolic link is in the way; left untouched/);
  assert.match(doc.siblings[1].error, /a file is in the way; left untouched/);
  assert.deepEqual(withoutState(await snapshot(ws.root)), withoutState(before));
  // Discovery and status walk past the loop without hanging.
  const st = await wrknv(["status", "--json"], { cwd: ws.meta });
  assert.equal(st.code, 0);
  const init = await wrknv(["init", "--yes", "--discover", "--force"], {
    cwd: join(ws.root, "meta"),
  });
  assert.equal(init.code, 0, init.stderr);
});

Deno.test("a wheelhouse with one corrupt wheel: the sibling that needs it fails, by name", async () => {
  await using tmp = await tempDir();
  const wheels = join(tmp.path, "wheels");
  await Deno.mkdir(wheels);
  await Deno.writeTextFile(join(wheels, "extdep-1.0.0-py3-none-any.whl"), "this is not a zip file");
  const a = await makePackageRemote(join(tmp.path, "remotes"), {
    name: "needs-ext",
    deps: ["extdep"],
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "needs-ext", repo: a.url }]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE, "--find-links", wheels], { cwd: ws.meta });
  assert.equal(r.code, 1);
  const s = JSON.parse(r.stdout).siblings[0];
  assert.equal(s.name, "needs-ext");
  assert.equal(s.status, "failed");
  assert.match(s.error, /extdep|zip|wheel/i);
});
