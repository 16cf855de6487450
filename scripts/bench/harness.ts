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
}

/** The measurements of one contender. */
export interface Measured {
  /** Contender name. */
  name: string;
  /** Wall-clock times in ms. */
  times: number[];
  /** Median ms. */
  median: number;
}

/** Run one command, discarding output; returns ms, or throws on failure. */
export async function timeOnce(c: Contender): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(c.cmd[0], {
    args: c.cmd.slice(1),
    cwd: c.cwd,
    env: c.env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(
      `${c.name} failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr).slice(-500)}`,
    );
  }
  return ms;
}

/** Round robin: each run visits every contender once, in a rotating order. */
export async function compare(
  contenders: Contender[],
  options: { runs: number; warmup?: number },
): Promise<Measured[]> {
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let w = 0; w < (options.warmup ?? 1); w++) {
    for (const c of contenders) {
      await c.before?.();
      await timeOnce(c);
    }
  }
  for (let run = 0; run < options.runs; run++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(run + k) % contenders.length];
      await c.before?.();
      const ms = await timeOnce(c);
      await c.check?.();
      times.get(c.name)!.push(ms);
    }
  }
  return contenders.map((c) => ({
    name: c.name,
    times: times.get(c.name)!,
    median: median(times.get(c.name)!),
  }));
}

/** A Markdown table of medians and ratios to `baseline`. */
export function report(results: Measured[], baseline: string): string {
  const base = results.find((r) => r.name === baseline)!.median;
  return markdownTable(
    ["command", "median ms", "min ms", "ratio to " + baseline],
    results.map((r) => [
      r.name,
      fmt(r.median, 0),
      fmt(Math.min(...r.times), 0),
      `${fmt(r.median / base, 2)}×`,
    ]),
  );
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
