/**
 * Revisions that are neither branches nor tags, as west and repo manifests
 * name them (GitHub's `pull/104/head`, Gerrit's `refs/changes/45/12345/2`):
 * bootstrap fetches the ref the server advertises and detaches there, over
 * file:// and over git daemon on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { commitFile, gitDaemon, gitIn, makeRemote, type Remote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";

/** A remote with a commit that only `ref` holds (no branch or tag). */
async function remoteWithRef(dir: string, name: string, ref: string) {
  const remote: Remote = await makeRemote(dir, name, { commits: 2 });
  await gitIn(remote.work, ["checkout", "--quiet", "--detach"]);
  const sha = await commitFile(remote.work, "PR.txt", `${ref}\n`, `Proposed in ${ref}`);
  await gitIn(remote.work, ["push", "--quiet", "origin", `HEAD:${ref}`]);
  await gitIn(remote.work, ["checkout", "--quiet", "main"]);
  return { remote, sha: sha.trim() };
}

for (const transport of ["file://", "git daemon"] as const) {
  Deno.test(`bootstrap checks out pull/N/head and refs/changes refs over ${transport}`, async () => {
    await using tmp = await tempDir();
    const remotes = join(tmp.path, "remotes");
    const pr = await remoteWithRef(remotes, "pr", "refs/pull/104/head");
    const change = await remoteWithRef(remotes, "change", "refs/changes/45/12345/2");
    const plain = await makeRemote(remotes, "plain");
    await using daemon = transport === "git daemon" ? await gitDaemon(remotes) : null;
    const url = (r: Remote, name: string) => daemon ? daemon.url(`${name}.git`) : r.url;
    const ws = await makeWorkspace(join(tmp.path, "ws"), [
      { name: "pr", repo: url(pr.remote, "pr"), revision: "pull/104/head" },
      { name: "change", repo: url(change.remote, "change"), revision: "refs/changes/45/12345/2" },
      { name: "plain", repo: url(plain, "plain"), revision: "pull/9/head" },
    ]);
    const r = await wrknv(["bootstrap", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const doc: { siblings: { name: string; status: string; commit?: string; error?: string }[] } =
      JSON.parse(r.stdout);
    const [a, b, c] = doc.siblings;
    assert.deepEqual([a.status, a.commit], ["cloned", pr.sha]);
    assert.deepEqual([b.status, b.commit], ["cloned", change.sha]);
    for (const [name, sha] of [["pr", pr.sha], ["change", change.sha]]) {
      assert.equal((await gitIn(ws.sibling(name), ["rev-parse", "HEAD"])).trim(), sha);
      // Detached at the ref, with origin pointing at the real remote.
      await assert.rejects(gitIn(ws.sibling(name), ["symbolic-ref", "-q", "HEAD"]));
      assert.equal(
        (await gitIn(ws.sibling(name), ["remote", "get-url", "origin"])).trim(),
        name === "pr" ? url(pr.remote, "pr") : url(change.remote, "change"),
      );
    }
    assert.equal(c.status, "failed");
    assert.match(c.error!, /pull\/9\/head/);
    await assert.rejects(Deno.lstat(ws.sibling("plain")));
    for await (const e of Deno.readDir(join(tmp.path, "ws"))) {
      assert.ok(!e.name.startsWith(".wrknv-clone-"), `left ${e.name}`);
    }
    // A second workspace: over git daemon the mirror cache is warm now, and
    // holds branches and tags only; the ref still comes from the server.
    const again = await makeWorkspace(join(tmp.path, "ws2"), [
      { name: "pr", repo: url(pr.remote, "pr"), revision: "pull/104/head" },
    ]);
    const second = await wrknv(["bootstrap", "--json"], { cwd: again.meta });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal((await gitIn(again.sibling("pr"), ["rev-parse", "HEAD"])).trim(), pr.sha);
  });
}
