/**
 * `wrknv exec -- CMD ARGS...`: run a command in every sibling's directory,
 * in parallel, each sibling's output kept together.
 *
 * @module
 */
import type { Sibling, Workspace } from "../config/types.ts";
import { pool, run } from "../proc/mod.ts";
import { type Selection, selectSiblings } from "./select.ts";

/** One sibling's run. */
export interface ExecResult {
  /** Sibling name. */
  name: string;
  /** Absolute path. */
  path: string;
  /** ran, missing (not cloned), skipped (an earlier failure stopped the run), interrupted. */
  status: "ran" | "missing" | "skipped" | "interrupted";
  /** Exit code (when it ran). */
  code?: number;
  /** Captured standard output. */
  stdout: string;
  /** Captured standard error. */
  stderr: string;
  /** Milliseconds. */
  durationMs?: number;
  /** Why it could not start. */
  error?: string;
}

/** Options for {@link execAll}. */
export interface ExecOptions {
  /** Which siblings. */
  selection?: Selection;
  /** At once (default 4). */
  jobs?: number;
  /** Run everything even after a failure. */
  keepGoing?: boolean;
  /** A shell command instead of an argument list. */
  shell?: string;
  /** More environment for every command (e.g. an activated venv). */
  env?: Record<string, string>;
  /** Each sibling's result as soon as it ends (for buffered blocks). */
  onResult?: (result: ExecResult) => void;
  /** Each line as it comes (for --stream). */
  onLine?: (sibling: string, line: string, stream: "stdout" | "stderr") => void;
  /** Cancels. */
  signal?: AbortSignal;
}

/** The default parallelism of `exec`. */
export const EXEC_JOBS = 4;

/** Run `argv` (or `options.shell`) in each selected sibling. Results in file order. */
export async function execAll(
  ws: Workspace,
  argv: string[],
  options: ExecOptions = {},
): Promise<ExecResult[]> {
  const siblings = selectSiblings(ws, options.selection);
  const cmd = options.shell !== undefined ? ["sh", "-c", options.shell] : argv;
  let failed = false;
  const one = async (s: Sibling): Promise<ExecResult> => {
    const base = { name: s.name, path: s.path, stdout: "", stderr: "" };
    try {
      // Synchronous: microseconds, where an asynchronous call waits for a worker thread.
      if (!Deno.statSync(s.path).isDirectory) throw new Error("not a directory");
    } catch {
      return { ...base, status: "missing", error: "not cloned" };
    }
    if (failed && !options.keepGoing) return { ...base, status: "skipped" };
    if (options.signal?.aborted) return { ...base, status: "interrupted" };
    const onLine = options.onLine;
    const r = await run(cmd, {
      cwd: s.path,
      env: {
        ...options.env,
        WRKNV_SIBLING: s.name,
        WRKNV_SIBLING_PATH: s.path,
        WRKNV_WORKSPACE: ws.configDir,
      },
      signal: options.signal,
      onLine: onLine ? (line, stream) => onLine(s.name, line, stream) : undefined,
    });
    if (r.aborted) return { ...base, status: "interrupted", stdout: r.stdout, stderr: r.stderr };
    if (r.code !== 0) failed = true;
    return {
      ...base,
      status: "ran",
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
    };
  };
  const settled = await pool(siblings, async (s) => {
    let result: ExecResult;
    try {
      result = await one(s);
    } catch (error) {
      failed = true;
      result = {
        name: s.name,
        path: s.path,
        status: "ran",
        code: 127,
        stdout: "",
        stderr: "",
        error: (error as Error).message,
      };
    }
    options.onResult?.(result);
    return result;
  }, { limit: options.jobs ?? EXEC_JOBS, signal: options.signal });
  return settled.map((r, i) =>
    r.status === "fulfilled" ? r.value : {
      name: siblings[i].name,
      path: siblings[i].path,
      status: "interrupted" as const,
      stdout: "",
      stderr: "",
    }
  );
}
