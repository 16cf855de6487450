/**
 * `wrknv run`: commands with the shared venv active, here and per sibling.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { CAN_UNSHARE, OFFLINE, OFFLINE_ENV } from "./support/python.ts";

const offline = { env: OFFLINE_ENV, unshare: CAN_UNSHARE };

async function workspaceWithVenv(dir: string) {
  const remotes = join(dir, "remotes");
  const a = await makeRemote(remotes, "wrknvtest-a");
  const b = await makeRemote(remotes, "wrknvtest-b");
  const ws = await makeWorkspace(join(dir, "ws"), [
    { name: "wrknvtest-a", repo: a.url },
    { name: "wrknvtest-b", repo: b.url },
  ]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  return ws;
}

Deno.test("run: the venv's python and scripts come first; the exit code is the command's", async () => {
  await using tmp = await tempDir();
  const ws = await workspaceWithVenv(tmp.path);
  const venv = join(ws.meta, ".venv");
  // Before setup there is no venv: say so, and what to do.
  const none = await wrknv(["run", "--", "python", "-V"], { cwd: ws.meta });
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `error: no venv at ${venv}\nhint: run: wrknv setup\n`);
  // A venv wrknv did not make is not run.
  const made = await new Deno.Command("python3", { args: ["-m", "venv", "--without-pip", venv] })
    .output();
  assert.ok(made.success);
  const foreign = await wrknv(["run", "--", "python", "-V"], { cwd: ws.meta });
  assert.equal(foreign.code, 1);
  assert.match(
    foreign.stderr,
    /^error: the venv at \S+ was not made by wrknv, so wrknv does not run it/,
  );
  // setup makes it (the siblings are no Python packages: only the venv).
  const setup = await wrknv(["setup", "--recreate", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  // A script only the venv has is found on PATH.
  await Deno.writeTextFile(join(venv, "bin", "wrknvtest-tool"), '#!/bin/sh\necho tool "$PWD"\n');
  await Deno.chmod(join(venv, "bin", "wrknvtest-tool"), 0o755);
  const code = "import os, sys; print(sys.prefix); print(os.environ['VIRTUAL_ENV'])";
  const r = await wrknv(["--config", ws.config, "run", "--", "python", "-c", code], {
    cwd: ws.sibling("wrknvtest-a"),
    env: { PATH: Deno.env.get("PATH")!, VIRTUAL_ENV: "/elsewhere" },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${venv}\n${venv}\n`);
  const tool = await wrknv(["--config", ws.config, "run", "--", "wrknvtest-tool"], {
    cwd: ws.sibling("wrknvtest-b"),
  });
  assert.equal(tool.stdout, `tool ${ws.sibling("wrknvtest-b")}\n`, "in the current directory");
  assert.equal((await wrknv(["run", "--", "sh", "-c", "exit 7"], { cwd: ws.meta })).code, 7);
  const missing = await wrknv(["run", "--", "wrknvtest-no-such-tool"], { cwd: ws.meta });
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /^error: wrknvtest-no-such-tool not found on PATH\n/);
  // --each: in every sibling, with the venv active.
  const each = await wrknv(["run", "--each", "--json", "--", "wrknvtest-tool"], { cwd: ws.meta });
  assert.equal(each.code, 0, each.stderr);
  const doc = JSON.parse(each.stdout);
  assert.deepEqual(
    doc.siblings.map((s: { name: string; stdout: string }) => [s.name, s.stdout]),
    [
      ["wrknvtest-a", `tool ${ws.sibling("wrknvtest-a")}\n`],
      ["wrknvtest-b", `tool ${ws.sibling("wrknvtest-b")}\n`],
    ],
  );
  const misuse = await wrknv(["run", "--only", "wrknvtest-a", "--", "true"], { cwd: ws.meta });
  assert.equal(misuse.code, 2);
  assert.equal(misuse.stderr, "error: run: --only goes with --each (run in every sibling)\n");
});
