/**
 * The command tree. Each command's code is imported only when it runs, so
 * every command pays only for what it uses at start-up.
 *
 * @module
 */
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import { ExitCode, WrknvError } from "../errors.ts";
import { runtime } from "../runtime.ts";
import { type Context, type GlobalOptions, makeContext } from "./context.ts";
import { VERSION } from "../version.ts";

/** A command's body: returns the exit code. */
type Body<O, A extends unknown[]> = (ctx: Context, opts: O, ...args: A) => Promise<number>;

/** State shared between the program and `main`. */
interface Run {
  code: number;
  signal: AbortSignal;
}

function withContext<O, A extends unknown[]>(
  run: Run,
  load: () => Promise<Body<O, A>>,
  // deno-lint-ignore no-explicit-any
): (...all: any[]) => Promise<void> {
  return async (...all: unknown[]) => {
    // commander passes the positional arguments, then the options, then the command.
    const command = all[all.length - 1] as Command;
    const opts = all[all.length - 2] as O;
    const args = all.slice(0, -2) as A;
    const ctx = makeContext(command.optsWithGlobals() as GlobalOptions, run.signal);
    const body = await load();
    run.code = await body(ctx, opts, ...args);
  };
}

const SELECTION_HELP = "comma-separated sibling names";

/** Add --only/--group/--layer to a command. */
function withSelection<
  C extends Command<unknown[], Record<string, unknown>, Record<string, unknown>>,
>(
  cmd: C,
) {
  return cmd
    .option("--only <names>", SELECTION_HELP)
    .option("--group <group>", "only siblings in this group")
    .option("--layer <layer>", "only siblings in this layer");
}

/** Build the program. Exported for the completions generator and for tests. */
export function buildProgram(run: Run = { code: 0, signal: new AbortController().signal }) {
  const program = new Command()
    .name("wrknv")
    .description("One workspace from many git repositories: clone, set up a shared venv, validate.")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .addHelpCommand(false)
    .option("-C, --directory <dir>", "run as if started in <dir>")
    .option("--config <file>", "use this wrknv.toml instead of searching for one")
    .option("--json", "print one JSON document on stdout")
    .option("-q, --quiet", "print less")
    .option("-v, --verbose", "print more, and stack traces on errors")
    .option("--no-color", "no colours (also NO_COLOR)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => runtime.writeOut(s),
      writeErr: (s) => runtime.writeErr(s),
    });

  program.command("config")
    .description("print the resolved workspace")
    .addHelpText(
      "after",
      "\nExamples:\n  wrknv config\n  wrknv config --json | jq '.siblings[].path'",
    )
    .action(withContext(run, async () => (await import("./config.ts")).configCommand));

  program.command("schema")
    .description("print the JSON Schema of wrknv.toml, for editors")
    .addHelpText("after", "\nExamples:\n  wrknv schema > wrknv.schema.json")
    .action(withContext(run, async () => (await import("./schema.ts")).schemaCommand));

  program.command("add")
    .description("add a sibling to wrknv.toml, keeping its comments")
    .argument("<url>", "the sibling's clone URL")
    .option("--name <name>", "its name (default: from the URL)")
    .option("--path <path>", "where it lives (default: <root>/<name>)")
    .option("--layer <layer>", "its layer")
    .option("--group <group...>", "its groups")
    .option("--revision <rev>", "a branch, tag or commit to check out")
    .option("--depends-on <name...>", "siblings to install before it")
    .option("--no-install", "not a Python package: clone it, do not install it")
    .addHelpText(
      "after",
      "\nExamples:\n  wrknv add https://github.com/org/lib.git --layer foundation\n  wrknv add git@github.com:org/docs.git --no-install",
    )
    .action(withContext(run, async () => (await import("./edit.ts")).addCommand));

  program.command("remove")
    .description("remove a sibling from wrknv.toml (its files stay)")
    .argument("<name>", "the sibling's name")
    .addHelpText("after", "\nExamples:\n  wrknv remove old-lib")
    .action(withContext(run, async () => (await import("./edit.ts")).removeCommand));

  withSelection(program.command("bootstrap"))
    .description("clone every missing sibling, in parallel, safely and resumably")
    .option("-j, --jobs <n>", "clones at once (default 8)")
    .option("--retry <n>", "retries of a transient network failure (default 2)")
    .option("--timeout <seconds>", "give up on one clone after this long")
    .option("--depth <n>", "shallow clones of this depth")
    .option("--filter <spec>", "partial clones, e.g. blob:none")
    .option("--reference <dir>", "borrow objects from <dir>/<name>.git where it exists")
    .option("--link-from <dir>", "symlink <dir>/<name> into place where it is a clone")
    .option("--locked", "check out the commits in wrknv.lock")
    .addHelpText(
      "after",
      "\nExamples:\n  wrknv bootstrap\n  wrknv bootstrap --only provide-foundation,provide-testkit --depth 1\n  wrknv bootstrap --locked --json",
    )
    .action(withContext(run, async () => (await import("./bootstrap.ts")).bootstrapCommand));

  withSelection(program.command("setup"))
    .description("make the shared venv and install every sibling editable, in dependency order")
    .option("--offline", "install from --find-links directories only (--no-index)")
    .option("--find-links <dir...>", "wheel directories (implies --offline)")
    .option("--recreate", "remove the venv and make it again")
    .option("--no-hooks", "do not run the workspace's hooks")
    .option("--force", "reinstall even when everything is up to date")
    .addHelpText(
      "after",
      "\nExamples:\n  wrknv setup\n  wrknv setup --offline --find-links ./wheels\n  wrknv setup --recreate",
    )
    .action(withContext(run, async () => (await import("./setup.ts")).setupCommand));

  program.command("trust")
    .description("allow this wrknv.toml's hooks to run (until the file changes)")
    .option("-y, --yes", "trust without asking")
    .option("--revoke", "forget the trust")
    .addHelpText("after", "\nExamples:\n  wrknv trust\n  wrknv trust --revoke")
    .action(withContext(run, async () => (await import("./setup.ts")).trustCommand));

  withSelection(program.command("status"))
    .description("branch, changes and upstream of every sibling, in a table")
    .option("--fetch", "fetch every sibling first")
    .option("-j, --jobs <n>", "git commands at once")
    .addHelpText("after", "\nExamples:\n  wrknv status\n  wrknv status --fetch --group core")
    .action(withContext(run, async () => (await import("./daily.ts")).statusCommand));

  withSelection(program.command("sync"))
    .description("fetch and fast-forward every sibling; clone the missing ones")
    .option("--rebase", "rebase diverged branches onto their upstream")
    .option("--no-clone", "do not clone missing siblings")
    .option("--locked", "check out the commits in wrknv.lock")
    .option("-j, --jobs <n>", "siblings at once")
    .addHelpText("after", "\nExamples:\n  wrknv sync\n  wrknv sync --locked")
    .action(withContext(run, async () => (await import("./daily.ts")).syncCommand));

  withSelection(program.command("exec"))
    .description("run a command in every sibling's directory, in parallel")
    .argument("[command...]", "the command and its arguments, after --")
    .option("-j, --jobs <n>", "commands at once (default 4)")
    .option("-k, --keep-going", "run in every sibling even after one fails")
    .option("--shell <script>", "run this with sh -c instead")
    .option("--stream", "print lines as they come, prefixed with the sibling")
    .addHelpText(
      "after",
      "\nExamples:\n  wrknv exec -- git log -1 --oneline\n  wrknv exec --shell 'pytest -q' --keep-going\n\nThe command sees WRKNV_SIBLING and WRKNV_SIBLING_PATH.",
    )
    .action(withContext(run, async () => (await import("./daily.ts")).execCommand));

  program.command("lock")
    .description("pin every sibling's commit in wrknv.lock")
    .addHelpText("after", "\nExamples:\n  wrknv lock && git add wrknv.lock")
    .action(withContext(run, async () => (await import("./daily.ts")).lockCommand));

  void Option;
  return program;
}

/**
 * Run wrknv with the given arguments (without the program name) and return
 * the exit code. Errors are printed as one line; stack traces only with -v or
 * WRKNV_DEBUG=1.
 */
export async function main(args: string[]): Promise<number> {
  const controller = new AbortController();
  const run: Run = { code: ExitCode.ok, signal: controller.signal };
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      runtime.writeErr("\ninterrupted: stopping (press Ctrl-C again to quit at once)\n");
      controller.abort(new WrknvError("interrupted", { exitCode: ExitCode.interrupted }));
    } else {
      Deno.exit(ExitCode.interrupted);
    }
  };
  try {
    Deno.addSignalListener("SIGINT", onInterrupt);
  } catch {
    // Signals are not available on every platform.
  }
  const verbose = args.includes("-v") || args.includes("--verbose") ||
    runtime.env("WRKNV_DEBUG") === "1";
  try {
    const program = buildProgram(run);
    await program.parseAsync(args, { from: "user" });
    return controller.signal.aborted ? ExitCode.interrupted : run.code;
  } catch (error) {
    return reportError(error, { verbose, interrupted: controller.signal.aborted });
  } finally {
    try {
      Deno.removeSignalListener("SIGINT", onInterrupt);
    } catch {
      // nothing to remove
    }
  }
}

function reportError(error: unknown, options: { verbose: boolean; interrupted: boolean }): number {
  if (error instanceof CommanderError) {
    if (
      error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
      error.code === "commander.help"
    ) {
      return ExitCode.ok;
    }
    // commander has printed its one-line message already.
    return ExitCode.usage;
  }
  if (options.interrupted) {
    runtime.writeErr("interrupted\n");
    return ExitCode.interrupted;
  }
  if (error instanceof WrknvError) {
    runtime.writeErr(`error: ${error.message}\n`);
    if (error.hint) runtime.writeErr(`hint: ${error.hint}\n`);
    if (options.verbose && error.stack) runtime.writeErr(error.stack + "\n");
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  runtime.writeErr(`error: ${message.split("\n")[0]}\n`);
  if (options.verbose && error instanceof Error && error.stack) {
    runtime.writeErr(error.stack + "\n");
  } else {
    runtime.writeErr("hint: this is a bug in wrknv; run again with -v for details and report it\n");
  }
  return ExitCode.failed;
}
