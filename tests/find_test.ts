/**
 * The workspace is found from anywhere inside it: the meta-repository, a
 * sibling, a directory deep in a sibling; and the per-sibling commands then
 * act on that sibling alone unless --all (or a selection) widens them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn, makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { snapshot } from "./support/tree.ts";

async function cloned() {
  const tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const [a, b] = await Promise.all([makeRemote(remotes, "api"), makeRemote(remotes, "core")]);
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "api", repo: a.url },
    { name: "core", repo: b.url },
  ]);
  const r = await wrknv(["bootstrap"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stderr);
  return { tmp, ws };
}

const names = (stdout: string) =>
  JSON.parse(stdout).siblings.map((s: { name: string }) => s.name).sort();

Deno.test("from inside a sibling, and deep inside it: the workspace is found, and status shows that sibling", async () => {
  const { tmp, ws } = await cloned();
  await using _ = tmp;
  const deep = join(ws.sibling("api"), "src", "pkg");
  await Deno.mkdir(deep, { recursive: true });
  for (const cwd of [ws.sibling("api"), deep]) {
    const r = await wrknv(["status", "--json"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(names(r.stdout), ["api"], cwd);
    const all = await wrknv(["status", "--json", "--all"], { cwd });
    assert.deepEqual(names(all.stdout), ["api", "core"]);
    const other = await wrknv(["status", "--json", "--only", "core"], { cwd });
    assert.deepEqual(names(other.stdout), ["core"]);
  }
  // In human output it says why only one sibling is shown.
  const human = await wrknv(["status"], { cwd: deep });
  assert.match(human.stderr, /in sibling api: it alone \(--all for every sibling\)/);
  assert.doesNotMatch(human.stdout, /core/);
  // Commands over the whole workspace are not narrowed: config lists both.
  const config = await wrknv(["config", "--json"], { cwd: deep });
  assert.equal(config.code, 0, config.stderr);
  assert.deepEqual(names(config.stdout), ["api", "core"]);
  // From the meta-repository nothing is narrowed.
  assert.deepEqual(names((await wrknv(["status", "--json"], { cwd: ws.meta })).stdout), [
    "api",
    "core",
  ]);
});

Deno.test("exec from inside a sibling runs there alone; --all runs everywhere", async () => {
  const { tmp, ws } = await cloned();
  await using _ = tmp;
  const one = await wrknv(["exec", "--json", "--", "git", "rev-parse", "--show-toplevel"], {
    cwd: ws.sibling("core"),
  });
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(names(one.stdout), ["core"]);
  const all = await wrknv(["exec", "--all", "--json", "--", "true"], { cwd: ws.sibling("core") });
  assert.deepEqual(names(all.stdout), ["api", "core"]);
});

Deno.test("a repository beside the workspace that no wrknv.toml lists: one clear error, nothing made", async () => {
  const { tmp, ws } = await cloned();
  await using _ = tmp;
  const stray = join(ws.root, "stray");
  await Deno.mkdir(stray);
  await gitIn(stray, ["init", "-q"]);
  // Another user's wrknv.toml beside it that claims it is passed over.
  if (Deno.uid() === 0) {
    const planted = join(ws.root, "planted");
    await Deno.mkdir(planted);
    const file = join(planted, "wrknv.toml");
    await Deno.writeTextFile(
      file,
      `[workspace]\nname = "x"\n\n[[siblings]]\nname = "stray"\nrepo = "https://h.invalid/s.git"\n`,
    );
    await Deno.chown(file, 65534, 65534);
    // The same file, ours, would be found (so the case above is a real one).
    await Deno.chown(file, 0, 0);
    assert.equal((await wrknv(["config"], { cwd: stray })).code, 0, "found when it is ours");
    await Deno.chown(file, 65534, 65534);
  }
  const before = await snapshot(ws.root);
  const r = await wrknv(["status"], { cwd: stray });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^error: no wrknv\.toml in .*\/stray or any parent directory, and no meta-repository beside them lists it as a sibling\nhint: run wrknv in the meta-repository \(or pass --config PATH to its wrknv\.toml\); "wrknv init" makes a new workspace here\n$/,
  );
  assert.deepEqual(await snapshot(ws.root), before);
});
