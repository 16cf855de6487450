/**
 * `wrknv lock`: every sibling's commit in wrknv.lock.
 *
 * @module
 */
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

/** Flags of `wrknv lock`. */
export interface LockFlags {
  /** A commit on no remote-tracking branch is an error, and nothing is written. */
  requirePushed?: boolean;
}

/** Run `wrknv lock`. */
export async function lockCommand(ctx: Context, flags: LockFlags = {}): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const { lockWorkspace, pushHint } = await import("../ops/lock.ts");
  const result = await lockWorkspace(ws, {
    signal: ctx.signal,
    requirePushed: flags.requirePushed === true,
  });
  const printed = ctx.printer.json(() => ({
    ok: true,
    siblings: result.entries,
    dirty: result.dirty,
    unpushed: result.unpushed,
  }));
  if (!printed) {
    ctx.printer.result(`locked ${result.entries.length} siblings in wrknv.lock\n`);
    if (result.dirty.length) {
      ctx.printer.warn(
        ctx.errStyle.yellow(
          `warning: ${result.dirty.join(", ")} ${
            result.dirty.length > 1 ? "have" : "has"
          } uncommitted changes; the lock holds their last commit, not the changes\n`,
        ),
      );
    }
    for (const u of result.unpushed) {
      ctx.printer.warn(
        ctx.errStyle.yellow(
          `warning: ${u.name}: commit ${
            u.commit.slice(0, 12)
          } is on no remote-tracking branch (not pushed), so bootstrap --locked elsewhere cannot fetch it; run: ${
            pushHint(u)
          } (or git fetch, if it was pushed from elsewhere)\n`,
        ),
      );
    }
  }
  return ExitCode.ok;
}
