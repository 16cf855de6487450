/**
 * Groups off by default (`workspace.inactive_groups`), through the CLI:
 * bootstrap leaves their siblings out and says how to add them; status,
 * exec and validate act on the active ones unless asked.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";

Deno.test("siblings in an inactive group are cloned only when asked for", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const [zephyr, bsim, hal] = await Promise.all(
    ["zephyr", "bsim", "hal"].map((n) => makeRemote(remotes, n)),
  );
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "zephyr", repo: zephyr.url, install: false },
    { name: "bsim", repo: bsim.url, groups: ["babblesim"], install: false },
    { name: "hal", repo: hal.url, groups: ["hal"], install: false },
  ], { workspace: 'inactive_groups = ["babblesim"]' });

  const first = await wrknv(["bootstrap"], { cwd: ws.meta });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /2 cloned/);
  assert.match(
    first.stdout,
    /1 sibling is in groups off by default \(babblesim\): add it with --group \+babblesim or --all/,
  );
  await assert.rejects(Deno.lstat(ws.sibling("bsim")));

  const st = await wrknv(["status", "--json"], { cwd: ws.meta });
  assert.deepEqual(JSON.parse(st.stdout).siblings.map((s: { name: string }) => s.name), [
    "zephyr",
    "hal",
  ]);

  const more = await wrknv(["bootstrap", "--json", "--group", "+babblesim"], { cwd: ws.meta });
  assert.equal(more.code, 0, more.stderr);
  const doc = JSON.parse(more.stdout);
  assert.deepEqual(doc.siblings.map((s: { status: string }) => s.status), [
    "present",
    "cloned",
    "present",
  ]);
  assert.deepEqual(doc.inactive, { siblings: [], groups: [] });

  const ex = await wrknv(["exec", "--json", "--group", "-hal", "--all", "--", "true"], {
    cwd: ws.meta,
  });
  assert.equal(ex.code, 0, ex.stderr);
  assert.deepEqual(JSON.parse(ex.stdout).siblings.map((s: { name: string }) => s.name), [
    "zephyr",
    "bsim",
  ]);
});
