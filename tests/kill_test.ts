/**
 * `kill -9` inside the critical section of bootstrap, setup, add, lock and
 * sync, again and again, then one whole run: the user's data is byte for byte
 * as it was, the workspace ends as a clean run leaves it, and nothing is left
 * behind (no clone temporaries, no `.tmp` files, no run lock).
 *
 * Where each kill landed is known, not guessed: with `WRKNV_TEST_CHECKPOINTS`
 * wrknv announces every step of a critical section on standard error and
 * pauses there (src/checkpoint.ts). A kill counts as landed when the run was
 * killed after announcing the section's first step and before announcing its
 * last; each command needs 20 of those. The moment is seeded and random over
 * the section's span, so kills also land inside git and Python, between the
 * steps. After each kill the test waits until no process of the run (a git
 * that outlived wrknv) is left before going on.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, USER_DIRS, wrknv } from "./support/cli.ts";
import { gitIn, makeRemote } from "./support/git.ts";
import { makePackageRemote, OFFLINE } from "./support/python.ts";
import { snapshot } from "./support/tree.ts";
import { tempDir } from "./support/tmp.ts";
import { mulberry32 } from "./support/random.ts";

/** Steps to leave out while working on one (WRKNV_KILL_SKIP=setup,add). */
const SKIP = (Deno.env.get("WRKNV_KILL_SKIP") ?? "").split(",");

/** How long each checkpoint pauses. */
const PAUSE_MS = 30;
/** Kills that must land inside the section, per command. */
const LANDED = 20;
/** Runs at most, per command (a kill may land before or after the section). */
const MAX_RUNS = 70;

/** Run wrknv with checkpoints on; kill it `afterMs` after it announces a step in `starts`. */
async function runAndKill(
  args: string[],
  cwd: string,
  starts: readonly string[],
  afterMs: (() => number) | null,
): Promise<{ said: string[]; killed: boolean; spanMs: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd,
    env: { NO_COLOR: "1", ...USER_DIRS, WRKNV_TEST_CHECKPOINTS: String(PAUSE_MS) },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const said: string[] = [];
  let buffer = "";
  let started = -1;
  let last = -1;
  let killed = false;
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      said.push(line);
      if (!line.startsWith("checkpoint ")) continue;
      last = performance.now();
      if (started < 0 && starts.includes(line.slice(11))) {
        started = last;
        if (afterMs) {
          const ms = afterMs();
          setTimeout(() => {
            try {
              child.kill("SIGKILL");
              killed = true;
            } catch {
              // It had finished.
            }
          }, ms);
        }
      }
    }
  }
  const status = await child.status;
  return { said, killed: killed && status.signal === "SIGKILL", spanMs: last - started };
}

/** Wait until no process mentions `dir` in its command line or works inside it. */
async function quietUnder(dir: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (true) {
    const busy: string[] = [];
    for await (const e of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
      try {
        const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
        if (/\) [ZX] /.test(stat)) continue;
        const cmd = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " ");
        const cwd = await Deno.readLink(`/proc/${e.name}/cwd`).catch(() => "");
        if (cmd.includes(dir) || cwd.startsWith(dir)) busy.push(`${e.name}: ${cmd}`);
      } catch {
        // gone meanwhile
      }
    }
    if (busy.length === 0) return;
    assert.ok(Date.now() < deadline, `still running after a kill:\n${busy.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Paths under `dir` that a killed run may leave and a whole run must have removed. */
async function leftovers(dir: string): Promise<string[]> {
  const tree = await snapshot(dir);
  return Object.keys(tree).filter((p) =>
    /(^|\/)\.wrknv-clone-/.test(p) || /(^|\/)\.[^/]+\.\d+\.[0-9a-f]{8}\.tmp$/.test(p) ||
    /(^|\/)\.wrknv\/run\.lock$/.test(p) || /\.git\/[^/]*\.lock$/.test(p)
  );
}

interface Loop {
  /** The command's arguments for run `i`. */
  args: (i: number) => string[];
  /** Checkpoints that open the critical section, and the one that closes it. */
  starts: readonly string[];
  end: string;
  /** Put back what the last run changed, so the next one does the same work. */
  reset: () => Promise<void>;
}

/**
 * Kill `loop`'s command inside its critical section until 20 kills landed,
 * then run it whole once. Returns how the kills landed.
 */
async function killLoop(
  dir: string,
  cwd: string,
  loop: Loop,
  seed: number,
): Promise<{ inside: number; outside: number }> {
  // One whole run first, for the section's span (the kills are spread over it).
  await loop.reset();
  const probe = await runAndKill(loop.args(-1), cwd, loop.starts, null);
  assert.ok(probe.said.includes(`checkpoint ${loop.end}`), probe.said.join("\n"));
  const span = Math.max(PAUSE_MS * 2, probe.spanMs);
  const rand = mulberry32(seed);
  const landed = { inside: 0, outside: 0 };
  for (let i = 0; i < MAX_RUNS && landed.inside < LANDED; i++) {
    await loop.reset();
    const r = await runAndKill(loop.args(i), cwd, loop.starts, () => rand() * span * 1.1);
    await quietUnder(dir);
    const inside = r.killed && !r.said.includes(`checkpoint ${loop.end}`);
    landed[inside ? "inside" : "outside"]++;
  }
  assert.ok(landed.inside >= LANDED, `only ${JSON.stringify(landed)} kills landed inside`);
  return landed;
}

/** What belongs to the user: a file in the root, someone's work in a sibling, a directory of notes. */
async function userData(root: string): Promise<() => Promise<Record<string, string>>> {
  await Deno.writeTextFile(join(root, "notes.txt"), "my notes\n");
  await Deno.mkdir(join(root, "drafts"));
  await Deno.writeTextFile(join(root, "drafts", "plan.md"), "# plan\n");
  return async () => {
    const drafts = await snapshot(join(root, "drafts"));
    return { notes: await Deno.readTextFile(join(root, "notes.txt")), ...drafts };
  };
}

Deno.test({
  name: "kill -9 inside bootstrap, setup, add, lock and sync, 20 times each, then a whole run",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using tmp = await tempDir("wrknv-kill-");
    const dir = await Deno.realPath(tmp.path);
    const remotes = join(dir, "remotes");
    const lib = await makeRemote(remotes, "lib", { commits: 3 });
    const pkg = await makePackageRemote(remotes, { name: "wrknvtest-killpkg" }, "pkg");
    const meta = join(dir, "ws", "meta");
    const root = join(dir, "ws");
    await Deno.mkdir(meta, { recursive: true });
    const toml =
      `[workspace]\nname = "killed"\n\n[[siblings]]\nname = "lib"\nrepo = "${lib.url}"\n` +
      `\n[[siblings]]\nname = "wrknvtest-killpkg"\nrepo = "${pkg.url}"\n`;
    await Deno.writeTextFile(join(meta, "wrknv.toml"), toml);
    const mine = await userData(root);
    const before = await mine();
    const libDir = join(root, "lib");

    await t.step("bootstrap", async () => {
      const landed = await killLoop(dir, meta, {
        args: () => ["bootstrap", "--only", "lib"],
        starts: ["clone lib"],
        end: "renamed lib",
        reset: async () => {
          // What a finished run cloned goes, so the next run clones again.
          await Deno.remove(libDir, { recursive: true }).catch(() => {});
        },
      }, 1);
      const r = await wrknv(["bootstrap"], { cwd: meta });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(await gitIn(libDir, ["rev-parse", "HEAD"]), lib.commits.at(-1));
      console.log(`bootstrap: ${JSON.stringify(landed)}`);
    });

    await t.step({
      name: "setup",
      ignore: SKIP.includes("setup"),
      fn: async () => {
        const landed = await killLoop(dir, meta, {
          // Every other run makes the venv again; the rest reinstall into it.
          args: (i) => ["setup", i % 2 ? "--force" : "--recreate", ...OFFLINE],
          starts: ["make venv", "install"],
          end: "installed",
          reset: async () => {},
        }, 2);
        const r = await wrknv(["setup", ...OFFLINE], { cwd: meta });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const v = await wrknv(["validate"], { cwd: meta });
        assert.equal(v.code, 0, v.stdout + v.stderr);
        console.log(`setup: ${JSON.stringify(landed)}`);
      },
    });

    await t.step({
      name: "add",
      ignore: SKIP.includes("add"),
      fn: async () => {
        const path = join(meta, "wrknv.toml");
        const old = await Deno.readTextFile(path);
        const landed = await killLoop(dir, meta, {
          args: () => ["add", "https://h.invalid/extra.git"],
          starts: ["write wrknv.toml"],
          end: "renamed wrknv.toml",
          reset: async () => {
            const now = await Deno.readTextFile(path);
            assert.ok(now === old || now.startsWith(old), `a torn wrknv.toml:\n${now}`);
            await Deno.writeTextFile(path, old);
          },
        }, 3);
        const r = await wrknv(["add", "https://h.invalid/extra.git"], { cwd: meta });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        await wrknv(["remove", "extra"], { cwd: meta });
        assert.equal(await Deno.readTextFile(path), old);
        console.log(`add: ${JSON.stringify(landed)}`);
      },
    });

    await t.step({
      name: "lock",
      ignore: SKIP.includes("lock"),
      fn: async () => {
        const path = join(meta, "wrknv.lock");
        let first: string | undefined;
        const landed = await killLoop(dir, meta, {
          args: () => ["lock"],
          starts: ["write wrknv.lock"],
          end: "renamed wrknv.lock",
          reset: async () => {
            const now = await Deno.readTextFile(path).catch(() => undefined);
            first ??= now;
            if (now !== undefined && first !== undefined) {
              assert.equal(now, first, "a torn or changed wrknv.lock");
            }
            await Deno.remove(path).catch(() => {});
          },
        }, 4);
        const r = await wrknv(["lock"], { cwd: meta });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(await Deno.readTextFile(path), new RegExp(lib.commits.at(-1)!));
        console.log(`lock: ${JSON.stringify(landed)}`);
      },
    });

    await t.step("sync", async () => {
      // Someone's uncommitted work in the package sibling: sync skips it, every time.
      const pkgDir = join(root, "wrknvtest-killpkg");
      await Deno.writeTextFile(join(pkgDir, "pyproject.toml"), "# my edit\n", { append: true });
      const dirty = await snapshot(pkgDir);
      const landed = await killLoop(dir, meta, {
        args: () => ["sync", "--only", "lib,wrknvtest-killpkg"],
        starts: ["fetch lib"],
        end: "merged lib",
        reset: async () => {
          // One commit behind again, so the next run fast-forwards.
          await gitIn(libDir, ["reset", "--quiet", "--hard", lib.commits.at(-2)!]);
        },
      }, 5);
      const r = await wrknv(["sync"], { cwd: meta });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(await gitIn(libDir, ["rev-parse", "HEAD"]), lib.commits.at(-1));
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(await snapshot(pkgDir)).filter(([k]) =>
            !/\.git\/(index|FETCH_HEAD)$/.test(k)
          ),
        ),
        Object.fromEntries(
          Object.entries(dirty).filter(([k]) => !/\.git\/(index|FETCH_HEAD)$/.test(k)),
        ),
        "the dirty sibling changed",
      );
      console.log(`sync: ${JSON.stringify(landed)}`);
    });

    await t.step("the user's data is as it was, and nothing is left behind", async () => {
      assert.deepEqual(await mine(), before);
      assert.deepEqual(await leftovers(root), []);
      const bundles = join(USER_DIRS.WRKNV_CACHE_DIR, "bundles");
      const unpacks = await Array.fromAsync(Deno.readDir(bundles)).catch(() => []);
      assert.deepEqual(unpacks.filter((e) => e.name.startsWith(".unpack-")), []);
    });
  },
});
