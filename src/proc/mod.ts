/**
 * The one place that spawns processes. Everything else asks {@linkcode run}.
 *
 * - Environment: `env` is merged over the current environment; a value of
 *   `undefined` removes a variable.
 * - Cancellation: an `AbortSignal` or a `timeoutMs` ends the command's whole
 *   process group (SIGTERM, then SIGKILL after a short grace). Each command
 *   runs in a process group of its own (a new session, made by the `setsid`
 *   program where there is one, which is far cheaper than Deno's `detached`),
 *   so the helpers it spawns (git-remote-http, ssh, index-pack, ...) end with
 *   it. A command that reads the terminal (`stdin: "inherit"`) stays in
 *   wrknv's group instead, since a new session has no controlling terminal;
 *   only the command itself is signalled then.
 * - Because children run in their own groups, a Ctrl-C at the terminal reaches
 *   wrknv only: the CLI (src/cli/mod.ts) turns it, SIGTERM and SIGHUP into an
 *   abort of the signal every operation passes down to here.
 *   Groups still running when wrknv exits are killed on `unload`.
 *
 * @module
 */
import { resolve as resolvePath } from "node:path";
import { WrknvError } from "../errors.ts";

export { pool } from "./pool.ts";
export { which } from "./which.ts";

/** How a child's standard output or error is handled. */
export type OutputMode = "capture" | "inherit" | "null";

/** Options for {@linkcode run}. */
export interface RunOptions {
  /** Working directory; the current one when unset. */
  cwd?: string;
  /** Variables merged over the current environment. A value of `undefined` removes the variable. */
  env?: Record<string, string | undefined>;
  /** Aborting it ends the command's process group; the result has `aborted: true`. */
  signal?: AbortSignal;
  /** End the command's process group after this many milliseconds; the result has `timedOut: true`. */
  timeoutMs?: number;
  /**
   * Standard input: `"null"` (default), `"inherit"` (the terminal), any other
   * string is written to the child and closed. To pipe the literal text
   * "null" or "inherit", pass `{ data }`.
   */
  stdin?: "null" | "inherit" | string | { data: string | Uint8Array };
  /** Standard output: captured (default), inherited or discarded. */
  stdout?: OutputMode;
  /** Standard error: captured (default), inherited or discarded. */
  stderr?: OutputMode;
  /** Called for each line of captured output as it arrives (the text is still captured). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Milliseconds between SIGTERM and SIGKILL when a command is cancelled (default 1500). */
  killGraceMs?: number;
  /**
   * Run the command in a process group of its own, so cancelling it ends all
   * its descendants. Default: true, except when `stdin` is `"inherit"`. (It
   * costs one more exec per command, of the `setsid` program: about 0.3 ms.)
   */
  newProcessGroup?: boolean;
}

/** How a command ended, and what it printed. */
export interface RunResult {
  /**
   * Exit code; 128 + N when ended by signal N; -1 when the command never
   * started because the signal was already aborted.
   */
  code: number;
  /** The signal that ended the command (e.g. `"SIGKILL"`), or null. */
  signal: string | null;
  /** Captured standard output ("" when not captured). */
  stdout: string;
  /** Captured standard error ("" when not captured). */
  stderr: string;
  /** True when the command was ended because `timeoutMs` passed. */
  timedOut: boolean;
  /** True when the command was ended (or never started) because the signal aborted. */
  aborted: boolean;
  /** Wall-clock milliseconds from start to end. */
  durationMs: number;
}

const DEFAULT_GRACE_MS = 1500;

/** Process group ids (or, for commands in wrknv's own group, child processes) still running. */
const live = new Map<number, { child: Deno.ChildProcess; group: boolean }>();
let unloadHooked = false;

function hookUnload(): void {
  if (unloadHooked) return;
  unloadHooked = true;
  globalThis.addEventListener("unload", () => {
    for (const { child, group } of live.values()) sendSignal(child, group, "SIGKILL");
  });
}

const decoder = new TextDecoder();

/**
 * Run a command and wait for it to end. `cmd[0]` is looked up on PATH.
 *
 * Never throws for a failed command: its result says how it ended. Throws a
 * {@linkcode WrknvError} when the command cannot be started (for example
 * `git not found on PATH`).
 *
 * @example
 * ```ts
 * const r = await run(["git", "--version"], { timeoutMs: 5000 });
 * if (r.code === 0) console.log(r.stdout.trim());
 * ```
 */
export async function run(cmd: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  if (cmd.length === 0 || cmd[0] === "") throw new WrknvError("No command to run");
  const [program, ...args] = cmd;
  const { signal } = options;

  if (signal?.aborted) {
    return {
      code: -1,
      signal: null,
      stdout: "",
      stderr: "",
      timedOut: false,
      aborted: true,
      durationMs: 0,
    };
  }

  const stdinOpt = options.stdin ?? "null";
  let input: string | Uint8Array | undefined;
  let stdinMode: "null" | "inherit" | "piped";
  if (typeof stdinOpt === "object") {
    input = stdinOpt.data;
    stdinMode = "piped";
  } else if (stdinOpt === "null" || stdinOpt === "inherit") {
    stdinMode = stdinOpt;
  } else {
    input = stdinOpt;
    stdinMode = "piped";
  }
  const useGroup = (options.newProcessGroup ?? stdinMode !== "inherit") &&
    Deno.build.os !== "windows";
  const outMode = options.stdout ?? "capture";
  const errMode = options.stderr ?? "capture";
  const { child, recheck } = spawn(program, args, {
    cwd: options.cwd,
    env: buildEnv(options.env),
    stdin: stdinMode,
    stdout: outMode === "capture" ? "piped" : outMode,
    stderr: errMode === "capture" ? "piped" : errMode,
    group: useGroup,
  });
  hookUnload();
  live.set(child.pid, { child, group: useGroup });

  let timedOut = false;
  let aborted = false;
  let killing: Promise<void> | undefined;
  const status = child.status;
  const graceMs = options.killGraceMs ?? DEFAULT_GRACE_MS;
  // Once the command is killed, its output pipes get one more grace to close:
  // a descendant that escaped the kill must not keep wrknv waiting forever.
  const stopReading = new AbortController();
  let stopTimer: ReturnType<typeof setTimeout> | undefined;
  const terminate = () => {
    killing ??= killTree(child, { group: useGroup, graceMs, status }).then(() => {
      stopTimer = setTimeout(() => stopReading.abort(), graceMs);
    });
  };
  const onAbort = () => {
    if (!killing) aborted = true;
    terminate();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    if (!killing) timedOut = true;
    terminate();
  }, Math.max(0, options.timeoutMs));

  let callbackError: unknown;
  let callbackFailed = false;
  const userOnLine = options.onLine;
  const onLine = userOnLine === undefined ? undefined : (line: string, s: "stdout" | "stderr") => {
    if (callbackFailed) return;
    try {
      userOnLine(line, s);
    } catch (error) {
      callbackFailed = true;
      callbackError = error;
    }
  };

  let st: Deno.CommandStatus;
  let stdout = "";
  let stderr = "";
  try {
    const feeding = stdinMode === "piped"
      ? feed(child.stdin, input ?? "", stopReading.signal)
      : undefined;
    if (onLine === undefined) {
      // Nothing to stream: let Deno collect both pipes natively (reading them
      // through JS streams cost ~0.15 ms of the main thread per command). A
      // descendant that outlives the kill (one that left the group on
      // purpose, or any, for a command in wrknv's own group) can hold a pipe
      // open; then the output is given up (and its pending reads unref'd, so
      // wrknv can still exit).
      const out = await collectNatively(child, stopReading.signal);
      st = out ?? await status;
      if (out !== undefined) {
        if (outMode === "capture") stdout = decoder.decode(out.stdout);
        if (errMode === "capture") stderr = decoder.decode(out.stderr);
      }
    } else {
      [st, stdout, stderr] = await Promise.all([
        status,
        outMode === "capture"
          ? collect(child.stdout, { name: "stdout", onLine, stop: stopReading.signal })
          : "",
        errMode === "capture"
          ? collect(child.stderr, { name: "stderr", onLine, stop: stopReading.signal })
          : "",
      ]);
    }
    await feeding;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    await killing;
    if (stopTimer !== undefined) clearTimeout(stopTimer);
    signal?.removeEventListener("abort", onAbort);
    live.delete(child.pid);
  }
  if (callbackFailed) throw callbackError;
  if (st.code === 127 && recheck) recheck();

  return {
    code: st.code,
    signal: st.signal,
    stdout,
    stderr,
    timedOut,
    aborted,
    durationMs: performance.now() - started,
  };
}

/**
 * `child.output()`, or undefined once `stop` aborts first (its reads are then
 * abandoned and unref'd).
 */
function collectNatively(
  child: Deno.ChildProcess,
  stop: AbortSignal,
): Promise<Deno.CommandOutput | undefined> {
  const output = child.output();
  return new Promise((resolve, reject) => {
    const onStop = () => {
      output.catch(() => {});
      child.unref();
      resolve(undefined);
    };
    stop.addEventListener("abort", onStop, { once: true });
    output.then(resolve, reject).finally(() => stop.removeEventListener("abort", onStop));
  });
}

/**
 * Start `program`. A new process group comes from the `setsid` program when
 * there is one: Deno's own `detached` forks the whole runtime for each command
 * (milliseconds for a large process), while a plain spawn is a cheap
 * `posix_spawn` and `setsid` just calls setsid(2) and execs the program. The
 * program is then checked here (see {@linkcode programFor}) so a missing one
 * is still a clear spawn error.
 */
function spawn(
  program: string,
  args: string[],
  options: {
    cwd: string | undefined;
    env: { vars: Record<string, string> | undefined; clear: boolean };
    stdin: "null" | "inherit" | "piped";
    stdout: "piped" | "inherit" | "null";
    stderr: "piped" | "inherit" | "null";
    group: boolean;
  },
): { child: Deno.ChildProcess; recheck?: () => void } {
  const { cwd, env, group } = options;
  try {
    const launcher = group ? setsidLauncher() : null;
    const target = launcher === null ? undefined : programFor(program, cwd, env);
    const child = new Deno.Command(launcher ?? program, {
      args: target === undefined ? args : [target.arg, ...args],
      cwd,
      env: env.vars,
      clearEnv: env.clear,
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      detached: group && launcher === null,
    }).spawn();
    const check = target?.recheck;
    const recheck = check && (() => {
      try {
        check();
      } catch (error) {
        throw spawnError(program, cwd, error);
      }
    });
    return { child, recheck };
  } catch (error) {
    throw spawnError(program, cwd, error);
  }
}

// The setsid program, once looked up (null: none, or not to be used).
let setsidPath: string | null | undefined;

/**
 * The `setsid` program, when there is one and any program may run: with a
 * list of allowed programs, Deno has to see (and check) each program itself.
 */
function setsidLauncher(): string | null {
  if (setsidPath !== undefined) return setsidPath;
  setsidPath = null;
  try {
    if (Deno.permissions.querySync({ name: "run" }).state === "granted") {
      setsidPath = findExecutable("setsid", processPath());
    }
  } catch {
    // No permission answer: keep Deno's detached spawn.
  }
  return setsidPath;
}

function processPath(): string {
  try {
    return Deno.env.get("PATH") ?? "";
  } catch {
    return "";
  }
}

// Names already found on PATH, by name and PATH.
const onPath = new Set<string>();
// Whether each PATH seen has only absolute entries.
const absolutePaths = new Map<string, boolean>();

/**
 * What to hand `setsid` for `program`, or a spawn-like error (NotFound,
 * PermissionDenied) when it cannot run. A name is checked on PATH once per
 * PATH and then passed on as it is, so `setsid` searches PATH itself (as
 * Deno would have: the first executable). It is passed found instead when the
 * child has no PATH (Deno then searches the current one) or one with an empty
 * or relative entry (which `setsid` would search in the child's directory,
 * Deno never). A path is checked every time and passed absolute. `recheck`
 * throws the spawn error when a name passed on is no longer on PATH.
 */
function programFor(
  program: string,
  cwd: string | undefined,
  env: { vars: Record<string, string> | undefined; clear: boolean },
): { arg: string; recheck?: () => void } {
  if (!program.includes("/")) {
    const childPath = env.vars?.PATH ?? (env.clear ? undefined : processPath());
    const pathVar = childPath ?? processPath();
    const plain = childPath !== undefined && allAbsolute(childPath);
    const key = `${program}\0${pathVar}`;
    // After an exit code 127 (setsid: "failed to execute"): was it gone?
    const recheck = () => {
      if (findExecutable(program, pathVar) !== null) return;
      onPath.delete(key);
      throw new Deno.errors.NotFound(`Failed to spawn '${program}': entity not found`);
    };
    if (plain && onPath.has(key)) return { arg: program, recheck };
    const found = findExecutable(program, pathVar);
    if (found !== null) {
      if (!plain) return { arg: found };
      onPath.add(key);
      return { arg: program, recheck };
    }
  } else {
    const path = resolvePath(cwd ?? Deno.cwd(), program);
    const state = executableState(path);
    if (state === "ok") return { arg: path };
    if (state === "denied") {
      throw new Deno.errors.PermissionDenied(`Failed to spawn '${program}': Permission denied`);
    }
  }
  if (cwd !== undefined && !isDirectory(cwd)) {
    throw new Deno.errors.NotFound(`Failed to spawn '${program}': No such cwd '${cwd}'`);
  }
  throw new Deno.errors.NotFound(`Failed to spawn '${program}': entity not found`);
}

function allAbsolute(pathVar: string): boolean {
  let all = absolutePaths.get(pathVar);
  if (all === undefined) {
    all = pathVar.split(":").every((dir) => dir.startsWith("/"));
    absolutePaths.set(pathVar, all);
  }
  return all;
}

/** The first executable file `name` in the PATH directories (empty entries skipped), or null. */
function findExecutable(name: string, pathVar: string): string | null {
  for (const dir of pathVar.split(":")) {
    if (dir === "") continue;
    const candidate = resolvePath(dir, name);
    if (executableState(candidate) === "ok") return candidate;
  }
  return null;
}

/** Whether `path` is an executable file ("ok"), something that cannot be run, or missing. */
function executableState(path: string): "ok" | "denied" | "missing" {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    return error instanceof Deno.errors.PermissionDenied ? "denied" : "missing";
  }
  return info.isFile && (info.mode === null || (info.mode & 0o111) !== 0) ? "ok" : "denied";
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function buildEnv(
  env: Record<string, string | undefined> | undefined,
): { vars: Record<string, string> | undefined; clear: boolean } {
  if (env === undefined) return { vars: undefined, clear: false };
  const removes = Object.values(env).some((v) => v === undefined);
  if (!removes) return { vars: env as Record<string, string>, clear: false };
  // Deno cannot unset one inherited variable, so pass the whole environment.
  const vars: Record<string, string> = Deno.env.toObject();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete vars[k];
    else vars[k] = v;
  }
  return { vars, clear: true };
}

function spawnError(program: string, cwd: string | undefined, error: unknown): WrknvError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Deno.errors.NotFound) {
    if (cwd !== undefined && /cwd/i.test(message)) {
      return new WrknvError(`Working directory ${cwd} does not exist`, { cause: error });
    }
    const where = program.includes("/")
      ? `${program} does not exist`
      : `${program} not found on PATH`;
    return new WrknvError(where, {
      cause: error,
      hint: program.includes("/") ? undefined : `Install ${program} or add it to PATH`,
    });
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new WrknvError(`${program} cannot be run: permission denied`, { cause: error });
  }
  return new WrknvError(`Could not start ${program}: ${message}`, { cause: error });
}

function sendSignal(child: Deno.ChildProcess, group: boolean, sig: Deno.Signal): void {
  if (group) {
    try {
      Deno.kill(-child.pid, sig);
      return;
    } catch {
      // No such group: gone, or not made yet (setsid has not run): signal the child itself.
    }
  }
  try {
    child.kill(sig);
  } catch {
    // Already gone.
  }
}

/** SIGTERM the group, wait for the leader up to the grace, then SIGKILL whatever is left. */
async function killTree(
  child: Deno.ChildProcess,
  options: { group: boolean; graceMs: number; status: Promise<Deno.CommandStatus> },
): Promise<void> {
  sendSignal(child, options.group, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    options.status,
    new Promise<void>((resolve) => timer = setTimeout(resolve, options.graceMs)),
  ]);
  clearTimeout(timer);
  // The leader is gone or would not stop: anything left in its group is a straggler.
  sendSignal(child, options.group, "SIGKILL");
}

async function feed(
  stream: WritableStream<Uint8Array>,
  data: string | Uint8Array,
  stop: AbortSignal,
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const writer = stream.getWriter();
  const abort = () => writer.abort().catch(() => {});
  stop.addEventListener("abort", abort, { once: true });
  try {
    await writer.write(bytes);
    await writer.close();
  } catch {
    // The child closed its input early (broken pipe) or was ended: not our failure.
  } finally {
    stop.removeEventListener("abort", abort);
  }
}

async function collect(
  stream: ReadableStream<Uint8Array>,
  options: {
    name: "stdout" | "stderr";
    onLine: ((line: string, stream: "stdout" | "stderr") => void) | undefined;
    stop: AbortSignal;
  },
): Promise<string> {
  const { name, onLine, stop } = options;
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  const cancel = () => reader.cancel().catch(() => {});
  stop.addEventListener("abort", cancel, { once: true });
  let text = "";
  let pending = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const s = decoder.decode(value, { stream: true });
      text += s;
      if (onLine) {
        const split = splitLines(pending + s);
        for (const line of split.lines) onLine(line, name);
        pending = split.rest;
      }
    }
  } finally {
    stop.removeEventListener("abort", cancel);
    reader.releaseLock();
  }
  const tail = decoder.decode();
  text += tail;
  if (onLine) {
    const split = splitLines(pending + tail);
    for (const line of split.lines) onLine(line, name);
    const rest = split.rest.replace(/\r$/, "");
    if (rest.length > 0) onLine(rest, name);
  }
  return text;
}

/**
 * Split text into complete lines at `\n`, `\r\n` or a lone `\r` (git's
 * progress lines), returning the unfinished remainder. A trailing `\r` stays
 * in the remainder, since a `\n` may follow in the next chunk.
 */
export function splitLines(text: string): { lines: string[]; rest: string } {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lines.push(text.slice(start, i));
      start = i + 1;
    } else if (c === 13) {
      if (i + 1 === text.length) break;
      lines.push(text.slice(start, i));
      if (text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  return { lines, rest: text.slice(start) };
}
