/**
 * status, sync, exec and lock on real repositories.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { commitFile, gitIn, makeRemote, pushAll } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { snapshot } from "./support/tree.ts";

async function head(path: string): Promise<string> {
  return (await gitIn(path, ["rev-parse", "HEAD"])).trim();
}

/** A workspace with siblings a..(n) cloned from their remotes. */
async function cloned(dir: string, names: string[]) {
  const remotes = await Promise.all(
    names.map((n) => makeRemote(join(dir, "remotes"), n, { commits: 2 })),
  );
  const ws = await makeWorkspace(
    join(dir, "ws"),
    names.map((n, i) => ({ name: n, repo: remotes[i].url })),
  );
  const r = await wrknv(["bootstrap"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { ws, remotes };
}

Deno.test("status: branch, head, changes, upstream, stash, detached and missing", async () => {
  await using tmp = await tempDir();
  const { ws, remotes } = await cloned(tmp.path, ["a", "b", "c"]);
  // a: one staged, one unstaged, one untracked, a stash, one commit ahead, one behind.
  const a = ws.sibling("a");
  await commitFile(remotes[0].work, "upstream.txt", "u\n", "upstream moves");
  await pushAll(remotes[0].work);
  await gitIn(a, ["fetch", "--quiet"]);
  await commitFile(a, "local.txt", "l\n", "local commit");
  await Deno.writeTextFile(join(a, "stashed.txt"), "s\n");
  await gitIn(a, ["add", "stashed.txt"]);
  await gitIn(a, ["stash", "--quiet"]);
  await Deno.writeTextFile(join(a, "staged.txt"), "x\n");
  await gitIn(a, ["add", "staged.txt"]);
  await Deno.writeTextFile(join(a, "README.md"), "changed\n");
  await Deno.writeTextFile(join(a, "new.txt"), "?\n");
  // b: detached.
  await gitIn(ws.sibling("b"), ["checkout", "--quiet", "--detach", remotes[1].commits[0]]);
  // c: missing.
  await Deno.remove(ws.sibling("c"), { recursive: true });

  const r = await wrknv(["status", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  const [sa, sb, sc] = JSON.parse(r.stdout).siblings;
  assert.deepEqual(
    [
      sa.present,
      sa.branch,
      sa.upstream,
      sa.ahead,
      sa.behind,
      sa.staged,
      sa.unstaged,
      sa.untracked,
      sa.stash,
    ],
    [true, "main", "origin/main", 1, 1, 1, 1, 1, 1],
  );
  assert.equal(sa.head, await head(a));
  assert.deepEqual([sb.present, sb.branch, sb.head], [true, null, remotes[1].commits[0]]);
  assert.equal(sc.present, false);

  const human = await wrknv(["status"], { cwd: ws.meta });
  const lines = human.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^SIBLING\s+BRANCH\s+HEAD\s+CHANGES\s+UPSTREAM$/);
  assert.match(lines[1], /^a\s+main\s+[0-9a-f]{7}\s+\+1 ~1 \?1 \$1\s+origin\/main ↑1 ↓1$/);
  assert.match(lines[2], /^b\s+\(detached\)\s+[0-9a-f]{7}\s+clean/);
  assert.match(lines[3], /^c\s+missing/);
});

Deno.test("sync: fast-forwards, skips dirty trees untouched, reports diverged and detached, clones missing", async () => {
  await using tmp = await tempDir();
  const { ws, remotes } = await cloned(tmp.path, ["ff", "dirty", "diverged", "detached", "gone"]);
  for (const i of [0, 1, 2, 3]) {
    await commitFile(remotes[i].work, "next.txt", `next ${i}\n`, "upstream moves");
    await pushAll(remotes[i].work);
  }
  await Deno.writeTextFile(join(ws.sibling("dirty"), "README.md"), "work in progress\n");
  await commitFile(ws.sibling("diverged"), "mine.txt", "mine\n", "a local commit");
  await gitIn(ws.sibling("detached"), ["checkout", "--quiet", "--detach", "HEAD~1"]);
  await Deno.remove(ws.sibling("gone"), { recursive: true });
  const dirtyBefore = await snapshot(ws.sibling("dirty"));
  const divergedHead = await head(ws.sibling("diverged"));

  const r = await wrknv(["sync", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 0, "skips are warnings, not failures: " + r.stderr);
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
  assert.equal(by.ff.status, "updated");
  assert.equal(await head(ws.sibling("ff")), await head(remotes[0].work));
  assert.equal(by.dirty.status, "skipped");
  assert.match(by.dirty.detail, /dirty/);
  assert.deepEqual(
    await snapshot(ws.sibling("dirty")),
    dirtyBefore,
    "the dirty sibling is byte-for-byte the same",
  );
  assert.equal(by.diverged.status, "skipped");
  assert.match(by.diverged.detail, /diverged from origin\/main/);
  assert.equal(
    await head(ws.sibling("diverged")),
    divergedHead,
    "a diverged branch is left where it was",
  );
  assert.equal(by.detached.status, "skipped");
  assert.match(by.detached.detail, /detached/);
  assert.equal(by.gone.status, "cloned");

  // --rebase takes the diverged branch onto its upstream, keeping the local commit.
  const rb = await wrknv(["sync", "--rebase", "--only", "diverged", "--json"], { cwd: ws.meta });
  assert.equal(JSON.parse(rb.stdout).siblings[0].status, "updated");
  const log = await gitIn(ws.sibling("diverged"), ["log", "--format=%s", "-3"]);
  assert.deepEqual(log.trim().split("\n").slice(0, 2), ["a local commit", "upstream moves"]);

  // A failing fetch is a failure: exit 1.
  await gitIn(ws.sibling("ff"), ["remote", "set-url", "origin", join(tmp.path, "nowhere.git")]);
  const bad = await wrknv(["sync", "--only", "ff"], { cwd: ws.meta });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /✗ ff\s+failed/);
});

Deno.test("exec: parallel output is never interleaved; exit codes propagate", async () => {
  await using tmp = await tempDir();
  const names = ["e1", "e2", "e3", "e4", "e5", "e6"];
  const { ws } = await cloned(tmp.path, names);
  // Each sibling prints 20 lines with pauses, so parallel runs overlap in time.
  const script = 'for i in $(seq 1 20); do echo "$WRKNV_SIBLING line $i"; sleep 0.01; done; ' +
    '[ "$WRKNV_SIBLING" = e3 ] && exit 3; [ "$WRKNV_SIBLING_PATH" = "$(pwd)" ] || exit 9; exit 0';
  const r = await wrknv(["exec", "--jobs", "6", "--keep-going", "--shell", script], {
    cwd: ws.meta,
  });
  assert.equal(r.code, 1, "one failure makes exec fail");
  const blocks = r.stdout.split(/^── /m).slice(1);
  assert.equal(blocks.length, 6);
  for (const block of blocks) {
    const [headerLine, ...body] = block.trimEnd().split("\n");
    const name = headerLine.split(" ")[0];
    const lines = body.filter((l) => !/ ran, /.test(l));
    assert.deepEqual(
      lines,
      Array.from({ length: 20 }, (_, i) => `${name} line ${i + 1}`),
      `${name}'s block is whole`,
    );
    assert.match(headerLine, name === "e3" ? /✗ exit 3/ : /✓ exit 0/);
  }
  assert.match(r.stdout, /6 ran, 1 failed \(e3: 3\)/);

  const j = await wrknv([
    "exec",
    "--json",
    "--keep-going",
    "--",
    "sh",
    "-c",
    "echo out; echo err >&2; exit ${#WRKNV_SIBLING}",
  ], {
    cwd: ws.meta,
  });
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.ok, false);
  assert.deepEqual(doc.siblings.map((s: { code: number }) => s.code), names.map(() => 2));
  assert.equal(doc.siblings[0].stdout, "out\n");
  assert.equal(doc.siblings[0].stderr, "err\n");

  const ok = await wrknv(["exec", "--only", "e1,e2", "--", "true"], { cwd: ws.meta });
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /2 ran, 0 failed/);

  // Without --keep-going, a failure stops new commands from starting.
  const stop = await wrknv(["exec", "--jobs", "1", "--json", "--", "sh", "-c", "exit 4"], {
    cwd: ws.meta,
  });
  const st = JSON.parse(stop.stdout).siblings;
  assert.equal(stop.code, 1);
  assert.deepEqual(st.map((s: { status: string }) => s.status), [
    "ran",
    "skipped",
    "skipped",
    "skipped",
    "skipped",
    "skipped",
  ]);
});

Deno.test("lock: pins every HEAD, names dirty siblings, refuses a missing one", async () => {
  await using tmp = await tempDir();
  const { ws } = await cloned(tmp.path, ["a", "b"]);
  await Deno.writeTextFile(join(ws.sibling("b"), "README.md"), "dirty\n");
  const r = await wrknv(["lock"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /b has uncommitted changes/);
  const text = await Deno.readTextFile(join(ws.meta, "wrknv.lock"));
  assert.ok(text.includes(`commit = "${await head(ws.sibling("a"))}"`));
  assert.ok(text.includes(`commit = "${await head(ws.sibling("b"))}"`));
  await Deno.remove(ws.sibling("a"), { recursive: true });
  const before = await snapshot(ws.meta);
  const missing = await wrknv(["lock"], { cwd: ws.meta });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot lock: a is not cloned/);
  assert.deepEqual(await snapshot(ws.meta), before, "the old lock is kept");
});

Deno.test("status names the siblings not cloned under the table, and -v explains the symbols", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(join(tmp.path, "remotes"), "a");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "later", repo: "https://h.invalid/later.git" },
  ]);
  assert.equal((await wrknv(["bootstrap", "--only", "a"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["status", "-v"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^later +missing *$/m, "no path in the UPSTREAM column");
  assert.match(r.stdout, /not cloned: later \(\.\.\/later\); wrknv bootstrap clones them/);
  assert.match(r.stdout, /CHANGES: \+N staged, ~N changed, \?N untracked/);
  const plain = await wrknv(["status"], { cwd: ws.meta });
  assert.doesNotMatch(plain.stdout, /CHANGES: \+N staged/, "the legend only with -v");
});

Deno.test("lock: a commit on no remote-tracking branch warns, and --require-pushed refuses", async () => {
  await using tmp = await tempDir();
  const { ws } = await cloned(tmp.path, ["a", "b", "c"]);
  const local = await commitFile(ws.sibling("b"), "local.txt", "mine\n", "not pushed yet");
  await gitIn(ws.sibling("c"), ["checkout", "--quiet", "--detach"]);
  const detached = await commitFile(ws.sibling("c"), "c.txt", "c\n", "detached, not pushed");

  const r = await wrknv(["lock"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    `warning: b: commit ${
      local.slice(0, 12)
    } is on no remote-tracking branch (not pushed), so bootstrap --locked elsewhere cannot fetch it; run: git -C ${
      ws.sibling("b")
    } push -u origin main (or git fetch, if it was pushed from elsewhere)\n` +
      `warning: c: commit ${
        detached.slice(0, 12)
      } is on no remote-tracking branch (not pushed), so bootstrap --locked elsewhere cannot fetch it; run: git -C ${
        ws.sibling("c")
      } push origin ${detached}:refs/heads/<branch> (or git fetch, if it was pushed from elsewhere)\n`,
  );
  const json = JSON.parse((await wrknv(["lock", "--json"], { cwd: ws.meta })).stdout);
  assert.deepEqual(json.unpushed.map((u: { name: string }) => u.name), ["b", "c"]);

  // What the warning is about: a teammate's bootstrap --locked cannot fetch b's commit.
  const mate = await makeWorkspace(join(tmp.path, "mate"), [
    { name: "b", repo: (await gitIn(ws.sibling("b"), ["remote", "get-url", "origin"])).trim() },
  ]);
  await Deno.copyFile(join(ws.meta, "wrknv.lock"), join(mate.meta, "wrknv.lock"));
  const teammate = await wrknv(["bootstrap", "--locked"], { cwd: mate.meta });
  assert.equal(teammate.code, 1);
  assert.match(
    teammate.stdout + teammate.stderr,
    new RegExp(
      `Revision ${local} not found in [^\\n]*: no branch or tag there holds it, and the server would not fetch it by id \\(was it pushed\\?\\)`,
    ),
  );

  const before = await snapshot(ws.meta);
  const strict = await wrknv(["lock", "--require-pushed"], { cwd: ws.meta });
  assert.equal(strict.code, 1);
  assert.equal(
    strict.stderr,
    `error: cannot lock: b (${local.slice(0, 12)}), c (${
      detached.slice(0, 12)
    }) are on no remote-tracking branch, so a teammate's bootstrap --locked could not fetch them; wrknv.lock is unchanged\n` +
      `hint: push first: git -C ${ws.sibling("b")} push -u origin main (and the same for c)\n`,
  );
  assert.deepEqual(await snapshot(ws.meta), before, "nothing written");

  await gitIn(ws.sibling("b"), ["push", "--quiet", "origin", "main"]);
  await gitIn(ws.sibling("c"), ["checkout", "--quiet", "main"]);
  const pushed = await wrknv(["lock", "--require-pushed"], { cwd: ws.meta });
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.equal(pushed.stderr, "");
});
