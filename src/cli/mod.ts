/**
 * Run the command line: parse, build the context, load the one command's
 * code, map errors to exit codes. Each command's code is imported only when
 * it runs, so a command pays at start-up only for what it uses.
 *
 * @module
 */
import {
  ConfigError,
  ExitCode,
  type ExitStatus,
  InterruptedError,
  STOP_CODES,
  type StopSignal,
  WrknvError,
} from "../errors.ts";
import { runtime } from "../runtime.ts";
import { printable } from "../text.ts";
import { commandHelp, parseArgs, programHelp } from "./args.ts";
import { COMMANDS, GLOBAL_OPTIONS } from "./commands.ts";
import { type GlobalOptions, makeContext } from "./context.ts";
import { VERSION } from "../version.ts";

const ABOUT =
  "wrknv: one workspace from many git repositories: clone, set up a shared venv, validate.";

/**
 * Run wrknv with the given arguments (without the program name) and return
 * the exit code. Errors are printed as one line; stack traces only with -v or
 * WRKNV_DEBUG=1.
 */
export async function main(args: string[]): Promise<number> {
  // `deno task dev -- --help` passes the "--" on: before any command it means nothing.
  if (args[0] === "--") args = args.slice(1);
  // `wrknv help status` is `wrknv status --help`, as in git and cargo.
  if (args[0] === "help") args = args.length > 1 ? [args[1], "--help"] : ["--help"];
  const controller = new AbortController();
  const stop = onStopSignals(controller);
  const verbose = args.includes("-v") || args.includes("--verbose") ||
    runtime.env("WRKNV_DEBUG") === "1";
  const ownArgs = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  const json = ownArgs.includes("--json");
  try {
    const parsed = parseArgs(args, GLOBAL_OPTIONS, COMMANDS);
    if (parsed.version && !parsed.command) {
      runtime.writeOut(`${VERSION}\n`);
      return ExitCode.ok;
    }
    if (parsed.help || !parsed.command) {
      runtime.writeOut(
        parsed.command
          ? commandHelp(parsed.command, GLOBAL_OPTIONS)
          : programHelp(ABOUT, GLOBAL_OPTIONS, COMMANDS),
      );
      return parsed.command || parsed.help ? ExitCode.ok : ExitCode.usage;
    }
    const command = COMMANDS.find((c) => c.name === parsed.command!.name)!;
    if (parsed.globals.json && command.noJson) {
      throw new ConfigError(
        `${command.name} has no JSON output (${command.noJson}); leave out --json`,
      );
    }
    const ctx = makeContext(parsed.globals as GlobalOptions, controller.signal);
    if (ctx.cwd !== Deno.cwd()) {
      try {
        if (!(await Deno.stat(ctx.cwd)).isDirectory) throw new Error();
      } catch {
        throw new ConfigError(`-C ${parsed.globals.directory}: no such directory`);
      }
    }
    const body = await command.load();
    const code = await body(ctx, parsed.options, ...parsed.args);
    return stop.received()?.code ?? code;
  } catch (error) {
    return reportError(error, { verbose, json, stopped: stop.received() });
  } finally {
    stop.remove();
  }
}

/**
 * Treat SIGINT, SIGTERM and SIGHUP alike: the first aborts `controller`, so
 * every operation ends its child process groups, removes what it made and
 * releases its locks; a second one quits at once. Returns what came (its exit
 * code and how to say it) and a way to stop listening.
 */
function onStopSignals(controller: AbortController) {
  let received: { code: number; what: string } | undefined;
  const listeners: [Deno.Signal, () => void][] = [];
  for (const [name, code] of Object.entries(STOP_CODES) as [StopSignal, ExitStatus][]) {
    const listener = () => {
      if (received !== undefined) Deno.exit(received.code);
      const what = name === "SIGINT" ? "interrupted" : `stopped by ${name}`;
      received = { code, what };
      const again = name === "SIGINT" ? "press Ctrl-C again" : `send ${name} again`;
      runtime.writeErr(`\n${what}: stopping (${again} to quit at once)\n`);
      controller.abort(new InterruptedError(what, name));
    };
    try {
      Deno.addSignalListener(name, listener);
      listeners.push([name, listener]);
    } catch {
      // Not every signal is available on every platform (Windows has SIGINT only).
    }
  }
  return {
    /** The signal that came, or undefined while none has. */
    received: () => received,
    remove() {
      for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
    },
  };
}

/** The file system said no: not a bug in wrknv. */
const REFUSALS = new Set(["EPERM", "EACCES", "ENOSPC", "EROFS", "EDQUOT"]);

/**
 * Print a failure once: `error:` and `hint:` lines on stderr, and with
 * `--json` also one JSON document on stdout (`{"ok": false, "error": ...}`),
 * so a script reading stdout always gets JSON. Returns the exit code.
 */
function reportError(
  error: unknown,
  options: { verbose: boolean; json: boolean; stopped?: { code: number; what: string } },
): number {
  let message: string;
  let hint: string | undefined;
  let code: number;
  let problems: string[] | undefined;
  if (options.stopped) {
    [message, code] = [options.stopped.what, options.stopped.code];
    runtime.writeErr(`${message}\n`);
  } else {
    if (error instanceof ConfigError && error.problems.length > 1) {
      // Every problem of the file, one line each; the hint once, after them.
      [message, hint, code] = [error.message, error.hint, error.exitCode];
      problems = error.problems;
    } else if (error instanceof WrknvError) {
      [message, hint, code] = [error.message, error.hint, error.exitCode];
    } else {
      message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      code = ExitCode.failed;
      const errno = (error as { code?: unknown } | null)?.code;
      hint = typeof errno === "string" && REFUSALS.has(errno)
        ? "check the permissions of that path, and that its file system is writable and not full"
        : options.verbose
        ? undefined
        : "this is a bug in wrknv; run again with -v for details and report it";
    }
    // Messages quote files and other programs' output: nothing in them may rewrite the terminal.
    for (const line of problems ?? [message]) {
      runtime.writeErr(`error: ${printable(line, { lines: true })}
`);
    }
    if (hint) {
      runtime.writeErr(`hint: ${printable(hint)}
`);
    }
    if (options.verbose && error instanceof Error && error.stack) {
      runtime.writeErr(error.stack + "\n");
    }
  }
  if (options.json) {
    const doc = {
      ok: false,
      error: { message, ...(hint ? { hint } : {}), exit_code: code },
      ...(problems ? { errors: problems } : {}),
    };
    runtime.writeOut(JSON.stringify(doc, null, 2) + "\n");
  }
  return code;
}
