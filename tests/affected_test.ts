/**
 * `wrknv affected` and `--affected` on a layered workspace of real
 * repositories: what a change in the foundation reaches, and nothing else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { commitFile, gitIn, pushAll } from "./support/git.ts";
import { runOk } from "./support/procs.ts";
import { wrknv } from "./support/cli.ts";
import { layeredWorkspace } from "./support/layered.ts";
import { makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { CAN_UNSHARE, OFFLINE, OFFLINE_ENV } from "./support/python.ts";

/** core and everything that depends on it (hard edges), in install order. */
const FROM_CORE = ["core", "framework", "docs", "tools", "plugin"];

async function affectedJson(meta: string, args: string[] = []) {
  const r = await wrknv(["affected", "--json", ...args], { cwd: meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

Deno.test("affected: a change in the foundation reaches exactly its dependents", async (t) => {
  await using tmp = await tempDir();
  const { ws, remotes } = await layeredWorkspace(tmp.path);
  const core = ws.sibling("core");

  await t.step("nothing changed: nothing affected", async () => {
    const got = await affectedJson(ws.meta);
    assert.deepEqual(got.changed, []);
    assert.deepEqual(got.affected, []);
    const human = await wrknv(["affected"], { cwd: ws.meta });
    assert.equal(human.stdout, "nothing changed since upstream\n");
  });

  await t.step("an uncommitted change, in the exact JSON shape", async () => {
    await Deno.writeTextFile(join(core, "src/wrknvtest_core/__init__.py"), "X = 2\n");
    const r = await wrknv(["affected", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(got), ["changed", "affected", "order", "why"]);
    assert.deepEqual(got.changed, ["core"]);
    // Install order: core, framework, then docs and tools (file order), plugin last.
    assert.deepEqual(got.order, [["core"], ["framework"], ["docs", "tools"], ["plugin"]]);
    assert.deepEqual(got.affected, FROM_CORE);
    assert.deepEqual(got.why, {
      core: [],
      framework: ["core"],
      tools: ["framework", "core"],
      docs: ["framework", "core"],
      plugin: ["framework", "core"],
    });
    // --committed: an uncommitted change does not count.
    assert.deepEqual((await affectedJson(ws.meta, ["--committed"])).affected, []);
    // The human form says why each one is affected, by the path of edges.
    const human = await wrknv(["affected", "--no-color"], { cwd: ws.meta });
    assert.match(
      human.stdout,
      /^changed \(since upstream\)\n {2}core +1 uncommitted file since origin\/main\n/,
    );
    assert.match(human.stdout, /\n {2}1\. core +changed\n/);
    assert.match(human.stdout, /\n {2}3\. docs +docs -> framework \(depends_on\) -> core\n/);
    assert.match(human.stdout, /\n {5}tools +tools -> framework -> core\n/);
    assert.match(human.stdout, /\n {2}4\. plugin +plugin -> framework -> core\n/);
  });

  await t.step("an untracked file counts too", async () => {
    await gitIn(core, ["checkout", "--", "."]);
    assert.deepEqual((await affectedJson(ws.meta)).affected, []);
    await Deno.writeTextFile(join(core, "src/wrknvtest_core/new.py"), "Y = 1\n");
    assert.deepEqual((await affectedJson(ws.meta)).changed, ["core"]);
    await Deno.remove(join(core, "src/wrknvtest_core/new.py"));
  });

  await t.step("--since upstream: a commit not pushed", async () => {
    await commitFile(core, "src/wrknvtest_core/more.py", "Z = 3\n", "More core");
    const got = await affectedJson(ws.meta, ["--since", "upstream", "--committed"]);
    assert.deepEqual(got.changed, ["core"]);
    assert.deepEqual(got.affected, FROM_CORE);
    // What others pushed upstream since is not this clone's change.
    await commitFile(remotes.lone.work, "other.txt", "theirs\n", "Someone else's work");
    await pushAll(remotes.lone.work);
    await gitIn(ws.sibling("lone"), ["fetch", "--quiet"]);
    assert.deepEqual((await affectedJson(ws.meta)).changed, ["core"]);
  });

  await t.step("--with-extras follows the kit's test extra", async () => {
    const got = await affectedJson(ws.meta, ["--with-extras"]);
    assert.deepEqual([...got.affected].sort(), [...FROM_CORE, "kit"].sort());
    assert.deepEqual(got.order, [["core"], ["framework", "kit"], ["docs", "tools"], ["plugin"]]);
    assert.deepEqual(got.why.kit, ["core"]);
  });

  await t.step("--format github-matrix: one line, the affected siblings with paths", async () => {
    const r = await wrknv(["affected", "--format", "github-matrix"], { cwd: ws.meta });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n").length, 2, "one line");
    const matrix = JSON.parse(r.stdout);
    assert.deepEqual(matrix.include[0], { sibling: "core", path: "../core", level: 1 });
    assert.deepEqual(matrix.include.map((m: { sibling: string }) => m.sibling), FROM_CORE);
  });

  await t.step("--since lock: what moved since wrknv.lock, pushed or not", async () => {
    // Pin today's commits, then push core's commit and make another: upstream
    // is level again but the lock is two commits behind core.
    const lock = await wrknv(["lock"], { cwd: ws.meta });
    assert.equal(lock.code, 0, lock.stderr);
    assert.deepEqual((await affectedJson(ws.meta, ["--since", "lock"])).affected, []);
    await gitIn(core, ["push", "--quiet", "origin", "main"]);
    assert.deepEqual((await affectedJson(ws.meta)).affected, []);
    await commitFile(core, "src/wrknvtest_core/again.py", "A = 1\n", "Again");
    await gitIn(core, ["push", "--quiet", "origin", "main"]);
    assert.deepEqual((await affectedJson(ws.meta)).affected, [], "level with upstream");
    const got = await affectedJson(ws.meta, ["--since", "lock"]);
    assert.deepEqual(got.changed, ["core"]);
    assert.deepEqual(got.affected, FROM_CORE);
    // A commit in the tools layer reaches tools and plugin, not core.
    await commitFile(ws.sibling("tools"), "t.py", "T = 1\n", "Tools");
    const tools = await affectedJson(ws.meta, ["--since", "lock", "--only", "tools,plugin,core"]);
    assert.deepEqual(tools.changed, ["core", "tools"]);
    // Ordered as the whole graph orders them: tools needs core through framework.
    assert.deepEqual(tools.order, [["core"], ["tools"], ["plugin"]]);
    assert.deepEqual(tools.why.plugin, ["tools"], "the nearest changed sibling explains");
  });

  await t.step(
    "--since REF: a sibling without the ref counts as changed, and says so",
    async () => {
      for (const name of ["core", "framework", "tools", "lone", "plugin", "kit"]) {
        await gitIn(ws.sibling(name), ["tag", "v1"]);
      }
      const got = await affectedJson(ws.meta, ["--since", "v1"]);
      // docs and site have no v1: counted (and they reach nothing but docs).
      assert.deepEqual(got.changed, ["docs", "site"]);
      assert.deepEqual(got.affected, ["docs", "site"]);
      assert.match(got.stderr, /warning: docs counted as changed: has no v1/);
    },
  );

  await t.step("exec --affected runs only in the affected siblings, in install order", async () => {
    const r = await wrknv(
      [
        "exec",
        "--affected",
        "--since",
        "lock",
        "--json",
        "--",
        "git",
        "rev-parse",
        "--show-toplevel",
      ],
      { cwd: ws.meta },
    );
    assert.equal(r.code, 0, r.stderr);
    const ran = JSON.parse(r.stdout).siblings;
    assert.deepEqual(ran.map((s: { name: string }) => s.name), FROM_CORE);
    for (const s of ran) assert.equal(s.stdout.trim(), await Deno.realPath(ws.sibling(s.name)));
    // Selection still applies on top.
    const some = await wrknv(
      ["exec", "--affected", "--since", "lock", "--only", "lone,tools", "--json", "--", "true"],
      { cwd: ws.meta },
    );
    assert.deepEqual(JSON.parse(some.stdout).siblings.map((s: { name: string }) => s.name), [
      "tools",
    ]);
  });

  await t.step("validate --affected checks only the affected siblings", async () => {
    const r = await wrknv(["validate", "--affected", "--since", "lock", "--json"], {
      cwd: ws.meta,
    });
    const checked = new Set(
      JSON.parse(r.stdout).checks.map((c: { sibling?: string }) => c.sibling).filter(Boolean),
    );
    assert.deepEqual([...checked], FROM_CORE, "in install order");
  });

  await t.step("a sibling not cloned is said to be passed over", async () => {
    await Deno.rename(ws.sibling("site"), join(tmp.path, "site-away"));
    const r = await wrknv(["affected", "--since", "lock"], { cwd: ws.meta });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nnot cloned, so not looked at: site\n$/);
    assert.doesNotMatch(r.stdout, /\bsite +changed/);
  });

  await t.step("an unreadable pyproject.toml is said, not passed over in silence", async () => {
    const file = join(ws.sibling("tools"), "pyproject.toml");
    const text = await Deno.readTextFile(file);
    await Deno.writeTextFile(file, "[project\n");
    const r = await wrknv(["affected", "--since", "lock", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: tools: pyproject\.toml cannot be read \(.+\): what it depends on is unknown/,
    );
    assert.deepEqual(JSON.parse(r.stdout).why.tools, [], "changed itself (uncommitted)");
    await Deno.writeTextFile(file, text);
  });

  await t.step("bad input: exit 2, one line", async () => {
    const cases: [string[], RegExp][] = [
      [["affected", "--format", "yaml"], /--format: expected text, json or github-matrix/],
      [["affected", "--since", "-x"], /needs a value|--since: expected/],
      [["affected", "--since=--upload-pack=x"], /--since: expected lock, upstream or a branch/],
      [["exec", "--since", "lock", "--", "true"], /--since: only with --affected/],
    ];
    for (const [args, want] of cases) {
      const r = await wrknv(args, { cwd: ws.meta });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, want);
    }
    await Deno.remove(join(ws.meta, "wrknv.lock"));
    const r = await wrknv(["affected", "--since", "lock"], { cwd: ws.meta });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /there is no wrknv\.lock; run wrknv lock/);
  });
});

Deno.test("validate --tests --affected runs pytest only where a change reaches, in install order", async () => {
  await using tmp = await tempDir();
  const { ws } = await layeredWorkspace(tmp.path);
  // Every Python sibling gets a real test that says where it ran; pushed, so nothing has changed.
  const log = join(tmp.path, "ran.log");
  const py = ["core", "framework", "tools", "plugin", "lone", "kit"];
  for (const name of py) {
    const test =
      `import os\n\ndef test_here():\n    with open(os.environ["WRKNV_TEST_LOG"], "a") as f:\n` +
      `        f.write("${name}\\n")\n`;
    await commitFile(ws.sibling(name), "tests/test_here.py", test, "A test");
    await gitIn(ws.sibling(name), ["push", "--quiet", "origin", "main"]);
  }
  // The shared venv, with pytest from the interpreter's own site-packages (.ci/run installs it).
  await runOk(["python3", "-m", "venv", "--system-site-packages", join(ws.meta, ".venv")]);
  await Deno.writeTextFile(
    join(ws.sibling("framework"), "src/wrknvtest_framework/__init__.py"),
    "X = 1\n",
  );
  const r = await wrknv(["validate", "--tests", "--affected", "-j", "1", "--json"], {
    cwd: ws.meta,
    env: { WRKNV_TEST_LOG: log },
  });
  const checks = JSON.parse(r.stdout).checks.filter((c: { id: string }) => c.id === "tests");
  assert.deepEqual(
    checks.map((c: { sibling: string; status: string }) => [c.sibling, c.status]),
    [["framework", "ok"], ["tools", "ok"], ["plugin", "ok"]],
    r.stdout,
  );
  // One at a time (-j 1), started in install order; core, lone and kit never ran.
  assert.deepEqual((await Deno.readTextFile(log)).trim().split("\n"), [
    "framework",
    "tools",
    "plugin",
  ]);
});

Deno.test("run --each --affected: the venv active, only where a change reaches", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const names = ["wrknvtest-base", "wrknvtest-mid", "wrknvtest-other"];
  const made = await Promise.all(names.map((n) => makeRemote(remotes, n)));
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: names[0], repo: made[0].url },
    { name: names[1], repo: made[1].url, depends_on: [names[0]] },
    { name: names[2], repo: made[2].url },
  ]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  // No Python packages here: setup makes only the venv (offline).
  const setup = await wrknv(["setup", ...OFFLINE], {
    cwd: ws.meta,
    env: OFFLINE_ENV,
    unshare: CAN_UNSHARE,
  });
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  await Deno.writeTextFile(join(ws.sibling(names[0]), "README.md"), "changed\n");
  const code = "import os; print(os.environ['VIRTUAL_ENV'])";
  const r = await wrknv(["run", "--each", "--affected", "--json", "--", "python", "-c", code], {
    cwd: ws.meta,
  });
  assert.equal(r.code, 0, r.stderr);
  const ran = JSON.parse(r.stdout).siblings;
  assert.deepEqual(ran.map((s: { name: string }) => s.name), names.slice(0, 2));
  for (const s of ran) assert.equal(s.stdout.trim(), join(ws.meta, ".venv"));
  // Without --each, --affected has nothing to choose from.
  const alone = await wrknv(["run", "--affected", "--", "python", "-V"], { cwd: ws.meta });
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /^error: run: --affected goes with --each/);
});
