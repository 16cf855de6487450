/**
 * Offline: bundle a workspace, then bring it up from the bundle on a "machine"
 * with no network (a network namespace with no interfaces but loopback down).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { MAIN, USER_DIRS, wrknv } from "./support/cli.ts";
import { makePackageRemote, OFFLINE, venvRun } from "./support/python.ts";
import { snapshot } from "./support/tree.ts";

async function canUnshare(): Promise<string | null> {
  try {
    const out = await new Deno.Command("unshare", { args: ["-n", "true"], stderr: "piped" })
      .output();
    return out.success ? null : `unshare -n failed: ${new TextDecoder().decode(out.stderr).trim()}`;
  } catch (error) {
    return `unshare is not available: ${(error as Error).message}`;
  }
}

async function sixSiblingWorkspace(dir: string) {
  const remotes = join(dir, "remotes");
  const specs = [
    { name: "base", deps: [] },
    { name: "util", deps: ["base"] },
    { name: "io", deps: ["base"] },
    { name: "core", deps: ["util", "io"] },
    { name: "cli", deps: ["core"] },
  ];
  // Sibling "base" is the distribution wrknvtest-base (no such name exists on an index).
  const made = await Promise.all(specs.map((s) =>
    makePackageRemote(remotes, {
      name: `wrknvtest-${s.name}`,
      module: s.name,
      deps: s.deps.map((d) => `wrknvtest-${d}`),
    }, s.name)
  ));
  const { makeRemote } = await import("./support/git.ts");
  const docs = await makeRemote(remotes, "docs", { files: { "index.md": "# docs\n" }, commits: 2 });
  const ws = await makeWorkspace(join(dir, "online"), [
    ...specs.map((s, i) => ({ name: s.name, repo: made[i].url })),
    { name: "docs", repo: docs.url, install: false },
  ]);
  return ws;
}

Deno.test("bundle a 6-sibling workspace and bring it up with no network", async (t) => {
  const why = await canUnshare();
  if (why) {
    console.log(`skipped: ${why}`);
    return;
  }
  await using tmp = await tempDir();
  const ws = await sixSiblingWorkspace(tmp.path);
  assert.equal((await wrknv(["up", ...OFFLINE], { cwd: ws.meta })).code, 0);
  const out = join(tmp.path, "bundle");
  const b = await wrknv(["bundle", out, "--json"], { cwd: ws.meta });
  assert.equal(b.code, 0, b.stderr);
  const doc = JSON.parse(b.stdout);
  assert.equal(doc.siblings.length, 6);
  assert.ok(
    doc.wheels.some((w: string) => w.startsWith("setuptools-")),
    "the build backend is in the wheelhouse",
  );
  const heads = Object.fromEntries(
    await Promise.all(
      ["base", "cli", "docs"].map(async (
        n,
      ) => [n, (await gitIn(ws.sibling(n), ["rev-parse", "HEAD"])).trim()]),
    ),
  );

  await t.step(
    "up --from in a network namespace with no network gives a validated workspace",
    async () => {
      const offline = join(tmp.path, "offline", "meta");
      await Deno.mkdir(offline, { recursive: true });
      const cmd = new Deno.Command("unshare", {
        args: ["-n", Deno.execPath(), "run", "-A", "--quiet", MAIN, "up", "--from", out, "--json"],
        cwd: offline,
        env: { NO_COLOR: "1", ...USER_DIRS },
        stdout: "piped",
        stderr: "piped",
      });
      const r = await cmd.output();
      const stdout = new TextDecoder().decode(r.stdout);
      assert.equal(r.code, 0, stdout + new TextDecoder().decode(r.stderr));
      const up = JSON.parse(stdout);
      assert.equal(up.validate.ok, true);
      assert.equal(up.validate.errors, 0);
      const root = join(tmp.path, "offline");
      for (const n of ["base", "cli", "docs"]) {
        assert.equal(
          (await gitIn(join(root, n), ["rev-parse", "HEAD"])).trim(),
          heads[n],
          `${n} is at the locked commit`,
        );
      }
      // origin points at the real repository, for a later online sync.
      const origin = (await gitIn(join(root, "cli"), ["remote", "get-url", "origin"])).trim();
      assert.match(origin, /remotes\/cli\.git$/);
      const imp = await venvRun(
        join(offline, ".venv"),
        "import cli, core, util, io, base; print('ok')",
      );
      assert.equal(imp.stdout.trim(), "ok", imp.stderr);
    },
  );

  await t.step(
    "bootstrap --from, then a plain setup, installs from the bundle's wheels on its own",
    async () => {
      const meta = join(tmp.path, "two-step", "meta");
      await Deno.mkdir(meta, { recursive: true });
      const b1 = await wrknv(["bootstrap", "--from", out], { cwd: meta });
      assert.equal(b1.code, 0, b1.stdout + b1.stderr);
      const cmd = new Deno.Command("unshare", {
        args: ["-n", Deno.execPath(), "run", "-A", "--quiet", MAIN, "setup"],
        cwd: meta,
        env: { NO_COLOR: "1", ...USER_DIRS },
        stdout: "piped",
        stderr: "piped",
      });
      const r = await cmd.output();
      const err = new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 0, new TextDecoder().decode(r.stdout) + err);
      assert.match(err, /installing offline from the bundle's wheels/);
    },
  );

  await t.step("a bundle with one byte changed is refused, and nothing is cloned", async () => {
    const damaged = join(tmp.path, "damaged");
    await new Deno.Command("cp", { args: ["-r", out, damaged] }).output();
    const file = join(damaged, "repos", "core.bundle");
    const bytes = await Deno.readFile(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await Deno.writeFile(file, bytes);
    const target = join(tmp.path, "victim", "meta");
    await Deno.mkdir(target, { recursive: true });
    await Deno.copyFile(join(out, "wrknv.toml"), join(target, "wrknv.toml"));
    const before = await snapshot(join(tmp.path, "victim"));
    const r = await wrknv(["bootstrap", "--from", damaged], { cwd: target });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /repos\/core\.bundle does not match the manifest/);
    assert.deepEqual(await snapshot(join(tmp.path, "victim")), before, "nothing was cloned");
  });

  await t.step("a bundle is never written over anything", async () => {
    const r = await wrknv(["bundle", out], { cwd: ws.meta });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already exists and is not empty/);
  });
});
