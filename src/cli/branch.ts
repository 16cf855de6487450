/**
 * `wrknv branch NAME` and `wrknv switch NAME`: a feature branch across siblings.
 *
 * @module
 */
import type { BranchOutcome } from "../ops/branch.ts";
import { SYMBOLS } from "../ui/style.ts";
import { affectedAmong, type AffectedFlags } from "./affected.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";
import { type SelectionFlags, selectionOf } from "./options.ts";

type Flags = SelectionFlags & AffectedFlags & { jobs?: number };

function render(
  ctx: Context,
  verb: string,
  branch: string,
  outcomes: BranchOutcome[],
): ExitStatus {
  const bad = outcomes.filter((o) => o.status === "refused" || o.status === "failed");
  const code = bad.length ? ExitCode.failed : ExitCode.ok;
  if (ctx.printer.json(() => ({ ok: bad.length === 0, branch, siblings: outcomes }))) return code;
  const s = ctx.style;
  const width = Math.max(0, ...outcomes.map((o) => o.name.length));
  for (const o of outcomes) {
    // Already on it is not news: with -q, only what changed or went wrong.
    const say = o.status === "already" ? ctx.printer.detail : ctx.printer.result;
    const sym = o.status === "refused" || o.status === "failed"
      ? s.red(SYMBOLS.error)
      : o.status === "absent" || o.status === "missing"
      ? s.dim(SYMBOLS.skip)
      : s.green(SYMBOLS.ok);
    const from = (o.status === "created" || o.status === "switched") && o.from !== branch
      ? `from ${o.from ?? "a detached HEAD"}`
      : "";
    const detail = [from, o.detail].filter(Boolean).join("; ");
    say(
      `${sym} ${o.name.padEnd(width)}  ${o.status.padEnd(8)}${
        detail ? s.dim(`  ${detail}`) : ""
      }\n`,
    );
  }
  const counts = ["created", "switched", "already", "absent", "missing", "refused", "failed"]
    .map((st) => [st, outcomes.filter((o) => o.status === st).length] as const)
    .filter(([, n]) => n).map(([st, n]) => `${n} ${st === "already" ? "already on it" : st}`);
  const line = `${verb} ${branch}: ${counts.join(", ") || "no siblings"}`;
  ctx.printer.result(`${bad.length ? s.red(line) : s.green(line)}\n`);
  return code;
}

/** Run `wrknv branch NAME`. */
export async function branchCommand(ctx: Context, flags: Flags, name: string): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const among = await affectedAmong(ctx, ws, flags);
  const { branchAll } = await import("../ops/branch.ts");
  const outcomes = await branchAll(ws, name, {
    selection: { ...selectionOf(flags), among },
    jobs: flags.jobs,
    signal: ctx.signal,
  });
  return render(ctx, "branch", name, outcomes);
}

/** Run `wrknv switch NAME`. */
export async function switchCommand(ctx: Context, flags: Flags, name: string): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const { switchAll } = await import("../ops/branch.ts");
  const outcomes = await switchAll(ws, name, {
    selection: selectionOf(flags),
    jobs: flags.jobs,
    signal: ctx.signal,
  });
  return render(ctx, "switch", name, outcomes);
}
