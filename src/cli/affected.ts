/**
 * `wrknv affected`, and `--affected` for the commands that act on siblings.
 *
 * @module
 */
import { relative } from "node:path";
import type { Workspace } from "../config/types.ts";
import { ConfigError, ExitCode, type ExitStatus } from "../errors.ts";
import { describeCycle } from "../graph/mod.ts";
import type { AffectedResult, SiblingChange } from "../ops/affected.ts";
import type { Context } from "./context.ts";
import {
  type AffectedFlags,
  type SelectionFlags,
  selectionOf,
  type SinceFlags,
} from "./options.ts";

export type { AffectedFlags };

function describeChange(c: SiblingChange): string {
  if (c.note) return `counted as changed: ${c.note}`;
  const parts = [];
  if (c.commits) parts.push(`${c.commits} ${c.commits === 1 ? "commit" : "commits"}`);
  if (c.uncommitted) {
    parts.push(`${c.uncommitted} uncommitted ${c.uncommitted === 1 ? "file" : "files"}`);
  }
  return `${parts.join(", ") || "changed"} since ${c.against}`;
}

function warnNotes(ctx: Context, result: AffectedResult, changes = true): void {
  for (const u of result.unreadable) {
    ctx.printer.warn(ctx.errStyle.yellow(
      `warning: ${u.name}: pyproject.toml cannot be read (${u.error}): what it depends on is unknown, so a change below it is not followed\n`,
    ));
  }
  for (const c of changes ? result.changes : []) {
    if (c.note) ctx.printer.warn(ctx.errStyle.yellow(`warning: ${c.name} ${describeChange(c)}\n`));
  }
}

/**
 * For `--affected` on another command: the affected siblings in install
 * order (to pass as `Selection.among`), or undefined without `--affected`.
 * Notes (siblings counted as changed for want of a base) go to stderr.
 *
 * @throws {ConfigError} for `--since`, `--committed` or `--with-extras` without `--affected`
 */
export async function affectedAmong(
  ctx: Context,
  ws: Workspace,
  flags: AffectedFlags,
): Promise<string[] | undefined> {
  if (!flags.affected) {
    const given = [
      flags.since !== undefined && "--since",
      flags.committed && "--committed",
      flags.withExtras && "--with-extras",
    ].filter(Boolean);
    if (given.length) throw new ConfigError(`${given.join(", ")}: only with --affected`);
    return undefined;
  }
  const { affected } = await import("../ops/affected.ts");
  const result = await affected(ws, {
    ...since(flags),
    selection: { all: true },
    signal: ctx.signal,
  });
  warnNotes(ctx, result);
  if (result.affected.length === 0) {
    ctx.printer.note(
      ctx.errStyle.dim(`nothing changed since ${result.since}: no sibling is affected\n`),
    );
  }
  return result.affected;
}

function since(flags: SinceFlags) {
  return { since: flags.since, committed: flags.committed, withExtras: flags.withExtras };
}

/** The CI job matrix: `{"include": [{"sibling", "path", "level"}]}`, one line. */
export function githubMatrix(ws: Workspace, result: AffectedResult): string {
  const paths = new Map(ws.siblings.map((s) => [s.name, relative(ws.configDir, s.path) || "."]));
  const include = result.order.flatMap((level, i) =>
    level.map((name) => ({ sibling: name, path: paths.get(name)!, level: i + 1 }))
  );
  return JSON.stringify({ include });
}

/** Run `wrknv affected`. */
export async function affectedCommand(
  ctx: Context,
  flags: SelectionFlags & SinceFlags & {
    format?: "text" | "json" | "github-matrix";
    jobs?: number;
  },
): Promise<ExitStatus> {
  const p = ctx.printer;
  const format = p.mode === "json" ? "json" : flags.format ?? "text";
  const ws = await ctx.workspace();
  const { affected } = await import("../ops/affected.ts");
  const result = await affected(ws, {
    ...since(flags),
    selection: selectionOf(flags),
    jobs: flags.jobs,
    signal: ctx.signal,
  });
  if (format !== "text") {
    warnNotes(ctx, result);
    const { changed, affected: all, order, why } = result;
    if (format === "github-matrix") p.raw(githubMatrix(ws, result) + "\n");
    else if (!p.json(() => ({ changed, affected: all, order, why }))) {
      p.raw(JSON.stringify({ changed, affected: all, order, why }, null, 2) + "\n");
    }
    return ExitCode.ok;
  }
  warnNotes(ctx, result, false); // the changes' notes are shown with them below
  const s = ctx.style;
  const against = result.since === "lock" ? "wrknv.lock" : result.since;
  const missing = result.missing.length
    ? s.dim(`not cloned, so not looked at: ${result.missing.join(", ")}\n`)
    : "";
  if (result.affected.length === 0) {
    p.result(`nothing changed since ${against}\n${missing}`);
    return ExitCode.ok;
  }
  const width = Math.max(...result.affected.map((n) => n.length));
  p.result(`${s.bold("changed")} ${s.dim(`(since ${against})`)}\n`);
  for (const c of result.changes) {
    const text = describeChange(c);
    p.result(`  ${c.name.padEnd(width)}  ${c.note ? s.yellow(text) : s.dim(text)}\n`);
  }
  p.result(`${s.bold("affected")} ${s.dim("(in install order)")}\n`);
  result.order.forEach((level, i) => {
    level.forEach((name, j) => {
      const number = j === 0 ? `${i + 1}.`.padStart(4) : "    ";
      const path = result.why[name];
      const reason = path.length === 0
        ? s.green("changed")
        : s.dim(describeCycle([name, ...path], result.nodes));
      p.result(`${number} ${name.padEnd(width)}  ${reason}\n`);
    });
  });
  p.result(missing);
  return ExitCode.ok;
}
