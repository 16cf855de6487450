/**
 * SIGTERM and SIGHUP stop a run as Ctrl-C does: every child process group
 * ends, what wrknv made in the run is removed, locks are released, and the
 * exit code is 128 + the signal's number (143, 129).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { hangingServer, makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { MAIN, STATE_DIR } from "./support/cli.ts";
import { OFFLINE } from "./support/python.ts";
import { waitDead, waitNoneMentioning, waitUntil } from "./support/procs.ts";

const STOPS = [["SIGTERM", 143], ["SIGHUP", 129]] as const;

function spawnWrknv(args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd,
    env: {
      NO_COLOR: "1",
      WRKNV_CACHE_DIR: `${STATE_DIR}/cache`,
      WRKNV_CONFIG_DIR: `${STATE_DIR}/config`,
      WRKNV_STATE_DIR: `${STATE_DIR}/state`,
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function ended(child: Deno.ChildProcess) {
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

for (const [sig, code] of STOPS) {
  Deno.test(`${sig} during bootstrap from a remote that never answers: git ends, no temp, no lock, exit ${code}`, async () => {
    await using tmp = await tempDir();
    await using hang = hangingServer();
    const a = await makeRemote(join(tmp.path, "remotes"), "a");
    const cache = join(tmp.path, "cache");
    const ws = await makeWorkspace(join(tmp.path, "ws"), [
      { name: "a", repo: a.url },
      { name: "stuck", repo: hang.gitUrl("stuck.git") },
      { name: "stuck-http", repo: hang.httpUrl("stuck-http.git") },
    ]);
    // No --timeout: only the signal can end this run.
    const child = spawnWrknv(["bootstrap", "--retry", "0"], ws.meta, { WRKNV_CACHE_DIR: cache });
    await waitUntil("both hung clones connected", () => hang.accepted() >= 2);
    await waitUntil(
      "sibling a cloned",
      async () => (await names(ws.sibling("a"))).includes(".git"),
    );
    child.kill(sig);
    const r = await ended(child);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, new RegExp(`stopped by ${sig}`));
    assert.deepEqual(await waitNoneMentioning(`127.0.0.1:${hang.port}`), [], "git still running");
    const root = await names(ws.root);
    assert.deepEqual(root.filter((n) => n.startsWith(".wrknv-clone-")), [], "clone temp left");
    assert.deepEqual(root, ["a", "meta"]);
    assert.ok(!(await names(join(ws.meta, ".wrknv"))).includes("run.lock"), "run.lock left");
    // The mirror cache holds no half-made mirror: only whole ones, or nothing.
    const leftovers = (await names(join(cache, "git"))).filter((n) => !n.endsWith(".git"));
    assert.deepEqual(leftovers.filter((n) => !n.endsWith(".lock")), [], "mirror temp left");
    // The sibling that was cloned stays; a re-run goes on from there.
    assert.ok((await names(ws.sibling("a"))).includes(".git"));
  });
}

/** A package whose build backend writes its pid, then hangs (a hung build, say). */
function hangingPackage(pidFile: string): Record<string, string> {
  return {
    "pyproject.toml": `[build-system]\nrequires = []\nbuild-backend = "hang_backend"\n` +
      `backend-path = ["."]\n\n[project]\nname = "wrknvtest-hangs"\nversion = "0.1.0"\n`,
    "hang_backend.py": `import os, time\n` +
      `with open(${JSON.stringify(pidFile)}, "a") as f:\n    f.write(f"{os.getpid()}\\n")\n` +
      `while True:\n    time.sleep(1)\n`,
  };
}

Deno.test("SIGTERM during setup: the hung build backend ends, no lock, exit 143", async () => {
  await using tmp = await tempDir();
  const pidFile = join(tmp.path, "backend.pid");
  const remote = await makeRemote(join(tmp.path, "remotes"), "hangs", {
    files: hangingPackage(pidFile),
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "hangs", repo: remote.url }]);
  const boot = await ended(spawnWrknv(["bootstrap"], ws.meta));
  assert.equal(boot.code, 0, boot.stderr);
  const child = spawnWrknv(["setup", ...OFFLINE], ws.meta, { PIP_NO_INDEX: "1" });
  let pids: number[] = [];
  await waitUntil("the build backend started", async () => {
    pids = (await Deno.readTextFile(pidFile).catch(() => "")).split("\n").filter(Boolean)
      .map(Number);
    return pids.length > 0;
  }, 180_000);
  child.kill("SIGTERM");
  const r = await ended(child);
  assert.equal(r.code, 143, r.stdout + r.stderr);
  assert.deepEqual(await waitDead(pids), [], "the build backend still runs");
  assert.deepEqual(await waitNoneMentioning(ws.meta), [], "a process of the run still runs");
  assert.ok(!(await names(join(ws.meta, ".wrknv"))).includes("run.lock"), "run.lock left");
});

Deno.test("SIGHUP during exec: every command's process group ends, exit 129", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const b = await makeRemote(join(tmp.path, "remotes"), "b");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "b", repo: b.url },
  ]);
  assert.equal((await ended(spawnWrknv(["bootstrap"], ws.meta))).code, 0);
  const pidDir = join(tmp.path, "pids");
  await Deno.mkdir(pidDir);
  // Each command starts a background grandchild, then waits on a sleep.
  const script = `sleep 1000 & echo $! > ${pidDir}/$WRKNV_SIBLING.bg; ` +
    `echo $$ > ${pidDir}/$WRKNV_SIBLING.sh; wait`;
  const child = spawnWrknv(["exec", "--shell", script], ws.meta);
  await waitUntil("both commands started", async () => (await names(pidDir)).length === 4);
  const pids = await Promise.all(
    (await names(pidDir)).map(async (n) => Number(await Deno.readTextFile(join(pidDir, n)))),
  );
  child.kill("SIGHUP");
  const r = await ended(child);
  assert.equal(r.code, 129, r.stdout + r.stderr);
  assert.match(r.stderr, /stopped by SIGHUP/);
  assert.deepEqual(await waitDead(pids), [], "a command or its child still runs");
});

Deno.test("what a kill -9 left beside a sibling is cleaned by the next bootstrap, and nothing else", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "a", repo: a.url }]);
  // A pid that is surely gone: a process that has ended.
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  const dead = gone.pid;
  // Killed before its marker was written: an empty directory.
  const empty = join(ws.root, `.wrknv-clone-a-${dead}-0badcafe`);
  await Deno.mkdir(empty);
  // Killed mid-clone: the marker and a part of a clone.
  const partial = join(ws.root, `.wrknv-clone-a-${dead}-1badcafe`);
  await Deno.mkdir(join(partial, "a", ".git"), { recursive: true });
  await Deno.writeTextFile(join(partial, ".wrknv-partial"), "wrknv clone of a in progress\n");
  // Someone's own directory of that shape, without the marker: not wrknv's to remove.
  const theirs = join(ws.root, `.wrknv-clone-a-${dead}-2badcafe`);
  await Deno.mkdir(theirs);
  await Deno.writeTextFile(join(theirs, "notes.txt"), "mine\n");
  const r = await ended(spawnWrknv(["bootstrap"], ws.meta));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (await names(ws.root)).filter((n) => n.startsWith(".wrknv-clone-")),
    [`.wrknv-clone-a-${dead}-2badcafe`],
  );
  assert.equal(await Deno.readTextFile(join(theirs, "notes.txt")), "mine\n");
});
