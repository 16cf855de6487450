/**
 * Nested siblings, as west and repo manifests have them (`tools/bsim` and
 * `tools/bsim/components`): bootstrap clones the outer one first, the inner
 * one is a repository of its own, and the outer's `git status` stays clean.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { commitFile, gitIn, makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";

interface Outcome {
  name: string;
  status: string;
  error?: string;
}

Deno.test("bootstrap clones an outer sibling before the ones inside it, whatever the file order", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const [bsim, components, deep, rust] = await Promise.all(
    ["bsim", "components", "deep", "zephyr-lang-rust"].map((n) => makeRemote(remotes, n)),
  );
  // Inner ones first in the file, and a neighbour that sorts between them.
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "deep", repo: deep.url, path: "../tools/bsim/components/ext/deep" },
    { name: "components", repo: components.url, path: "../tools/bsim/components" },
    { name: "bsim-rust", repo: rust.url, path: "../tools/bsim-rust" },
    { name: "bsim", repo: bsim.url, path: "../tools/bsim" },
  ]);
  const r = await wrknv(["bootstrap", "--json", "-j", "4"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc: { siblings: Outcome[] } = JSON.parse(r.stdout);
  assert.deepEqual(doc.siblings.map((s) => [s.name, s.status]), [
    ["deep", "cloned"],
    ["components", "cloned"],
    ["bsim-rust", "cloned"],
    ["bsim", "cloned"],
  ]);
  const top = join(tmp.path, "ws", "tools");
  for (const [path, remote] of [["bsim", bsim], ["bsim/components", components]] as const) {
    const toplevel = (await gitIn(join(top, path), ["rev-parse", "--show-toplevel"])).trim();
    assert.equal(toplevel, join(top, path), `${path} is a repository of its own`);
    assert.equal((await gitIn(join(top, path), ["rev-parse", "HEAD"])).trim(), remote.commits[0]);
  }
  // The outer clones do not list the inner ones as untracked.
  assert.equal((await gitIn(join(top, "bsim"), ["status", "--porcelain"])).trim(), "");
  assert.equal(
    (await gitIn(join(top, "bsim/components"), ["status", "--porcelain"])).trim(),
    "",
  );
  assert.match(await Deno.readTextFile(join(top, "bsim/.git/info/exclude")), /^\/components\/$/m);

  // status, exec and a second bootstrap see each as its own repository.
  const st = await wrknv(["status", "--json"], { cwd: ws.meta });
  assert.equal(st.code, 0, st.stderr);
  const rows: { name: string; present: boolean; untracked: number }[] = JSON.parse(st.stdout)
    .siblings;
  assert.deepEqual(rows.map((s) => [s.name, s.present, s.untracked]), [
    ["deep", true, 0],
    ["components", true, 0],
    ["bsim-rust", true, 0],
    ["bsim", true, 0],
  ]);
  const ex = await wrknv(["exec", "--json", "--", "git", "rev-parse", "--show-toplevel"], {
    cwd: ws.meta,
  });
  assert.equal(ex.code, 0, ex.stderr);
  const again = await wrknv(["bootstrap", "--json"], { cwd: ws.meta });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    JSON.parse(again.stdout).siblings.map((s: Outcome) => s.status),
    ["present", "present", "present", "present"],
  );
  // sync fast-forwards the outer one without touching the inner one.
  const newer = (await commitFile(bsim.work, "NEW.txt", "new\n", "Newer")).trim();
  await gitIn(bsim.work, ["push", "--quiet", "origin", "main"]);
  const sync = await wrknv(["sync", "--json"], { cwd: ws.meta });
  assert.equal(sync.code, 0, sync.stdout + sync.stderr);
  assert.equal((await gitIn(join(top, "bsim"), ["rev-parse", "HEAD"])).trim(), newer);
  assert.equal(
    (await gitIn(join(top, "bsim/components"), ["rev-parse", "HEAD"])).trim(),
    components.commits[0],
  );
  // The exclude line is written once.
  const exclude = await Deno.readTextFile(join(top, "bsim/.git/info/exclude"));
  assert.equal(exclude.match(/^\/components\/$/gm)?.length, 1);
});

Deno.test("an inner sibling whose outer one is not cloned is refused, and nothing is made", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const [outer, inner] = await Promise.all(["outer", "inner"].map((n) => makeRemote(remotes, n)));
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "outer", repo: `${outer.url}-missing` },
    { name: "inner", repo: inner.url, path: "../outer/inner" },
  ]);
  const alone = await wrknv(["bootstrap", "--json", "--only", "inner"], { cwd: ws.meta });
  assert.equal(alone.code, 1);
  const [o]: Outcome[] = JSON.parse(alone.stdout).siblings;
  assert.equal(o.status, "failed");
  assert.match(o.error!, /lies inside outer, which is not cloned; clone that first/);
  const both = await wrknv(["bootstrap", "--json"], { cwd: ws.meta });
  assert.equal(both.code, 1);
  const outcomes: Outcome[] = JSON.parse(both.stdout).siblings;
  assert.equal(outcomes[0].status, "failed");
  assert.match(outcomes[1].error!, /lies inside outer, which was not cloned/);
  await assert.rejects(Deno.lstat(join(tmp.path, "ws", "outer")));
});
