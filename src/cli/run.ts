/**
 * `wrknv run -- CMD`: a command with the shared venv active, here or in
 * every sibling (`--each`).
 *
 * @module
 */
import { ConfigError, type ExitStatus, passOn } from "../errors.ts";
import type { Context } from "./context.ts";
import { execEach, type ExecFlags } from "./exec.ts";

/** Run `wrknv run`. */
export async function runCommand(
  ctx: Context,
  flags: ExecFlags & { each?: boolean },
  argv: string[],
): Promise<ExitStatus> {
  if (argv.length === 0 && flags.shell === undefined) {
    throw new ConfigError("run: no command given (wrknv run -- CMD ARGS...)");
  }
  const ws = await ctx.workspace();
  const { runInVenv, venvEnvironment } = await import("../ops/run.ts");
  if (flags.each) return await execEach(ctx, flags, argv, await venvEnvironment(ws));
  const perSibling = ([
    "only",
    "group",
    "layer",
    "jobs",
    "keepGoing",
    "stream",
    "affected",
    "since",
    "committed",
    "withExtras",
  ] as const).find(
    (k) => flags[k] !== undefined,
  );
  if (perSibling || flags.shell !== undefined) {
    throw new ConfigError(
      `run: --${
        (perSibling ?? "shell").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
      } goes with --each (run in every sibling)`,
    );
  }
  // With --json the output is collected for the document; else the command has the terminal.
  const capture = ctx.printer.mode === "json";
  const r = await runInVenv(ws, argv, { cwd: ctx.cwd, capture, signal: ctx.signal });
  ctx.printer.json(() => ({ ok: r.code === 0, code: r.code, stdout: r.stdout, stderr: r.stderr }));
  return passOn(r.code);
}
