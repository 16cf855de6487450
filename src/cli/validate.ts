/**
 * `wrknv validate`.
 *
 * @module
 */
import { printable } from "../text.ts";
import type { Check, ValidateResult } from "../ops/validate.ts";
import { SYMBOLS } from "../ui/style.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";
import { type SelectionFlags, selectionOf } from "./options.ts";
import { affectedAmong, type AffectedFlags } from "./affected.ts";

/** Flags of `wrknv validate`. */
export type ValidateFlags = SelectionFlags & AffectedFlags & { tests?: boolean; jobs?: number };

/** Print checks grouped by sibling, then the summary line. */
export function renderValidate(ctx: Context, result: ValidateResult): void {
  const s = ctx.style;
  const sym = (c: Check) =>
    c.status === "ok"
      ? s.green(SYMBOLS.ok)
      : c.status === "warn"
      ? s.yellow(SYMBOLS.warn)
      : c.status === "error"
      ? s.red(SYMBOLS.error)
      : s.dim(SYMBOLS.info);
  const p = ctx.printer;
  const problem = (c: Check) => c.status === "error" || c.status === "warn";
  // A group's heading shows wherever one of its lines does: with -q, only problems show.
  const groupsWithProblems = new Set(result.checks.filter(problem).map((c) => c.sibling));
  let group: string | undefined = "\0";
  for (const c of result.checks) {
    const say = problem(c) ? p.result : p.detail;
    if (c.sibling !== group) {
      group = c.sibling;
      (groupsWithProblems.has(group) ? p.result : p.detail)(`${s.bold(group ?? "workspace")}\n`);
    }
    // Messages quote what git and the venv said: nothing in them may rewrite the terminal.
    say(`  ${sym(c)} ${printable(c.message)}${s.dim(`  [${c.id}]`)}\n`);
    if (c.hint && c.status !== "ok") say(`      ${s.dim("→")} ${printable(c.hint)}\n`);
  }
  const line = `${result.errors} ${result.errors === 1 ? "error" : "errors"}, ${result.warnings} ${
    result.warnings === 1 ? "warning" : "warnings"
  }`;
  p.result(
    result.errors
      ? s.red(line) + "\n"
      : result.warnings
      ? s.yellow(line) + "\n"
      : s.green(line) + "\n",
  );
}

/** The JSON document of validate. */
export function validateJson(result: ValidateResult): Record<string, unknown> {
  return { ok: result.ok, errors: result.errors, warnings: result.warnings, checks: result.checks };
}

/** Run `wrknv validate`. */
export async function validateCommand(ctx: Context, flags: ValidateFlags): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const among = await affectedAmong(ctx, ws, flags);
  const { validate } = await import("../ops/validate.ts");
  const result = await validate(ws, {
    selection: { ...selectionOf(flags), among },
    tests: flags.tests,
    jobs: flags.jobs,
    signal: ctx.signal,
  });
  if (!ctx.printer.json(() => validateJson(result))) renderValidate(ctx, result);
  return result.ok ? ExitCode.ok : ExitCode.failed;
}
