/**
 * `wrknv run -- CMD`: a command with the shared venv active, here or in
 * every sibling (`--each`).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { type Context, printJson } from "./context.ts";
import { execEach, type ExecFlags } from "./exec.ts";

/** Run `wrknv run`. */
export async function runCommand(
  ctx: Context,
  flags: ExecFlags & { each?: boolean },
  argv: string[],
): Promise<number> {
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
  const r = await runInVenv(ws, argv, { cwd: ctx.cwd, capture: ctx.json, signal: ctx.signal });
  if (ctx.json) {
    printJson(ctx, { ok: r.code === 0, code: r.code, stdout: r.stdout, stderr: r.stderr });
  }
  return r.code;
}
