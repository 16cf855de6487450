/**
 * Run the command line: parse, build the context, load the one command's
 * code, map errors to exit codes. Each command's code is imported only when
 * it runs, so a command pays at start-up only for what it uses.
 *
 * @module
 */
import { ExitCode, WrknvError } from "../errors.ts";
import { runtime } from "../runtime.ts";
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
    const ctx = makeContext(parsed.globals as GlobalOptions, controller.signal);
    if (ctx.cwd !== Deno.cwd()) {
      try {
        if (!(await Deno.stat(ctx.cwd)).isDirectory) throw new Error();
      } catch {
        const { ConfigError } = await import("../errors.ts");
        throw new ConfigError(`-C ${parsed.globals.directory}: no such directory`);
      }
    }
    const body = await command.load();
    const code = await body(ctx, parsed.options, ...parsed.args);
    return stop.received()?.code ?? code;
  } catch (error) {
    return reportError(error, { verbose, stopped: stop.received() });
  } finally {
    stop.remove();
  }
}

/** The signals that stop a run, and the exit code each gives (128 + its number). */
const STOP_SIGNALS = [
  ["SIGINT", ExitCode.interrupted],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
] as const;

/**
 * Treat SIGINT, SIGTERM and SIGHUP alike: the first aborts `controller`, so
 * every operation ends its child process groups, removes what it made and
 * releases its locks; a second one quits at once. Returns what came (its exit
 * code and how to say it) and a way to stop listening.
 */
function onStopSignals(controller: AbortController) {
  let received: { code: number; what: string } | undefined;
  const listeners: [Deno.Signal, () => void][] = [];
  for (const [name, code] of STOP_SIGNALS) {
    const listener = () => {
      if (received !== undefined) Deno.exit(received.code);
      const what = name === "SIGINT" ? "interrupted" : `stopped by ${name}`;
      received = { code, what };
      const again = name === "SIGINT" ? "press Ctrl-C again" : `send ${name} again`;
      runtime.writeErr(`\n${what}: stopping (${again} to quit at once)\n`);
      controller.abort(new WrknvError(what, { exitCode: code }));
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

function reportError(
  error: unknown,
  options: { verbose: boolean; stopped?: { code: number; what: string } },
): number {
  if (options.stopped) {
    runtime.writeErr(`${options.stopped.what}\n`);
    return options.stopped.code;
  }
  if (error instanceof WrknvError) {
    runtime.writeErr(`error: ${error.message}\n`);
    if (error.hint) runtime.writeErr(`hint: ${error.hint}\n`);
    if (options.verbose && error.stack) runtime.writeErr(error.stack + "\n");
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  runtime.writeErr(`error: ${message.split("\n")[0]}\n`);
  // The file system said no (EPERM, EACCES, ENOSPC, EROFS, EDQUOT): not a bug in wrknv.
  const refused = /\(os error (1|13|28|30|122)\)/.test(message);
  if (refused && !options.verbose) {
    runtime.writeErr(
      "hint: check the permissions of that path, and that its file system is writable and not full\n",
    );
  } else if (options.verbose && error instanceof Error && error.stack) {
    runtime.writeErr(error.stack + "\n");
  } else {
    runtime.writeErr("hint: this is a bug in wrknv; run again with -v for details and report it\n");
  }
  return ExitCode.failed;
}
