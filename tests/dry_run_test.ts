/** `--dry-run` says what would be done and changes nothing (tree hashes before and after). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeRemote } from "./support/git.ts";
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
