/**
 * The mirror cache against real servers: a remote that stops answering, two
 * servers with the same path, two bootstraps at once, a kill -9 during an
 * update, foreign and poisoned directories in the cache; and the pure parts
 * (mirror keys, reading a clone's files).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { commitFile, gitDaemon, gitIn, makeRemote, pushAll } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { MAIN, wrknv } from "./support/cli.ts";
import { mirrorKey } from "../src/git/remote.ts";
import { formatConfigValue, readHead, readRemoteUrl, replaceRemoteUrl } from "../src/git/files.ts";

interface Sibling {
  name: string;
  status: string;
  commit?: string;
  error?: string;
  warnings?: string[];
  cache?: { mirror: string; updated: string; stale: boolean };
}

async function head(path: string): Promise<string> {
  return (await gitIn(path, ["rev-parse", "HEAD"])).trim();
}

function mirrors(cache: string): string[] {
  try {
    return [...Deno.readDirSync(cache)].map((e) => e.name).filter((n) => n.endsWith(".git"))
      .sort();
  } catch {
    return [];
  }
}

async function bootstrapJson(cwd: string, env: Record<string, string>, ...args: string[]) {
  const r = await wrknv(["bootstrap", "--json", "--retry", "0", ...args], { cwd, env });
  return { ...r, doc: JSON.parse(r.stdout) as { ok: boolean; siblings: Sibling[] } };
}

Deno.test("mirrorKey keeps scheme, user, host, port and path apart; folds only certain spellings", () => {
  const same: [string, string][] = [
    ["git://127.0.0.1:9418/p.git", "git://127.0.0.1/p.git"],
    ["ssh://git@Host.example:22/org/x.git", "ssh://git@host.example/org/x.git"],
    ["git+ssh://git@h/x", "ssh://git@h/x"],
    ["https://u:token1@h/x.git", "https://u:token2@h/x.git"],
    ["HTTPS://H/x", "https://h/x"],
    ["https://h/%7Euser/x", "https://h/~user/x"],
    ["https://h/a%2fb", "https://h/a%2Fb"],
  ];
  for (const [a, b] of same) assert.equal(mirrorKey(a), mirrorKey(b), `${a} = ${b}`);
  const apart: [string, string][] = [
    ["git://127.0.0.1:1111/proj.git", "git://127.0.0.1:2222/proj.git"],
    ["alice@host:p.git", "mallory@host:p.git"],
    ["ssh://alice@host/p.git", "ssh://mallory@host/p.git"],
    ["https://h/x", "http://h/x"],
    ["https://h/x", "ssh://h/x"],
    ["https://h/x", "https://h/x.git"],
    ["https://h/x", "https://h/X"],
    ["host:p.git", "ssh://host/p.git"],
    ["https://h/x", "https://h:8443/x"],
    ["https://u@h/x", "https://h/x"],
  ];
  for (const [a, b] of apart) assert.notEqual(mirrorKey(a), mirrorKey(b), `${a} ≠ ${b}`);
  assert.equal(mirrorKey("file:///srv/x.git"), null);
  assert.equal(mirrorKey("../x"), null);
  assert.equal(mirrorKey("/srv/x.git"), null);
  assert.ok(!mirrorKey("https://u:secret@h/x")!.includes("secret"), "no password in the key");
});

Deno.test("a clone's HEAD, branch and origin are read from its files as git reads them", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "r", {
    commits: 3,
    branches: { topic: { "t.txt": "t\n" } },
    tags: { v1: 0 },
  });
  const a = join(tmp.path, "a");
  await gitIn(tmp.path, ["clone", "--quiet", remote.url, a]);
  assert.deepEqual(await readHead(a), { head: remote.commits[2], branch: "main" });
  // Packed refs only (after gc), then a detached HEAD, then an unborn branch.
  await gitIn(a, ["pack-refs", "--all"]);
  assert.deepEqual(await readHead(a), { head: remote.commits[2], branch: "main" });
  await gitIn(a, ["checkout", "--quiet", "--detach", remote.tags.v1]);
  assert.deepEqual(await readHead(a), { head: remote.commits[0], branch: null });
  await gitIn(a, ["checkout", "--quiet", "--orphan", "fresh"]);
  assert.deepEqual(await readHead(a), { head: null, branch: "fresh" });
  // Not the plain layout: a .git file (a worktree) asks git instead.
  const wt = join(tmp.path, "wt");
  await gitIn(a, ["worktree", "add", "--quiet", wt, "topic"]);
  assert.equal(await readHead(wt), null);

  // origin: read, and replaced in place with git's quoting, as git then reads it.
  assert.equal(await readRemoteUrl(join(a, ".git")), remote.url);
  for (const url of ["git://h:1/x.git", "https://h/a b;c#d.git", 'ssh://h/q"uote\\d']) {
    assert.ok(await replaceRemoteUrl(a, { to: url }));
    assert.equal((await gitIn(a, ["config", "--get", "remote.origin.url"])).trim(), url);
    assert.equal(await readRemoteUrl(join(a, ".git")), url);
    assert.equal((await gitIn(a, ["config", "--get", "branch.main.remote"])).trim(), "origin");
  }
  assert.equal(await replaceRemoteUrl(a, { to: "x", from: "not what is there" }), false);
  assert.equal(formatConfigValue(" lead"), '" lead"');
  // Two url lines (a remote with two push/fetch urls): not touched, git is asked.
  await gitIn(a, ["config", "--add", "remote.origin.url", "https://h/second.git"]);
  assert.equal(await readRemoteUrl(join(a, ".git")), null);
  assert.equal(await replaceRemoteUrl(a, { to: "https://h/third.git" }), false);
});

Deno.test("a cold cache keeps the direct clone's objects as the mirror: the remote's branches, tags and HEAD", async () => {
  await using tmp = await tempDir();
  const served = join(tmp.path, "served");
  const made = await makeRemote(served, "m", {
    commits: 3,
    branches: { topic: { "t.txt": "t\n" }, "feature/x": { "x.txt": "x\n" } },
    tags: { v1: 0, light: { commit: 1, annotated: false } },
    defaultBranch: "trunk",
  });
  await using daemon = await gitDaemon(served);
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  const url = daemon.url("m.git");
  const one = await makeWorkspace(join(tmp.path, "one"), [{ name: "m", repo: url }]);
  const r = await bootstrapJson(one.meta, env);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.doc.siblings[0].cache, undefined, "cloned directly");
  const [name] = mirrors(cache);
  const mirror = join(cache, name);
  await gitIn(mirror, ["fsck", "--no-progress", "--no-dangling"]);
  const refs = (dir: string) =>
    gitIn(dir, ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags"]);
  assert.equal(await refs(mirror), await refs(made.path), "the remote's branches and tags");
  assert.equal((await gitIn(mirror, ["symbolic-ref", "HEAD"])).trim(), "refs/heads/trunk");
  assert.equal((await gitIn(mirror, ["config", "--get", "remote.origin.url"])).trim(), url);
  assert.equal((await gitIn(mirror, ["rev-parse", "--is-bare-repository"])).trim(), "true");
  // The clone does not share files the mirror could change: no alternates.
  assert.equal(
    await Deno.stat(join(one.sibling("m"), ".git/objects/info/alternates")).catch(() => null),
    null,
  );
  // A second workspace clones from it, warm, with the same result a direct clone gives.
  const two = await makeWorkspace(join(tmp.path, "two"), [
    { name: "m", repo: url },
    { name: "t", repo: url, revision: "v1" },
  ]);
  const w = await bootstrapJson(two.meta, env);
  assert.equal(w.code, 0, w.stdout);
  assert.equal(w.doc.siblings[0].cache?.stale, false);
  assert.equal(await head(two.sibling("m")), made.commits[2]);
  assert.equal((await gitIn(two.sibling("m"), ["branch", "--show-current"])).trim(), "trunk");
  assert.equal(await head(two.sibling("t")), made.commits[0]);
  assert.equal(
    await refs(two.sibling("m")).then((t) => t.replace(/refs\/remotes\/origin\//g, "")),
    await refs(one.sibling("m")).then((t) => t.replace(/refs\/remotes\/origin\//g, "")),
  );
  assert.equal((await gitIn(two.sibling("m"), ["remote", "get-url", "origin"])).trim(), url);
  await gitIn(mirror, ["fsck", "--no-progress", "--no-dangling"]);
});

Deno.test("a remote that stops answering fails the sibling; --offline clones from the cache and says how old", async () => {
  await using tmp = await tempDir();
  const served = join(tmp.path, "served");
  const made = await makeRemote(served, "m", { commits: 2 });
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  let url: string;
  {
    await using daemon = await gitDaemon(served);
    url = daemon.url("m.git");
    const one = await makeWorkspace(join(tmp.path, "one"), [{ name: "m", repo: url }]);
    const r = await bootstrapJson(one.meta, env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mirrors(cache).length, 1, "the clone's objects kept as the mirror");
  }
  // The daemon is gone: the mirror cannot be updated.
  const two = await makeWorkspace(join(tmp.path, "two"), [{ name: "m", repo: url }]);
  const failed = await bootstrapJson(two.meta, env);
  assert.equal(failed.code, 1);
  assert.equal(failed.doc.siblings[0].status, "failed");
  assert.match(failed.doc.siblings[0].error ?? "", /unable to connect|Connection refused/i);
  assert.equal(await Deno.stat(two.sibling("m")).catch(() => null), null, "nothing cloned");
  // The same message a direct clone gives.
  const direct = await bootstrapJson(two.meta, env, "--no-cache");
  assert.equal(direct.doc.siblings[0].error, failed.doc.siblings[0].error);

  const offline = await bootstrapJson(two.meta, env, "--offline");
  assert.equal(offline.code, 0, offline.stdout);
  const s = offline.doc.siblings[0];
  assert.equal(s.status, "cloned");
  assert.equal(s.commit, made.commits[1]);
  assert.equal(s.cache?.stale, true);
  assert.match(
    s.warnings?.join() ?? "",
    /^from the cache, last updated \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
  );
  assert.ok(!Number.isNaN(Date.parse(s.cache!.updated)));
  assert.equal((await gitIn(two.sibling("m"), ["remote", "get-url", "origin"])).trim(), url);
  assert.equal(await head(two.sibling("m")), made.commits[1]);

  // People see it too.
  const three = await makeWorkspace(join(tmp.path, "three"), [{ name: "m", repo: url }]);
  const human = await wrknv(["bootstrap", "--offline"], { cwd: three.meta, env });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /m\s+cloned[^\n]*\n\s+from the cache, last updated /);

  // Offline without the cache: nothing to clone from.
  const five = await makeWorkspace(join(tmp.path, "five"), [{ name: "m", repo: url }]);
  const both = await bootstrapJson(five.meta, env, "--offline", "--no-cache");
  assert.equal(both.code, 1);
  assert.match(
    both.doc.siblings[0].error ?? "",
    /--offline clones network remotes from the mirror cache only/,
  );

  // Offline with nothing cached: a clear failure, no network.
  const four = await makeWorkspace(join(tmp.path, "four"), [
    { name: "other", repo: url.replace("m.git", "other.git") },
  ]);
  const none = await bootstrapJson(four.meta, env, "--offline");
  assert.equal(none.code, 1);
  assert.match(
    none.doc.siblings[0].error ?? "",
    /no mirror of .*other\.git in the cache .*--offline/,
  );
});

Deno.test("two servers with the same path on two ports never share a mirror", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "a"), "proj", { files: { "who.txt": "A\n" } });
  const b = await makeRemote(join(tmp.path, "b"), "proj", { files: { "who.txt": "B\n" } });
  await using da = await gitDaemon(join(tmp.path, "a"));
  await using db = await gitDaemon(join(tmp.path, "b"));
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  const wa = await makeWorkspace(join(tmp.path, "wa"), [{
    name: "proj",
    repo: da.url("proj.git"),
  }]);
  const wb = await makeWorkspace(join(tmp.path, "wb"), [{
    name: "proj",
    repo: db.url("proj.git"),
  }]);
  assert.equal((await bootstrapJson(wa.meta, env)).code, 0);
  const rb = await bootstrapJson(wb.meta, env);
  assert.equal(rb.code, 0, rb.stdout);
  assert.equal(mirrors(cache).length, 2);
  assert.equal(await head(wa.sibling("proj")), a.commits[0]);
  assert.equal(await head(wb.sibling("proj")), b.commits[0]);
  assert.equal(await Deno.readTextFile(join(wb.sibling("proj"), "who.txt")), "B\n");
});

Deno.test("a directory at a mirror's path that is not wrknv's mirror of that URL is left alone", async () => {
  await using tmp = await tempDir();
  const served = join(tmp.path, "served");
  const real = await makeRemote(served, "m", { files: { "who.txt": "real\n" } });
  const evil = await makeRemote(join(tmp.path, "evil"), "m", { files: { "who.txt": "evil\n" } });
  await using daemon = await gitDaemon(served);
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "m", repo: daemon.url("m.git") }]);
  assert.equal((await bootstrapJson(ws.meta, env)).code, 0);
  const [name] = mirrors(cache);
  // Someone replaces the mirror with a mirror of another repository, marker and all.
  const path = join(cache, name);
  const marker = await Deno.readTextFile(join(path, "wrknv-mirror.json"));
  await Deno.remove(path, { recursive: true });
  await gitIn(tmp.path, ["clone", "--quiet", "--bare", evil.url, path]);
  await Deno.writeTextFile(join(path, "wrknv-mirror.json"), marker);
  const ws2 = await makeWorkspace(join(tmp.path, "ws2"), [{
    name: "m",
    repo: daemon.url("m.git"),
  }]);
  const r = await bootstrapJson(ws2.meta, env);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.doc.siblings[0].warnings?.join() ?? "", /is of .*evil.*left it alone/);
  assert.equal(await head(ws2.sibling("m")), real.commits[0]);
  assert.equal(await Deno.readTextFile(join(ws2.sibling("m"), "who.txt")), "real\n");
  assert.equal((await gitIn(path, ["rev-parse", "HEAD"])).trim(), evil.commits[0], "left alone");

  // A bare repository wrknv never made: listed as not ours, never pruned.
  const foreign = join(cache, "precious.git");
  await gitIn(tmp.path, ["clone", "--quiet", "--bare", real.url, foreign]);
  const info = JSON.parse((await wrknv(["cache", "info", "--json"], { cwd: ws.meta, env })).stdout);
  const byPath = new Map(info.mirrors.map((m: { path: string }) => [m.path, m]));
  assert.equal((byPath.get(foreign) as { ours: boolean }).ours, false);
  const pruned = await wrknv(["cache", "prune", "--all", "--json"], { cwd: ws.meta, env });
  assert.equal(pruned.code, 0, pruned.stderr);
  const doc = JSON.parse(pruned.stdout);
  assert.ok(doc.left_alone.includes(foreign));
  assert.ok(await Deno.stat(join(foreign, "HEAD")), "the foreign repository is still there");
  assert.deepEqual(mirrors(cache), ["precious.git"]);
});

Deno.test("cache info lists each mirror's URL, size and last update; an update follows the remote", async () => {
  await using tmp = await tempDir();
  const served = join(tmp.path, "served");
  const made = await makeRemote(served, "m", { commits: 2 });
  await using daemon = await gitDaemon(served);
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  const url = daemon.url("m.git");
  const one = await makeWorkspace(join(tmp.path, "one"), [{ name: "m", repo: url }]);
  assert.equal((await bootstrapJson(one.meta, env)).code, 0);
  const info1 = JSON.parse(
    (await wrknv(["cache", "info", "--json"], { cwd: one.meta, env })).stdout,
  );
  assert.equal(info1.mirrors.length, 1);
  assert.equal(info1.mirrors[0].url, url);
  assert.ok(info1.mirrors[0].bytes > 0);
  assert.equal(info1.mirrors[0].ours, true);
  const first = Date.parse(info1.mirrors[0].updated);
  // New commits, a new default branch: a second workspace gets them through the mirror.
  const newer = await commitFile(made.work, "NEW.txt", "new\n", "New");
  await gitIn(made.work, ["checkout", "--quiet", "-b", "trunk"]);
  const onTrunk = await commitFile(made.work, "T.txt", "t\n", "On trunk");
  await pushAll(made.work);
  await gitIn(made.path, ["symbolic-ref", "HEAD", "refs/heads/trunk"]);
  const two = await makeWorkspace(join(tmp.path, "two"), [
    { name: "m", repo: url },
    { name: "m-main", repo: url, revision: "main" },
  ]);
  const r = await bootstrapJson(two.meta, env, "-j", "1");
  assert.equal(r.code, 0, r.stdout);
  assert.equal(await head(two.sibling("m")), onTrunk, "the remote's new default branch");
  assert.equal((await gitIn(two.sibling("m"), ["branch", "--show-current"])).trim(), "trunk");
  assert.equal(await head(two.sibling("m-main")), newer);
  const info2 = JSON.parse(
    (await wrknv(["cache", "info", "--json"], { cwd: one.meta, env })).stdout,
  );
  assert.ok(Date.parse(info2.mirrors[0].updated) >= first);
  const human = await wrknv(["cache", "info"], { cwd: one.meta, env });
  assert.match(
    human.stdout,
    new RegExp(`1 mirrors[\\s\\S]*${url.replace(/[.]/g, "\\.")}.*updated \\d{4}-`),
  );
});

Deno.test("two bootstraps in two workspaces at once share the mirrors and both get the right content", async () => {
  await using tmp = await tempDir();
  const served = join(tmp.path, "served");
  const names = ["a", "b", "c", "d", "e", "f"];
  const made = await Promise.all(names.map((n) => makeRemote(served, n, { commits: 3 })));
  await using daemon = await gitDaemon(served);
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  const sibs = names.map((n) => ({ name: n, repo: daemon.url(`${n}.git`) }));
  for (let round = 0; round < 2; round++) {
    const w1 = await makeWorkspace(join(tmp.path, `w1-${round}`), sibs);
    const w2 = await makeWorkspace(join(tmp.path, `w2-${round}`), sibs);
    const [r1, r2] = await Promise.all([bootstrapJson(w1.meta, env), bootstrapJson(w2.meta, env)]);
    assert.equal(r1.code, 0, r1.stdout);
    assert.equal(r2.code, 0, r2.stdout);
    for (const [i, n] of names.entries()) {
      assert.equal(await head(w1.sibling(n)), made[i].commits[2]);
      assert.equal(await head(w2.sibling(n)), made[i].commits[2]);
    }
    assert.equal(mirrors(cache).length, names.length, "one mirror per repository");
  }
  for (const m of mirrors(cache)) {
    await gitIn(join(cache, m), ["fsck", "--no-progress", "--connectivity-only"]);
  }
});

/** Processes whose working directory is inside `dir` (orphans of a killed wrknv). */
function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.readLinkSync(`/proc/${e.name}/cwd`).startsWith(dir)) out.push(Number(e.name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** The process group of a process, or 0 when it is gone. */
function processGroup(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return 0;
  }
}

Deno.test("kill -9 during mirror updates, again and again, then a re-run: the mirror is whole and current", async () => {
  await using tmp = await tempDir();
  const served = join(tmp.path, "served");
  const made = await makeRemote(served, "big", { commits: 1 });
  await using daemon = await gitDaemon(served);
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  const url = daemon.url("big.git");
  const first = await makeWorkspace(join(tmp.path, "first"), [{ name: "big", repo: url }]);
  assert.equal((await bootstrapJson(first.meta, env)).code, 0);
  let landed = 0;
  let expected = made.commits[0];
  for (let round = 0; round < 6; round++) {
    // A few MB of new, incompressible history for each update to fetch.
    const bytes = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65536) {
      crypto.getRandomValues(bytes.subarray(i, i + 65536));
    }
    await Deno.writeFile(join(made.work, `blob${round}.bin`), bytes);
    await gitIn(made.work, ["add", "--all"]);
    await gitIn(made.work, ["commit", "--quiet", "--no-gpg-sign", "-m", `blob ${round}`]);
    expected = await gitIn(made.work, ["rev-parse", "HEAD"]);
    await pushAll(made.work);
    const ws = await makeWorkspace(join(tmp.path, `ws${round}`), [{ name: "big", repo: url }]);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", MAIN, "bootstrap", "-q"],
      cwd: ws.meta,
      env: { NO_COLOR: "1", ...env },
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Once git is fetching into the mirror, kill -9 wrknv and the fetch's whole
    // process group (as a crash would), at a different moment each round.
    let fetching: number[] = [];
    for (let i = 0; i < 400 && fetching.length === 0; i++) {
      fetching = processesIn(cache);
      if (fetching.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, round * 40));
    const groups = new Set(fetching.map(processGroup).filter((g) => g > 1));
    try {
      child.kill("SIGKILL");
    } catch {
      // it had finished
    }
    for (const g of groups) {
      try {
        Deno.kill(-g, "SIGKILL");
      } catch {
        // gone
      }
    }
    const st = await child.status;
    if (!st.success && fetching.length > 0) landed++;
    for (let i = 0; i < 600 && processesIn(tmp.path).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(landed >= 3, `kills landed during an update: ${landed} of 6`);
  const [name] = mirrors(cache);
  await gitIn(join(cache, name), ["fsck", "--no-progress", "--connectivity-only"]);
  const last = await makeWorkspace(join(tmp.path, "last"), [{ name: "big", repo: url }]);
  const r = await bootstrapJson(last.meta, env);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(await head(last.sibling("big")), expected);
  assert.deepEqual(mirrors(cache), [name], "still the one mirror");
  const leftovers = [...Deno.readDirSync(cache)].map((e) => e.name).filter((n) =>
    n.includes(".tmp-")
  );
  assert.deepEqual(leftovers, [], "no half-made mirror left");
});

Deno.test("cacheDir: WRKNV_CACHE_DIR when set, else the user's cache; empty counts as unset", async () => {
  const { runtime } = await import("../src/runtime.ts");
  const { cacheDir } = await import("../src/ops/cache.ts");
  const env = runtime.env;
  const vars: Record<string, string | undefined> = {};
  runtime.env = (name: string) => vars[name];
  try {
    vars.HOME = "/home/u";
    vars.WRKNV_CACHE_DIR = "/srv/cache";
    assert.equal(cacheDir(), "/srv/cache");
    vars.WRKNV_CACHE_DIR = "";
    assert.equal(cacheDir(), "/home/u/.cache/wrknv/git");
    vars.XDG_CACHE_HOME = "/xdg";
    assert.equal(cacheDir(), "/xdg/wrknv/git");
  } finally {
    runtime.env = env;
  }
});
