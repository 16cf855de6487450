/**
 * Hooks are shell commands from wrknv.toml: they run only in a trusted
 * workspace, and trust ends when the file changes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { makePackageRemote, OFFLINE } from "./support/python.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("hooks never run untrusted; trust runs them; a changed file must be trusted again", async () => {
  await using tmp = await tempDir();
  const trustDir = join(tmp.path, "trust");
  const env = { WRKNV_CONFIG_DIR: trustDir };
  const a = await makePackageRemote(join(tmp.path, "remotes"), { name: "hooked" });
  const marker = join(tmp.path, "hook-ran");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "hooked", repo: a.url }], {
    tail:
      `[workspace.hooks]\npre_install = ["echo pre >> ${marker}"]\npost_install = ["echo post-$VIRTUAL_ENV >> ${marker}"]\n`,
  });
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta, env })).code, 0);

  const untrusted = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, env });
  assert.equal(untrusted.code, 0, untrusted.stderr);
  assert.equal(JSON.parse(untrusted.stdout).hooks, "skipped-untrusted");
  assert.equal(await exists(marker), false, "an untrusted hook never runs");
  const human = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta, env });
  assert.match(human.stderr, /hooks skipped: this workspace is not trusted/);

  const noTty = await wrknv(["trust"], { cwd: ws.meta, env });
  assert.equal(noTty.code, 2, "trust without a terminal asks for --yes");
  assert.match(noTty.stderr, /wrknv trust --yes/);
  assert.equal((await wrknv(["trust", "--yes"], { cwd: ws.meta, env })).code, 0);
  const trusted = await wrknv(["setup", "--json", "--force", ...OFFLINE], { cwd: ws.meta, env });
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.equal(JSON.parse(trusted.stdout).hooks, "ran");
  assert.deepEqual((await Deno.readTextFile(marker)).trim().split("\n"), [
    "pre",
    `post-${join(ws.meta, ".venv")}`,
  ]);

  const skipped = await wrknv(["setup", "--json", "--no-hooks", ...OFFLINE], { cwd: ws.meta, env });
  assert.equal(JSON.parse(skipped.stdout).hooks, "skipped");

  // One byte more in wrknv.toml: the trust is gone.
  await Deno.writeTextFile(ws.config, (await Deno.readTextFile(ws.config)) + "\n");
  await Deno.remove(marker);
  const changed = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, env });
  assert.equal(JSON.parse(changed.stdout).hooks, "skipped-untrusted");
  assert.equal(await exists(marker), false);

  assert.equal((await wrknv(["trust", "--yes"], { cwd: ws.meta, env })).code, 0);
  assert.equal((await wrknv(["trust", "--revoke"], { cwd: ws.meta, env })).code, 0);
  const revoked = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, env });
  assert.equal(JSON.parse(revoked.stdout).hooks, "skipped-untrusted");
  assert.equal(await exists(marker), false);
});

Deno.test("a failing hook is reported with its output, exit 1", async () => {
  await using tmp = await tempDir();
  const env = { WRKNV_CONFIG_DIR: join(tmp.path, "trust") };
  const a = await makePackageRemote(join(tmp.path, "remotes"), { name: "p" });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "p", repo: a.url }], {
    tail: `[workspace.hooks]\npost_install = ["echo nope >&2; exit 3"]\n`,
  });
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta, env })).code, 0);
  assert.equal((await wrknv(["trust", "--yes"], { cwd: ws.meta, env })).code, 0);
  const r = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta, env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /hook failed \(exit 3\): echo nope/);
  assert.match(r.stderr, /nope/);
});
