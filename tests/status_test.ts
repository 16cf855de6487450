/**
 * `wrknv status` over many siblings: a few shells each run the git status of
 * their share, and every sibling still gets its own answer, its own error and
 * one git process.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";

/** A repository with one commit and `untracked` untracked files. */
async function repo(path: string, untracked: number): Promise<void> {
  await Deno.mkdir(path, { recursive: true });
  await gitIn(path, ["init", "--quiet", "-b", "main"]);
  await Deno.writeTextFile(join(path, "README.md"), "r\n");
  await gitIn(path, ["add", "README.md"]);
  await gitIn(path, ["commit", "--quiet", "-m", "first"]);
  for (let i = 0; i < untracked; i++) await Deno.writeTextFile(join(path, `u${i}.txt`), "u\n");
}

Deno.test("status: each of many siblings gets its own answer and its own error, from one git each", async () => {
  await using tmp = await tempDir();
  const root = join(tmp.path, "ws");
  const names = Array.from({ length: 11 }, (_, i) => `s${String(i).padStart(2, "0")}`);
  const ws = await makeWorkspace(
    root,
    names.map((name) => ({ name, repo: `https://example.invalid/${name}.git` })),
  );
  // s03: a .git that points nowhere; s06: not cloned; s08: a HEAD git cannot read.
  for (const [i, name] of names.entries()) {
    if (i === 6) continue;
    await repo(ws.sibling(name), i);
  }
  await Deno.remove(join(ws.sibling("s03"), ".git"), { recursive: true });
  await Deno.writeTextFile(join(ws.sibling("s03"), ".git"), "gitdir: /nonexistent/s03\n");
  await Deno.writeTextFile(join(ws.sibling("s08"), ".git", "HEAD"), "garbage\n");

  // Every git wrknv starts is logged by a wrapper ahead of the real one on PATH.
  const bin = join(tmp.path, "bin");
  const log = join(tmp.path, "git.log");
  const realGit = (await new Deno.Command("sh", { args: ["-c", "command -v git"] }).output())
    .stdout;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(
    join(bin, "git"),
    `#!/bin/sh\necho "$*" >> ${log}\nexec ${new TextDecoder().decode(realGit).trim()} "$@"\n`,
  );
  await Deno.chmod(join(bin, "git"), 0o755);
  const env = { PATH: `${bin}:${Deno.env.get("PATH")}` };

  for (const jobs of ["3", "1", "20"]) {
    await Deno.writeTextFile(log, "");
    const r = await wrknv(["status", "--json", "-j", jobs], { cwd: ws.meta, env });
    assert.equal(r.code, 1, r.stderr); // s03 and s08 fail
    const rows = JSON.parse(r.stdout).siblings;
    assert.deepEqual(rows.map((s: { name: string }) => s.name), names);
    for (const [i, s] of rows.entries()) {
      if (i === 6) {
        assert.equal(s.present, false);
        assert.equal(s.error, undefined);
      } else if (i === 3) {
        assert.match(s.error, /not a git repository: \/nonexistent\/s03/);
      } else if (i === 8) {
        assert.match(s.error, /not a git repository/);
        assert.equal(s.head, null);
      } else {
        assert.equal(s.error, undefined, `${s.name}: ${s.error}`);
        assert.deepEqual([s.branch, s.untracked, s.unstaged], ["main", i, 0], s.name);
        assert.equal(s.head, (await gitIn(ws.sibling(s.name), ["rev-parse", "HEAD"])).trim());
      }
    }
    // One git status per sibling with a .git, nothing else.
    const calls = (await Deno.readTextFile(log)).trim().split("\n");
    assert.equal(calls.length, 10, calls.join("\n"));
    for (const call of calls) assert.match(call, /^-C \S+ --no-optional-locks status /);
  }
});
