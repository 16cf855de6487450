/**
 * `wrknv exec`: a command in every sibling, in parallel; `execEach` also serves `wrknv run --each`.
 *
 * @module
 */
import { ConfigError, ExitCode, type ExitStatus, interruption } from "../errors.ts";
import type { ExecResult } from "../ops/exec.ts";
import { SYMBOLS } from "../ui/style.ts";
import { scopedSelection, type SelectionFlags, selectionOf } from "./options.ts";
import type { Context } from "./context.ts";
import type { AffectedFlags } from "./affected.ts";

/** Run `wrknv exec`. */
export function execCommand(ctx: Context, flags: ExecFlags, argv: string[]): Promise<ExitStatus> {
  return execEach(ctx, flags, argv);
}

/** Flags of `wrknv exec` (and of `wrknv run --each`). */
export type ExecFlags = SelectionFlags & AffectedFlags & {
  jobs?: number;
  keepGoing?: boolean;
  shell?: string;
  stream?: boolean;
};

/** `exec`'s body, with more environment for every command (`run --each` activates the venv). */
export async function execEach(
  ctx: Context,
  flags: ExecFlags,
  argv: string[],
  env?: Record<string, string>,
): Promise<ExitStatus> {
  if (flags.shell === undefined && argv.length === 0) {
    throw new ConfigError('exec: no command given (wrknv exec -- CMD ARGS..., or --shell "...")');
  }
  if (flags.shell !== undefined && argv.length) {
    throw new ConfigError("exec: give either a command after -- or --shell, not both");
  }
  // The operation's modules load while the workspace does.
  const ops = import("../ops/exec.ts");
  const ws = await ctx.workspace();
  // The affected machinery (the graph, pyproject parsing) is loaded only when a flag asks for it.
  const among = flags.affected || flags.since !== undefined || flags.committed || flags.withExtras
    ? await (await import("./affected.ts")).affectedAmong(ctx, ws, flags)
    : undefined;
  // --affected chooses the siblings itself: it is not narrowed to the one run in.
  const selection = among ? selectionOf(flags) : await scopedSelection(ctx, ws, flags);
  const { execAll } = await ops;
  const s = ctx.style;
  const header = (r: ExecResult) => {
    const sym = r.status !== "ran"
      ? s.yellow(SYMBOLS.warn)
      : r.code === 0
      ? s.green(SYMBOLS.ok)
      : s.red(SYMBOLS.error);
    const what = r.status === "ran" ? `exit ${r.code}` : r.error ?? r.status;
    return `${s.bold(`── ${r.name}`)} ${sym} ${s.dim(what)}\n`;
  };
  const width = Math.max(...ws.siblings.map((x) => x.name.length));
  const p = ctx.printer;
  // With --json the output is collected for the document; else it is passed on as it comes.
  const json = p.mode === "json";
  const results = await execAll(ws, argv, {
    selection: { ...selection, among },
    jobs: flags.jobs,
    keepGoing: flags.keepGoing,
    shell: flags.shell,
    env,
    signal: ctx.signal,
    onLine: flags.stream && !json
      ? (name, line, stream) =>
        (stream === "stdout" ? p.raw : p.rawErr)(`${s.cyan(name.padEnd(width))} │ ${line}\n`)
      : undefined,
    onResult: json || flags.stream ? undefined : (r) => {
      // One block per sibling, written at once: never interleaved.
      let block = header(r) + r.stdout;
      if (r.stdout && !r.stdout.endsWith("\n")) block += "\n";
      if (r.stderr) block += r.stderr + (r.stderr.endsWith("\n") ? "" : "\n");
      p.raw(block);
    },
  });
  const failed = results.filter((r) => r.status === "ran" && r.code !== 0);
  const printed = p.json(() => ({
    ok: failed.length === 0,
    siblings: results.map((r) => ({
      name: r.name,
      status: r.status,
      code: r.code ?? null,
      stdout: r.stdout,
      stderr: r.stderr,
      ...(r.error ? { error: r.error } : {}),
    })),
  }));
  if (!printed) {
    const ran = results.filter((r) => r.status === "ran").length;
    const other = results.filter((r) => r.status !== "ran");
    let line = `${ran} ran, ${failed.length} failed`;
    if (failed.length) line += ` (${failed.map((r) => `${r.name}: ${r.code}`).join(", ")})`;
    if (other.length) line += `; ${other.map((r) => `${r.name} ${r.status}`).join(", ")}`;
    p.result(`${failed.length ? s.red(line) : s.green(line)}\n`);
  }
  if (ctx.signal.aborted) return interruption(ctx.signal).exitCode as ExitStatus;
  return failed.length || results.some((r) => r.status === "skipped")
    ? ExitCode.failed
    : ExitCode.ok;
}
