/** `--dry-run` says what would be done and changes nothing (tree hashes before and after). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn, makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { snapshot } from "./support/tree.ts";

Deno.test("bootstrap --dry-run and up --dry-run name what would be cloned, and touch nothing", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const [a, b, c] = await Promise.all(["a", "b", "c"].map((n) => makeRemote(remotes, n)));
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "b", repo: b.url },
    { name: "c", repo: c.url, path: "../b/vendor/c" },
  ]);
  const cache = join(tmp.path, "cache");
  const env = { WRKNV_CACHE_DIR: cache };
  assert.equal((await wrknv(["bootstrap", "--only", "a"], { cwd: ws.meta, env })).code, 0);
  const before = await snapshot(tmp.path);
  const r = await wrknv(["bootstrap", "--dry-run", "--json"], { cwd: ws.meta, env });
  assert.equal(r.code, 0, r.stderr);
  const statuses = JSON.parse(r.stdout).siblings.map((s: { name: string; status: string }) =>
    `${s.name}:${s.status}`
  );
  assert.deepEqual(statuses, ["a:present", "b:would-clone", "c:would-clone"]);
  const human = await wrknv(["bootstrap", "--dry-run"], { cwd: ws.meta, env });
  assert.match(human.stdout, /dry run, nothing changed: 1 present, 2 would-clone/);
  const up = await wrknv(["up", "--dry-run"], { cwd: ws.meta, env });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /setup and validate: not run in a dry run/);
  assert.deepEqual(await snapshot(tmp.path), before, "a dry run changed the tree");
  // The real run does what the dry run said.
  const real = await wrknv(["bootstrap", "--json"], { cwd: ws.meta, env });
  assert.deepEqual(
    JSON.parse(real.stdout).siblings.map((s: { name: string; status: string }) =>
      `${s.name}:${s.status}`
    ),
    ["a:present", "b:cloned", "c:cloned"],
  );
});

Deno.test("sync --dry-run and remove --dry-run: what would happen, from the last fetch; nothing changes", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const [a, b] = await Promise.all(["a", "b"].map((n) => makeRemote(remotes, n, { commits: 2 })));
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "a", repo: a.url },
    { name: "b", repo: b.url },
    { name: "c", repo: join(remotes, "c-not-made-yet.git") },
  ]);
  assert.equal((await wrknv(["bootstrap", "--only", "a,b"], { cwd: ws.meta })).code, 0);
  // a falls one commit behind its upstream, known from a fetch; b is dirty.
  await gitIn(ws.sibling("a"), ["reset", "--quiet", "--hard", "HEAD~1"]);
  await Deno.writeTextFile(join(ws.sibling("b"), "README.md"), "changed\n");
  const before = await snapshot(tmp.path);
  const r = await wrknv(["sync", "--dry-run", "--json"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.dry_run, true);
  assert.deepEqual(
    doc.siblings.map((s: { name: string; status: string }) => `${s.name}:${s.status}`),
    ["a:would-update", "b:skipped", "c:would-clone"],
  );
  assert.match(doc.siblings[0].detail, /1 commit behind, as of the last fetch/);
  const human = await wrknv(["sync", "--dry-run"], { cwd: ws.meta });
  assert.match(
    human.stdout,
    /dry run, nothing fetched or changed: 1 would-update, 1 would-clone, 1 skipped/,
  );
  const rm = await wrknv(["remove", "b", "--dry-run"], { cwd: ws.meta });
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stdout, /would remove b from the workspace \(dry run: wrknv\.toml unchanged\)/);
  const bad = await wrknv(["remove", "zz", "--dry-run"], { cwd: ws.meta });
  assert.equal(bad.code, 2, "a dry run still checks");
  assert.deepEqual(await snapshot(tmp.path), before, "a dry run changed the tree");
  // And the real sync does what the dry run said for a.
  const real = await wrknv(["sync", "--json", "--no-clone"], { cwd: ws.meta });
  assert.equal(JSON.parse(real.stdout).siblings[0].status, "updated");
});
