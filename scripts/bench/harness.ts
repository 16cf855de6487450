/**
 * Run several commands round robin, several times each, and report medians
 * and ratios to a baseline: the way every wrknv benchmark compares tools.
 *
 * @module
 */
import { fmt, markdownTable, median } from "./stats.ts";

/** One contender. */
export interface Contender {
  /** Shown in the table. */
  name: string;
  /** argv. */
  cmd: string[];
  /** Working directory. */
  cwd?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Run before each timed run (untimed), e.g. to remove clones. */
  before?: () => Promise<void>;
  /** Checked after each run; throws when the contender did not do the job. */
  check?: () => Promise<void>;
  /** The exit code that means it did its job (default 0). */
  exitCode?: number;
}

/** The measurements of one contender. */
export interface Measured {
  /** Contender name. */
  name: string;
  /** Wall-clock times in ms. */
  times: number[];
  /** Median ms. */
  median: number;
  /** Processor time (user + system) of the whole process tree, in ms, per run. */
  cpu: number[];
  /** Median processor ms. */
  cpuMedian: number;
}

/** One timed run: wall-clock and processor milliseconds. */
export interface Timing {
  /** Wall-clock ms, from just before the command starts to just after it ends. */
  wall: number;
  /** User ms of the command and every descendant it waited for. */
  user: number;
  /** System ms of the same. */
  sys: number;
}

// Starts the command, waits for it with wait4(2) and writes wall, user and
// system time (the whole tree the command waited for) to the file in argv[1].
// The wrapper's own start-up is outside the wall time it measures.
const TIMER = `
import json, os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.posix_spawnp(cmd[0], cmd, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(out, "w") as f:
    json.dump({"wall": wall * 1000, "user": ru.ru_utime * 1000, "sys": ru.ru_stime * 1000}, f)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
`;

/**
 * Run one command, discarding its output, and measure it (wall, user and
 * system time of its whole process tree); throws when it fails.
 */
export async function measureOnce(c: Contender): Promise<Timing> {
  const file = await Deno.makeTempFile({ prefix: "wrknv-bench-time-" });
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", TIMER, file, ...c.cmd],
      cwd: c.cwd,
      env: c.env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (out.code !== (c.exitCode ?? 0)) {
      throw new Error(
        `${c.name} failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr).slice(-500)}`,
      );
    }
    return JSON.parse(await Deno.readTextFile(file));
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/** Run one command, discarding output; returns wall-clock ms, or throws on failure. */
export async function timeOnce(c: Contender): Promise<number> {
  return (await measureOnce(c)).wall;
}

/**
 * Processor time (user + system) this process and the children it has waited
 * for have used so far, in ms (Linux, from /proc/self/stat; clock ticks, so
 * 10 ms steps), for benchmarks that run in-process. 0 elsewhere.
 */
export function processCpuMs(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime, cstime are fields 14-17 (1-based), 12-15 after the name.
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0);
    return ticks * 10;
  } catch {
    return 0;
  }
}

/** Round robin: each run visits every contender once, in a rotating order. */
export async function compare(
  contenders: Contender[],
  options: { runs: number; warmup?: number },
): Promise<Measured[]> {
  const times = new Map<string, Timing[]>(contenders.map((c) => [c.name, []]));
  for (let w = 0; w < (options.warmup ?? 1); w++) {
    for (const c of contenders) {
      await c.before?.();
      await measureOnce(c);
    }
  }
  for (let run = 0; run < options.runs; run++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(run + k) % contenders.length];
      await c.before?.();
      const t = await measureOnce(c);
      await c.check?.();
      times.get(c.name)!.push(t);
    }
  }
  return contenders.map((c) => {
    const t = times.get(c.name)!;
    const wall = t.map((x) => x.wall);
    const cpu = t.map((x) => x.user + x.sys);
    return { name: c.name, times: wall, median: median(wall), cpu, cpuMedian: median(cpu) };
  });
}

/**
 * A Markdown table of medians and ratios to `baseline`: wall-clock time, and
 * the processor time (user + system) of each contender's whole process tree.
 */
export function report(results: Measured[], baseline: string): string {
  const base = results.find((r) => r.name === baseline)!;
  return markdownTable(
    ["command", "median ms", "min ms", "ratio", "CPU ms (user+sys)", "CPU ratio"],
    results.map((r) => [
      r.name,
      fmt(r.median, 0),
      fmt(Math.min(...r.times), 0),
      `${fmt(r.median / base.median, 2)}×`,
      fmt(r.cpuMedian, 0),
      `${fmt(r.cpuMedian / Math.max(1e-9, base.cpuMedian), 2)}×`,
    ]),
  ) + `\n\nratios are to ${baseline}; medians of each contender's runs`;
}

/**
 * The wrknv to compare with, from `WRKNV_BENCH_BEFORE` (or its other name,
 * `WRKNV_BENCH_BASELINE`): the main.ts of an older checkout, so one run
 * measures before and after side by side.
 */
export function beforeMain(): string | undefined {
  return Deno.env.get("WRKNV_BENCH_BEFORE") || Deno.env.get("WRKNV_BENCH_BASELINE") || undefined;
}

/** Is a command on PATH? */
export async function have(cmd: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Install Debian packages when a command is missing (the benchmarks set up their peers). */
export async function ensureApt(packages: Record<string, string>): Promise<void> {
  const missing = [];
  for (const [cmd, pkg] of Object.entries(packages)) if (!(await have(cmd))) missing.push(pkg);
  if (!missing.length) return;
  console.error(`installing ${missing.join(" ")} with apt-get`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await new Deno.Command("apt-get", { args: ["update", "-qq"], env }).output();
  const out = await new Deno.Command("apt-get", { args: ["install", "-y", "-qq", ...missing], env })
    .output();
  if (!out.success) throw new Error(`apt-get install ${missing.join(" ")} failed`);
}

/** Run a shell command, failing loudly. */
export async function sh(
  script: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const out = await new Deno.Command("sh", {
    args: ["-c", script],
    cwd: options.cwd,
    env: options.env,
  }).output();
  if (!out.success) throw new Error(`${script}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}
