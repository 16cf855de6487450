/**
 * Feature branches across siblings (`branch`, `switch`, `status`) and
 * `grep`, on a layered workspace of real repositories.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runOk } from "./support/procs.ts";
import { tempDir } from "./support/tmp.ts";
import { commitFile, gitIn, gitTestEnv } from "./support/git.ts";
import { wrknv } from "./support/cli.ts";
import { LAYERED, layeredWorkspace } from "./support/layered.ts";

/**
 * Everything about a clone that a move would change: the branch, HEAD, and
 * the tree of the working directory as it is (tracked changes and untracked
 * files included), written through a scratch index.
 */
async function fingerprint(dir: string): Promise<string[]> {
  const index = await Deno.makeTempFile({ prefix: "wrknv-index-" });
  try {
    const env = { ...gitTestEnv(), GIT_INDEX_FILE: index };
    await runOk(["git", "read-tree", "HEAD"], { cwd: dir, env });
    await runOk(["git", "add", "--all"], { cwd: dir, env });
    const tree = await runOk(["git", "write-tree"], { cwd: dir, env });
    return [
      await gitIn(dir, ["symbolic-ref", "--short", "HEAD"]),
      await gitIn(dir, ["rev-parse", "HEAD"]),
      tree.stdout.trim(),
    ];
  } finally {
    await Deno.remove(index);
  }
}

const branchOf = (dir: string) => gitIn(dir, ["symbolic-ref", "--short", "HEAD"]);

type Outcome = { name: string; status: string; from?: string | null; detail?: string };
const statuses = (stdout: string) =>
  Object.fromEntries(JSON.parse(stdout).siblings.map((o: Outcome) => [o.name, o.status]));

Deno.test("branch and switch: a feature branch across siblings, never moving a dirty one", async (t) => {
  await using tmp = await tempDir();
  const { ws, remotes } = await layeredWorkspace(tmp.path);
  const lone = ws.sibling("lone");
  const kit = ws.sibling("kit");
  const tools = ws.sibling("tools");
  await Deno.writeTextFile(join(lone, "README.md"), "work in progress\n");
  await Deno.writeTextFile(join(kit, "notes.txt"), "untracked, not in the way\n");
  const heads = Object.fromEntries(
    await Promise.all(
      LAYERED.map(async (n) => [n, await gitIn(ws.sibling(n), ["rev-parse", "HEAD"])]),
    ),
  );

  await t.step("branch: made at HEAD everywhere but in the dirty sibling", async () => {
    const loneBefore = await fingerprint(lone);
    const kitBefore = await fingerprint(kit);
    const r = await wrknv(["branch", "feat", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 1, "a refused sibling fails the run");
    const got = statuses(r.stdout);
    assert.equal(got.lone, "refused");
    for (const n of LAYERED.filter((n) => n !== "lone")) assert.equal(got[n], "created", n);
    const refused = JSON.parse(r.stdout).siblings.find((o: Outcome) => o.name === "lone");
    assert.match(
      refused.detail,
      /1 changed file: commit or stash it, then run: wrknv branch feat --only lone/,
    );
    assert.deepEqual(await fingerprint(lone), loneBefore, "the dirty sibling is untouched");
    const kitAfter = await fingerprint(kit);
    assert.deepEqual([kitAfter[1], kitAfter[2]], [kitBefore[1], kitBefore[2]], "kit's files stay");
    for (const n of LAYERED.filter((n) => n !== "lone")) {
      assert.equal(await branchOf(ws.sibling(n)), "feat");
      assert.equal(await gitIn(ws.sibling(n), ["rev-parse", "HEAD"]), heads[n]);
    }
    // Again: already on it; the dirty one still refused.
    const again = await wrknv(["branch", "feat", "--no-color"], { cwd: ws.meta });
    assert.equal(again.code, 1);
    assert.match(again.stdout, /✓ core +already/);
    assert.match(again.stdout, /branch feat: 7 already on it, 1 refused\n$/);
  });

  await t.step("status shows who is on the feature branch", async () => {
    const r = await wrknv(["status", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 0, r.stderr);
    const { feature } = JSON.parse(r.stdout);
    assert.equal(feature.branch, "feat");
    assert.deepEqual(feature.on, LAYERED.filter((n) => n !== "lone"));
    const human = await wrknv(["status"], { cwd: ws.meta });
    assert.match(human.stdout, /\nfeature branch feat: 7 of 8 on it; not: lone \(main\)\n$/);
  });

  await t.step("switch main round-trips, leaving a dirty sibling where it is", async () => {
    await commitFile(ws.sibling("core"), "feature.py", "F = 1\n", "The feature");
    // The new branch has no upstream: affected compares with origin's default branch, so
    // only core's commit counts, not every sibling on the branch.
    const affected = await wrknv(["affected", "--committed", "--json"], { cwd: ws.meta });
    assert.deepEqual(JSON.parse(affected.stdout).changed, ["core"], affected.stderr);
    assert.equal(affected.stderr, "");
    await Deno.writeTextFile(join(tools, "README.md"), "half done\n");
    const toolsBefore = await fingerprint(tools);
    const r = await wrknv(["switch", "main", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 1, r.stdout);
    const got = statuses(r.stdout);
    assert.equal(got.tools, "refused");
    assert.equal(got.lone, "already");
    assert.deepEqual(await fingerprint(tools), toolsBefore, "the dirty sibling is untouched");
    for (const n of LAYERED.filter((n) => n !== "tools" && n !== "lone")) {
      assert.equal(got[n], "switched", n);
      assert.equal(await branchOf(ws.sibling(n)), "main");
      assert.equal(await gitIn(ws.sibling(n), ["rev-parse", "HEAD"]), heads[n]);
    }
    const status = JSON.parse((await wrknv(["status", "--json"], { cwd: ws.meta })).stdout);
    assert.equal(status.feature, null, "back on main: no feature branch");
    // And back to the feature: the commit is there; lone never had the branch.
    const back = await wrknv(["switch", "feat", "--json"], { cwd: ws.meta });
    const got2 = statuses(back.stdout);
    assert.equal(got2.lone, "absent");
    assert.equal(got2.tools, "already");
    assert.equal(got2.core, "switched");
    assert.ok(await Deno.stat(join(ws.sibling("core"), "feature.py")));
    assert.equal(
      JSON.parse((await wrknv(["status", "--json"], { cwd: ws.meta })).stdout).feature.branch,
      "feat",
    );
  });

  await t.step("switch to a branch only origin has: a tracking branch", async () => {
    await gitIn(remotes.site.work, ["checkout", "--quiet", "-b", "topic"]);
    await commitFile(remotes.site.work, "topic.md", "# topic\n", "Topic");
    await gitIn(remotes.site.work, ["push", "--quiet", "origin", "topic"]);
    await gitIn(ws.sibling("site"), ["fetch", "--quiet"]);
    const r = await wrknv(["switch", "topic", "--no-color"], { cwd: ws.meta });
    assert.equal(r.code, 0, "siblings without the branch are not failures: " + r.stdout);
    assert.match(r.stdout, /✓ site +switched +from feat; tracking origin\/topic\n/);
    assert.match(r.stdout, /- core +absent +has no topic\n/);
    assert.equal(await branchOf(ws.sibling("site")), "topic");
    assert.equal(
      await gitIn(ws.sibling("site"), ["rev-parse", "--abbrev-ref", "topic@{upstream}"]),
      "origin/topic",
    );
  });

  await t.step("bad names: exit 2, nothing moved", async () => {
    const before = await Promise.all(LAYERED.map((n) => fingerprint(ws.sibling(n))));
    for (const args of [["branch", "a..b"], ["branch", "--", "-x"], ["switch", "x.lock"]]) {
      const r = await wrknv(args, { cwd: ws.meta });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^error: branch "/);
    }
    assert.deepEqual(await Promise.all(LAYERED.map((n) => fingerprint(ws.sibling(n)))), before);
  });
});

Deno.test("grep: every sibling at once, grouped, exit 1 on no match", async (t) => {
  await using tmp = await tempDir();
  const { ws } = await layeredWorkspace(tmp.path);

  await t.step("a string in two siblings", async () => {
    const r = await wrknv(["grep", "-E", "NEEDLE_(CORE|KIT)", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.equal(got.matches, 2);
    const matched = got.siblings.filter((s: { status: string }) => s.status === "matched");
    assert.deepEqual(matched.map((s: { name: string }) => s.name), ["kit", "core"]);
    assert.deepEqual(matched[1].matches, [
      { file: "src/wrknvtest_core/__init__.py", line: 2, text: "NEEDLE_CORE = 1" },
    ]);
    const human = await wrknv(["grep", "-E", "NEEDLE_(CORE|KIT)", "--no-color"], { cwd: ws.meta });
    assert.equal(
      human.stdout,
      "kit ../kit\n  src/wrknvtest_kit/__init__.py:2:NEEDLE_KIT = 1\n" +
        "core ../core\n  src/wrknvtest_core/__init__.py:2:NEEDLE_CORE = 1\n",
    );
    assert.match(human.stderr, /2 matches in 2 of 8 siblings/);
    const files = await wrknv(["grep", "-il", "needle_core"], { cwd: ws.meta });
    assert.equal(files.stdout, "core ../core\n  src/wrknvtest_core/__init__.py\n");
  });

  await t.step("nothing matches: exit 1, nothing on stdout", async () => {
    for (
      const args of [["grep", "no such text anywhere"], [
        "grep",
        "-E",
        "NEEDLE_(CORE|KIT)",
        "--",
        "*.md",
      ]]
    ) {
      const r = await wrknv(args, { cwd: ws.meta });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /no match in 8 siblings/);
    }
    // A pathspec narrows, and -F takes the pattern as it is.
    const md = await wrknv(["grep", "-F", "# site pages", "--", "*.md"], { cwd: ws.meta });
    assert.equal(md.code, 0, md.stderr);
    assert.equal(md.stdout, "site ../site\n  index.md:1:# site pages\n");
  });

  await t.step("--affected searches only where a change reaches", async () => {
    await Deno.writeTextFile(join(ws.sibling("framework"), "wip.txt"), "untracked\n");
    const r = await wrknv(["grep", "-l", "NEEDLE_", "--affected", "--json"], { cwd: ws.meta });
    assert.equal(r.code, 0, r.stderr);
    const searched = JSON.parse(r.stdout).siblings.map((s: { name: string }) => s.name);
    assert.deepEqual(searched, ["framework", "docs", "tools", "plugin"]);
    await Deno.remove(join(ws.sibling("framework"), "wip.txt"));
  });

  await t.step("a bad pattern: exit 2, said once", async () => {
    const r = await wrknv(["grep", "-E", "a("], { cwd: ws.meta });
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^error: .*Unmatched \( or \\\(/);
  });

  await t.step("terminal control sequences in a file are shown, not obeyed", async () => {
    await commitFile(ws.sibling("lone"), "evil.txt", "x \x1b]0;owned\x07 x\n", "Evil");
    const r = await wrknv(["grep", "owned"], { cwd: ws.meta });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "lone ../lone\n  evil.txt:1:x \\u001b]0;owned\\u0007 x\n");
  });
});
