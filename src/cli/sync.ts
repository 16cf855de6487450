/**
 * `wrknv sync`: fetch and fast-forward every sibling (or `--dry-run`: what would be done).
 *
 * @module
 */
import { runtime } from "../runtime.ts";
import { progressReporter, silentProgress } from "../ui/progress.ts";
import { SYMBOLS } from "../ui/style.ts";
import { scopedSelection, type SelectionFlags } from "./options.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

/** Run `wrknv sync`. */
export async function syncCommand(
  ctx: Context,
  flags: SelectionFlags & {
    rebase?: boolean;
    clone?: boolean;
    locked?: boolean;
    jobs?: number;
    timeout?: number;
    dryRun?: boolean;
  },
): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const selection = await scopedSelection(ctx, ws, flags);
  const { sync } = await import("../ops/sync.ts");
  const { selectSiblings } = await import("../ops/select.ts");
  const reporter = ctx.printer.mode === "json" ? silentProgress() : progressReporter({
    total: selectSiblings(ws, selection).length,
    verb: "syncing",
    live: runtime.stderrIsTerminal(),
    quiet: true,
    style: ctx.errStyle,
  });
  let outcomes;
  try {
    outcomes = await sync(ws, {
      selection,
      rebase: flags.rebase,
      noClone: flags.clone === false,
      locked: flags.locked,
      jobs: flags.jobs,
      timeout: flags.timeout,
      dryRun: flags.dryRun,
      signal: ctx.signal,
    }, reporter);
  } finally {
    reporter.end();
  }
  const failed = outcomes.filter((o) => o.status === "failed").length;
  const skipped = outcomes.filter((o) => o.status === "skipped").length;
  const printed = ctx.printer.json(() => ({
    ok: failed === 0,
    dry_run: flags.dryRun ?? false,
    siblings: outcomes,
  }));
  if (!printed) {
    const s = ctx.style;
    for (const o of outcomes) {
      // Up to date is not news: with -q, only what changed or went wrong.
      const say = o.status === "up-to-date" ? ctx.printer.detail : ctx.printer.result;
      const sym = o.status === "failed"
        ? s.red(SYMBOLS.error)
        : o.status === "skipped"
        ? s.yellow(SYMBOLS.warn)
        : s.green(SYMBOLS.ok);
      say(
        `${sym} ${o.name.padEnd(20)} ${o.status.padEnd(11)}${
          o.detail ? s.dim(` ${o.detail}`) : ""
        }\n`,
      );
    }
    const count = (st: string) => outcomes.filter((o) => o.status === st).length;
    const parts = [
      "updated",
      "up-to-date",
      "cloned",
      "checked-out",
      "would-update",
      "would-clone",
      "would-check-out",
      "skipped",
      "failed",
    ].filter((st) => count(st)).map((st) => `${count(st)} ${st}`);
    ctx.printer.result(
      `${
        flags.dryRun
          ? s.bold("dry run, nothing fetched or changed")
          : failed
          ? s.red("sync incomplete")
          : skipped
          ? s.yellow("sync done, with skips")
          : s.green("sync done")
      }: ${parts.join(", ")}\n`,
    );
  }
  return failed ? ExitCode.failed : ExitCode.ok;
}
