/**
 * `deno task bench proc [repos] [runs] [module]`: the cost of `run()` from
 * src/proc against a bare `Deno.Command().output()`, in one process: `repos`
 * (100) `git status` calls over a pool of 8, round robin, `runs` (15) times
 * each. `module` replaces src/proc/mod.ts (to compare with an older copy).
 *
 * `Command().output()` ignores `detached`, so the baseline runs in wrknv's
 * process group. The floor for a command in a group of its own is the
 * `setsid` program in front of a plain spawn (what `run()` does where it
 * can); `spawn()` with `detached` is left out: Deno forks the whole runtime
 * for it (several times slower), which also slows whatever runs next.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { fmt, markdownTable, median } from "./stats.ts";
import { processCpuMs, sh } from "./harness.ts";
import * as proc from "../../src/proc/mod.ts";

const ARGS = ["status", "--porcelain=v2", "--branch"];

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100);
  const runs = Number(args[1] ?? 15);
  const mod: typeof proc = args[2]
    ? await import(new URL(`file://${resolve(args[2])}`).href)
    : proc;
  const jobs = 8;
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-proc-" });
  try {
    const env = {
      GIT_AUTHOR_NAME: "b",
      GIT_AUTHOR_EMAIL: "b@b.invalid",
      GIT_COMMITTER_NAME: "b",
      GIT_COMMITTER_EMAIL: "b@b.invalid",
    };
    await sh(
      "git init -q -b main seed && cd seed && for i in 1 2 3 4 5; do echo $i > f$i.txt; git add .; git commit -qm c$i; done && echo x > f1.txt",
      { cwd: dir, env },
    );
    const repos = Array.from({ length: n }, (_, i) => join(dir, `r${i}`));
    await sh(repos.map((r) => `cp -r seed ${r}`).join(" && "), { cwd: dir });

    const gitEnv = { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" };
    const contenders: { name: string; one: (repo: string) => Promise<unknown> }[] = [
      {
        name: "Deno.Command().output()",
        one: (repo) =>
          new Deno.Command("git", {
            args: ["-C", repo, ...ARGS],
            stdout: "piped",
            stderr: "piped",
            detached: true,
          }).output(),
      },
      {
        name: "setsid + output()",
        one: (repo) =>
          new Deno.Command("setsid", {
            args: ["git", "-C", repo, ...ARGS],
            stdout: "piped",
            stderr: "piped",
          }).output(),
      },
      { name: "run()", one: (repo) => mod.run(["git", "-C", repo, ...ARGS]) },
      {
        name: "run() env + timeout",
        one: (repo) => mod.run(["git", ...ARGS], { cwd: repo, env: gitEnv, timeoutMs: 60_000 }),
      },
      {
        name: "run() no group",
        one: (repo) => mod.run(["git", "-C", repo, ...ARGS], { newProcessGroup: false }),
      },
      {
        name: "run() onLine",
        one: (repo) => mod.run(["git", "-C", repo, ...ARGS], { onLine: () => {} }),
      },
    ];
    const cpu = new Map(contenders.map((c) => [c.name, 0]));
    const once = async (c: (typeof contenders)[number]) => {
      const c0 = processCpuMs();
      const t0 = performance.now();
      const results = await mod.pool(repos, c.one, { limit: jobs });
      const ms = performance.now() - t0;
      cpu.set(c.name, cpu.get(c.name)! + processCpuMs() - c0);
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return ms;
    };
    for (const c of contenders) await once(c);
    for (const c of contenders) cpu.set(c.name, 0);
    const times = new Map(contenders.map((c) => [c.name, [] as number[]]));
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(r + k) % contenders.length];
        times.get(c.name)!.push(await once(c));
      }
    }
    const base = median(times.get(contenders[0].name)!);
    const baseCpu = cpu.get(contenders[0].name)! / runs;
    console.log(
      markdownTable(
        ["variant", "median ms", "min ms", "ratio", "CPU ms per run (user+sys)", "CPU ratio"],
        contenders.map((c) => {
          const t = times.get(c.name)!;
          const perRun = cpu.get(c.name)! / runs;
          return [
            c.name,
            fmt(median(t), 0),
            fmt(Math.min(...t), 0),
            `${fmt(median(t) / base, 2)}×`,
            fmt(perRun, 0),
            `${fmt(perRun / Math.max(1, baseCpu), 2)}×`,
          ];
        }),
      ) +
        "\n\nCPU: this process and every git it waited for (/proc/self/stat, 10 ms ticks), " +
        "averaged over the runs",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await run(Deno.args);
