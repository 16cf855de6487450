/**
 * Watching processes and waiting for things in tests, with deadlines long
 * enough for a loaded 2-core machine: a deadline only stops a test that would
 * otherwise hang, it never decides a result by speed.
 *
 * @module
 */
import { run, type RunOptions, type RunResult } from "../../src/proc/mod.ts";

/**
 * Run a command a test needs to succeed (set-up, not the thing under test):
 * its result, or an error naming the command and the last line it printed.
 */
export async function runOk(cmd: string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, { timeoutMs: 120_000, ...options });
  if (r.code !== 0) {
    const last = (r.stderr.trim() || r.stdout.trim()).split("\n").pop();
    const how = r.timedOut ? "timed out" : `exited with ${r.code}`;
    throw new Error(`${cmd.join(" ")} ${how}${last ? `: ${last}` : ""}`);
  }
  return r;
}

/** True while the process exists and is not a zombie (PID 1 here may never reap orphans). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Wait until none of `pids` is alive, or `ms` passed; returns those still alive. */
export async function waitDead(pids: number[], ms = 30_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (true) {
    const alive: number[] = [];
    for (const p of pids) if (await isAlive(p)) alive.push(p);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Live processes (not this one) whose command line contains `text`, as "pid: cmdline". */
export async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const cmd = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " ");
      if (cmd.includes(text) && await isAlive(Number(e.name))) found.push(`${e.name}: ${cmd}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Wait until no live process mentions `text` (or `ms` passed); returns those left. */
export async function waitNoneMentioning(text: string, ms = 30_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  while (true) {
    const found = await processesMentioning(text);
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Poll `check` until it returns true; throws `what` after `ms` (a minute by
 * default: a guard against a hang, not a measure of speed).
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
