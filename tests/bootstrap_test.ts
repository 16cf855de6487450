/**
 * wrknv bootstrap against real repositories: file:// remotes, git daemon on
 * 127.0.0.1, a server that never answers, and Ctrl-C.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { waitUntil } from "./support/procs.ts";
import { tempDir } from "./support/tmp.ts";
import { gitDaemon, gitIn, hangingServer, loggingGit, makeRemote } from "./support/git.ts";
import { makeWorkspace, twoSiblings } from "./support/workspace.ts";
import { MAIN, wrknv } from "./support/cli.ts";
import { snapshot } from "./support/tree.ts";

interface JsonResult {
  ok: boolean;
  siblings: {
    name: string;
    path: string;
    status: string;
    commit?: string;
    error?: string;
    warnings?: string[];
  }[];
}

async function head(path: string): Promise<string> {
  return (await gitIn(path, ["rev-parse", "HEAD"])).trim();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function leftovers(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith(".wrknv-clone-")) out.push(e.name);
  return out;
}

Deno.test("20 siblings clone in parallel; a re-run touches nothing", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const names = Array.from({ length: 20 }, (_, i) => `lib-${String(i).padStart(2, "0")}`);
  const made = await Promise.all(names.map((n) => makeRemote(remotes, n, { commits: 2 })));
  const ws = await makeWorkspace(
    join(tmp.path, "ws"),
    names.map((n, i) => ({ name: n, repo: made[i].url })),
  );
  const r = await wrknv(["bootstrap", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  const doc: JsonResult = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.deepEqual(doc.siblings.map((s) => s.status), names.map(() => "cloned"));
  for (const [i, n] of names.entries()) {
    assert.equal(await head(ws.sibling(n)), made[i].commits[1], `${n} is at the remote's head`);
    assert.equal(doc.siblings[i].commit, made[i].commits[1]);
  }
  assert.deepEqual(await leftovers(ws.root), []);

  const before = await snapshot(ws.root);
  const again = await wrknv(["bootstrap", "--json"], { cwd: ws.meta });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    JSON.parse(again.stdout).siblings.map((s: { status: string }) => s.status),
    names.map(() => "present"),
  );
  assert.deepEqual(await snapshot(ws.root), before, "a re-run changes nothing on disk");
});

Deno.test("an unreachable remote fails alone: the rest clone, the summary names it, exit 1", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const c = await makeRemote(join(tmp.path, "remotes"), "c");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "b", repo: `file://${tmp.path}/remotes/nowhere.git` },
    { name: "c", repo: c.url },
  ]);
  const r = await wrknv(["bootstrap", "--retry", "0"], { cwd: ws.meta });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✗ b\s+failed/);
  assert.match(r.stdout, /does not appear to be a git repository|not found|No such/i);
  assert.match(r.stdout, /bootstrap incomplete: 2 cloned, 1 failed/);
  assert.ok(await exists(join(ws.sibling("a"), ".git")));
  assert.ok(await exists(join(ws.sibling("c"), ".git")));
  assert.equal(await exists(ws.sibling("b")), false, "nothing is left where b would be");
  assert.deepEqual(await leftovers(ws.root), []);
});

Deno.test("existing work is never touched: a dirty clone is present, a plain directory a conflict", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const b = await makeRemote(join(tmp.path, "remotes"), "b");
  const other = await makeRemote(join(tmp.path, "remotes"), "other");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "b", repo: b.url },
  ]);
  // a: a clone (of another remote) with uncommitted work; b: a directory that is not a repository.
  await gitIn(ws.root, ["clone", "--quiet", other.url, "a"]);
  await Deno.writeTextFile(join(ws.sibling("a"), "README.md"), "local edits\n");
  await Deno.writeTextFile(join(ws.sibling("a"), "notes.txt"), "untracked\n");
  await Deno.mkdir(ws.sibling("b"));
  await Deno.writeTextFile(join(ws.sibling("b"), "mine.txt"), "precious\n");
  const before = await snapshot(ws.root);
  const r = await wrknv(["bootstrap", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 1, "a conflict makes the run fail");
  const doc: JsonResult = JSON.parse(r.stdout);
  assert.equal(doc.siblings[0].status, "present");
  assert.match(doc.siblings[0].warnings?.join() ?? "", /origin is .*other\.git, not .*a\.git/);
  assert.equal(doc.siblings[1].status, "conflict");
  assert.match(doc.siblings[1].error ?? "", /not a git repository; left untouched/);
  const after = await snapshot(ws.root);
  // wrknv's own state directory is the one thing allowed to appear.
  for (const key of Object.keys(after)) if (key.startsWith("meta/.wrknv")) delete after[key];
  assert.deepEqual(after, before, "both are byte-for-byte the same");
});

Deno.test("--locked reproduces exact commits; present siblings that differ are reported", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a", { commits: 3 });
  const b = await makeRemote(join(tmp.path, "remotes"), "b", { commits: 3 });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "b", repo: b.url },
  ]);
  await Deno.writeTextFile(
    join(ws.meta, "wrknv.lock"),
    `version = 1\n[[siblings]]\nname = "a"\nrepo = "${a.url}"\ncommit = "${a.commits[0]}"\n` +
      `[[siblings]]\nname = "b"\nrepo = "${b.url}"\ncommit = "${b.commits[1]}"\n`,
  );
  const r = await wrknv(["bootstrap", "--locked", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await head(ws.sibling("a")), a.commits[0]);
  assert.equal(await head(ws.sibling("b")), b.commits[1]);
  // Move a on; a re-run reports that it differs, and leaves it.
  await gitIn(ws.sibling("a"), ["checkout", "--quiet", a.commits[2]]);
  const again = await wrknv(["bootstrap", "--locked", "--json"], { cwd: ws.meta });
  const doc: JsonResult = JSON.parse(again.stdout);
  assert.equal(doc.siblings[0].status, "present");
  assert.match(
    doc.siblings[0].warnings?.join() ?? "",
    new RegExp(`wrknv.lock has ${a.commits[0].slice(0, 12)}`),
  );
  assert.equal(await head(ws.sibling("a")), a.commits[2], "present siblings are never moved");
  // No lock file: a usage error.
  await Deno.remove(join(ws.meta, "wrknv.lock"));
  const none = await wrknv(["bootstrap", "--locked"], { cwd: ws.meta });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no wrknv.lock/);
});

Deno.test("revisions: a branch, a tag and a commit", async () => {
  await using tmp = await tempDir();
  const r1 = await makeRemote(join(tmp.path, "remotes"), "r", {
    commits: 3,
    branches: { feature: { "f.txt": "f\n" } },
    tags: { "v1.0": 0 },
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "on-branch", repo: r1.url, revision: "feature" },
    { name: "on-tag", repo: r1.url, revision: "v1.0" },
    { name: "on-commit", repo: r1.url, revision: r1.commits[1] },
  ]);
  const r = await wrknv(["bootstrap"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await head(ws.sibling("on-branch")), r1.branches.feature);
  assert.equal(await head(ws.sibling("on-tag")), r1.tags["v1.0"]);
  assert.equal(await head(ws.sibling("on-commit")), r1.commits[1]);
});

Deno.test("--link-from symlinks existing clones and clones the rest", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const b = await makeRemote(join(tmp.path, "remotes"), "b");
  const elsewhere = join(tmp.path, "elsewhere");
  await Deno.mkdir(elsewhere);
  await gitIn(elsewhere, ["clone", "--quiet", a.url, "a"]);
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "a", repo: a.url }, {
    name: "b",
    repo: b.url,
  }]);
  const r = await wrknv(["bootstrap", "--link-from", elsewhere, "--json"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  const doc: JsonResult = JSON.parse(r.stdout);
  assert.deepEqual(doc.siblings.map((s) => s.status), ["linked", "cloned"]);
  assert.equal(await Deno.readLink(ws.sibling("a")), join(elsewhere, "a"));
  assert.equal((await Deno.lstat(ws.sibling("b"))).isSymlink, false);
});

Deno.test("over git:// from git daemon on 127.0.0.1, with --depth and --filter", async () => {
  await using tmp = await tempDir();
  const base = join(tmp.path, "served");
  const names = ["x", "y", "z"];
  const made = await Promise.all(names.map((n) => makeRemote(base, n, { commits: 3 })));
  await using daemon = await gitDaemon(base);
  const ws = await makeWorkspace(
    join(tmp.path, "ws"),
    names.map((n) => ({ name: n, repo: daemon.url(`${n}.git`) })),
  );
  const r = await wrknv(["bootstrap", "--depth", "1", "--only", "x,y"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(
    (await gitIn(ws.sibling("x"), ["rev-list", "--count", "HEAD"])).trim(),
    "1",
    "shallow",
  );
  assert.equal(await exists(ws.sibling("z")), false, "--only leaves the others");
  const f = await wrknv(["bootstrap", "--filter", "blob:none", "--only", "z"], { cwd: ws.meta });
  assert.equal(f.code, 0, f.stdout + f.stderr);
  assert.equal(await head(ws.sibling("z")), made[2].commits[2]);
  assert.equal(
    (await gitIn(ws.sibling("z"), ["config", "remote.origin.partialclonefilter"])).trim(),
    "blob:none",
  );
});

Deno.test("git:// clones go through the mirror cache; a second workspace clones from it", async () => {
  await using tmp = await tempDir();
  const base = join(tmp.path, "served");
  const made = await makeRemote(base, "m", { commits: 3 });
  await using daemon = await gitDaemon(base);
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  const one = await makeWorkspace(join(tmp.path, "one"), [{
    name: "m",
    repo: daemon.url("m.git"),
  }]);
  const r = await wrknv(["bootstrap"], { cwd: one.meta, env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const mirrors = [...Deno.readDirSync(cache)].map((e) => e.name).filter((n) => n.endsWith(".git"));
  assert.equal(mirrors.length, 1);
  assert.match(mirrors[0], /^m-[0-9a-f]{12}\.git$/);
  assert.equal(
    (await gitIn(one.sibling("m"), ["remote", "get-url", "origin"])).trim(),
    daemon.url("m.git"),
  );
  assert.equal(await head(one.sibling("m")), made.commits[2]);
  // The clone does not depend on the cache: no alternates.
  assert.equal(
    await exists(join(one.sibling("m"), ".git", "objects", "info", "alternates")),
    false,
  );
  const two = await makeWorkspace(join(tmp.path, "two"), [{
    name: "m",
    repo: daemon.url("m.git"),
  }]);
  assert.equal((await wrknv(["bootstrap"], { cwd: two.meta, env })).code, 0);
  assert.equal(await head(two.sibling("m")), made.commits[2]);
  const info = await wrknv(["cache", "info", "--json"], { cwd: two.meta, env });
  const doc = JSON.parse(info.stdout);
  assert.equal(doc.mirrors.length, 1);
  assert.equal(doc.mirrors[0].url, daemon.url("m.git"));
  const pruned = await wrknv(["cache", "prune", "--all"], { cwd: two.meta, env });
  assert.equal(pruned.code, 0);
  assert.deepEqual([...Deno.readDirSync(cache)].filter((e) => e.name.endsWith(".git")), []);
  assert.ok(await exists(join(two.sibling("m"), ".git")), "clones survive a pruned cache");
  assert.equal(await head(two.sibling("m")), made.commits[2]);
});

Deno.test("a server that accepts and never answers is stopped by --timeout while the others finish", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  await using hang = hangingServer();
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "stuck", repo: hang.gitUrl("stuck.git") },
  ]);
  // The guard only stops a run whose --timeout never fired (it would hang for ever).
  const r = await wrknv(["bootstrap", "--timeout", "2", "--retry", "0", "--json"], {
    cwd: ws.meta,
    signal: AbortSignal.timeout(300_000),
  });
  assert.equal(r.code, 1);
  const doc: JsonResult = JSON.parse(r.stdout);
  assert.equal(doc.siblings[0].status, "cloned");
  assert.equal(doc.siblings[1].status, "failed");
  assert.match(doc.siblings[1].error ?? "", /timed out after 2s/);
  assert.ok(hang.accepted() >= 1, "git did connect");
  assert.deepEqual(await leftovers(ws.root), []);
});

Deno.test("Ctrl-C mid-run leaves no half-made clone, exits 130, and a re-run completes", async () => {
  await using tmp = await tempDir();
  const names = ["p", "q", "r", "s"];
  const made = await Promise.all(names.map((n) => makeRemote(join(tmp.path, "remotes"), n)));
  const ws = await makeWorkspace(
    join(tmp.path, "ws"),
    names.map((n, i) => ({ name: n, repo: made[i].url })),
  );
  // A git that is slow to clone, so that Ctrl-C lands while clones are running.
  const bin = join(tmp.path, "bin");
  await Deno.mkdir(bin);
  const realGit = await new Deno.Command("sh", { args: ["-c", "command -v git"] }).output();
  const gitPath = new TextDecoder().decode(realGit.stdout).trim();
  await Deno.writeTextFile(
    join(bin, "git"),
    `#!/bin/sh\nfor a in "$@"; do [ "$a" = clone ] && sleep 30; done\nexec ${gitPath} "$@"\n`,
  );
  await Deno.chmod(join(bin, "git"), 0o755);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, "bootstrap"],
    cwd: ws.meta,
    env: { NO_COLOR: "1", PATH: `${bin}:${Deno.env.get("PATH")}` },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Wait until the clones are under way (their temporary directories exist).
  await waitUntil("four clones in flight", async () => (await leftovers(ws.root)).length === 4);
  child.kill("SIGINT");
  const out = await child.output();
  assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
  assert.deepEqual(await leftovers(ws.root), [], "no half-made clone");
  for (const n of names) assert.equal(await exists(ws.sibling(n)), false);
  const again = await wrknv(["bootstrap"], { cwd: ws.meta });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  for (const n of names) assert.ok(await exists(join(ws.sibling(n), ".git")));
});

Deno.test("two bootstraps at once: the second names the first and exits 1", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "a", repo: a.url }]);
  await Deno.mkdir(join(ws.meta, ".wrknv"));
  // A live process holds the lock: this test's own.
  await Deno.writeTextFile(
    join(ws.meta, ".wrknv", "run.lock"),
    JSON.stringify({
      pid: Deno.pid,
      host: (await import("node:os")).hostname(),
      command: "bootstrap",
      started: "now",
    }),
  );
  const r = await wrknv(["bootstrap"], { cwd: ws.meta });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`another wrknv \\(pid ${Deno.pid}`));
  assert.equal(await exists(ws.sibling("a")), false, "nothing was cloned");
});

Deno.test("bootstrap with every sibling present reads the clones' files and starts no git", async () => {
  await using tmp = await tempDir();
  const { ws, a } = await twoSiblings(tmp.path);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const logged = await loggingGit(tmp.path);
  const env = logged.env;
  const again = await wrknv(["bootstrap", "--json"], { cwd: ws.meta, env });
  assert.equal(again.code, 0, again.stderr);
  const doc = JSON.parse(again.stdout);
  assert.deepEqual(doc.siblings.map((s: { status: string }) => s.status), ["present", "present"]);
  assert.equal(doc.siblings[0].commit, a.commits.at(-1), "HEAD, read from the files");
  assert.deepEqual(await logged.calls(), [], "no git was started");
  // An origin that differs is still seen, from the file.
  await gitIn(ws.sibling("b"), ["remote", "set-url", "origin", "https://example.invalid/b.git"]);
  const moved = await wrknv(["bootstrap"], { cwd: ws.meta, env });
  assert.equal(moved.code, 0);
  assert.match(moved.stdout + moved.stderr, /b .*origin/);
});
