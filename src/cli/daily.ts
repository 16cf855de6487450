/**
 * Daily work across siblings: `wrknv status`, `wrknv sync`, `wrknv exec`, `wrknv lock`.
 *
 * @module
 */
import { relative } from "node:path";
import { ConfigError } from "../errors.ts";
import type { Workspace } from "../config/types.ts";
import type { SiblingStatus } from "../ops/status.ts";
import type { ExecResult } from "../ops/exec.ts";
import { runtime } from "../runtime.ts";
import { progressReporter, silentProgress } from "../ui/progress.ts";
import { renderTable, STATUS_LEGEND, SYMBOLS } from "../ui/style.ts";
import { scopedSelection, type SelectionFlags, selectionOf } from "./options.ts";
import { type Context, printJson } from "./context.ts";
import { affectedAmong, type AffectedFlags } from "./affected.ts";

/** Selection flags. */

/** Run `wrknv status`. */
export async function statusCommand(
  ctx: Context,
  flags: SelectionFlags & { fetch?: boolean; jobs?: number },
): Promise<number> {
  const ws = await ctx.workspace();
  const selection = await scopedSelection(ctx, ws, flags);
  const { workspaceStatus } = await import("../ops/status.ts");
  const rows = await workspaceStatus(ws, {
    selection,
    fetch: flags.fetch,
    jobs: flags.jobs,
    signal: ctx.signal,
  });
  const feature = await featureOf(ws, rows);
  if (ctx.json) {
    // The git adapter's camelCase field, in the snake_case of every JSON key.
    const siblings = rows.map(({ upstreamGone, ...r }) => ({ ...r, upstream_gone: upstreamGone }));
    printJson(ctx, { siblings, feature });
    return rows.some((r) => r.error) ? 1 : 0;
  }
  ctx.out(renderStatus(ctx, rows));
  const missing = rows.filter((r) => !r.present);
  if (missing.length) {
    const where = missing.map((r) => `${r.name} (${relative(ctx.cwd, r.path) || "."})`);
    ctx.out(ctx.style.dim(`not cloned: ${where.join(", ")}; wrknv bootstrap clones them\n`));
  }
  if (ctx.verbose) ctx.out(ctx.style.dim(`${STATUS_LEGEND}\n`));
  if (feature) {
    const off = rows.filter((r) => !feature.on.includes(r.name))
      .map((r) => `${r.name} (${!r.present ? "missing" : r.branch ?? "detached"})`);
    ctx.out(
      `${
        ctx.style.bold(`feature branch ${feature.branch}`)
      }: ${feature.on.length} of ${rows.length} on it${
        off.length ? ctx.style.dim(`; not: ${off.join(", ")}`) : ""
      }\n`,
    );
  }
  return rows.some((r) => r.error) ? 1 : 0;
}

/** The feature branch `wrknv branch` made, and which of the rows are on it. */
async function featureOf(ws: Workspace, rows: SiblingStatus[]) {
  const { featureBranch } = await import("../ops/branch.ts");
  const branch = await featureBranch(ws);
  if (branch === null) return null;
  return { branch, on: rows.filter((r) => r.branch === branch).map((r) => r.name) };
}

/** The status table. */
export function renderStatus(ctx: Context, rows: SiblingStatus[]): string {
  const s = ctx.style;
  const table = [["SIBLING", "BRANCH", "HEAD", "CHANGES", "UPSTREAM"].map((h) => s.dim(h))];
  for (const r of rows) {
    if (!r.present) {
      table.push([r.name, s.yellow("missing"), "", "", ""]);
      continue;
    }
    const changes = [
      r.staged && s.green(`+${r.staged}`),
      r.unstaged && s.yellow(`~${r.unstaged}`),
      r.untracked && s.dim(`?${r.untracked}`),
      r.conflicted && s.red(`!${r.conflicted}`),
      r.stash && s.cyan(`$${r.stash}`),
    ].filter(Boolean).join(" ") || s.dim("clean");
    const upstream = r.upstream === null
      ? s.dim("-")
      : [r.upstream, r.ahead && s.green(`↑${r.ahead}`), r.behind && s.yellow(`↓${r.behind}`)]
        .filter(Boolean).join(" ");
    const branch = r.branch ?? s.yellow(`(detached)`);
    table.push([
      r.name,
      branch,
      r.head ? r.head.slice(0, 7) : s.dim("none"),
      changes,
      upstream + (r.error ? `  ${s.red(r.error)}` : ""),
    ]);
  }
  return renderTable(table);
}

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
): Promise<number> {
  const ws = await ctx.workspace();
  const selection = await scopedSelection(ctx, ws, flags);
  const { sync } = await import("../ops/sync.ts");
  const { selectSiblings } = await import("../ops/select.ts");
  const reporter = ctx.json ? silentProgress() : progressReporter({
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
  if (ctx.json) {
    printJson(ctx, { ok: failed === 0, dry_run: flags.dryRun ?? false, siblings: outcomes });
  } else {
    const s = ctx.style;
    for (const o of outcomes) {
      if (o.status === "up-to-date" && ctx.quiet) continue;
      const sym = o.status === "failed"
        ? s.red(SYMBOLS.error)
        : o.status === "skipped"
        ? s.yellow(SYMBOLS.warn)
        : s.green(SYMBOLS.ok);
      ctx.out(
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
    ctx.out(
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
  return failed ? 1 : 0;
}

/** Run `wrknv exec`. */
export function execCommand(ctx: Context, flags: ExecFlags, argv: string[]): Promise<number> {
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
): Promise<number> {
  if (flags.shell === undefined && argv.length === 0) {
    throw new ConfigError('exec: no command given (wrknv exec -- CMD ARGS..., or --shell "...")');
  }
  if (flags.shell !== undefined && argv.length) {
    throw new ConfigError("exec: give either a command after -- or --shell, not both");
  }
  const ws = await ctx.workspace();
  const among = await affectedAmong(ctx, ws, flags);
  // --affected chooses the siblings itself: it is not narrowed to the one run in.
  const selection = among ? selectionOf(flags) : await scopedSelection(ctx, ws, flags);
  const { execAll } = await import("../ops/exec.ts");
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
  const results = await execAll(ws, argv, {
    selection: { ...selection, among },
    jobs: flags.jobs,
    keepGoing: flags.keepGoing,
    shell: flags.shell,
    env,
    signal: ctx.signal,
    onLine: flags.stream && !ctx.json
      ? (name, line, stream) =>
        (stream === "stdout" ? ctx.out : ctx.err)(`${s.cyan(name.padEnd(width))} │ ${line}\n`)
      : undefined,
    onResult: ctx.json || flags.stream ? undefined : (r) => {
      // One block per sibling, written at once: never interleaved.
      let block = header(r) + r.stdout;
      if (r.stdout && !r.stdout.endsWith("\n")) block += "\n";
      if (r.stderr) block += r.stderr + (r.stderr.endsWith("\n") ? "" : "\n");
      ctx.out(block);
    },
  });
  const failed = results.filter((r) => r.status === "ran" && r.code !== 0);
  if (ctx.json) {
    printJson(ctx, {
      ok: failed.length === 0,
      siblings: results.map((r) => ({
        name: r.name,
        status: r.status,
        code: r.code ?? null,
        stdout: r.stdout,
        stderr: r.stderr,
        ...(r.error ? { error: r.error } : {}),
      })),
    });
  } else {
    const ran = results.filter((r) => r.status === "ran").length;
    const other = results.filter((r) => r.status !== "ran");
    let line = `${ran} ran, ${failed.length} failed`;
    if (failed.length) line += ` (${failed.map((r) => `${r.name}: ${r.code}`).join(", ")})`;
    if (other.length) line += `; ${other.map((r) => `${r.name} ${r.status}`).join(", ")}`;
    ctx.out(`${failed.length ? s.red(line) : s.green(line)}\n`);
  }
  if (ctx.signal.aborted) return 130;
  return failed.length || results.some((r) => r.status === "skipped") ? 1 : 0;
}

/** Flags of `wrknv lock`. */
export interface LockFlags {
  /** A commit on no remote-tracking branch is an error, and nothing is written. */
  requirePushed?: boolean;
}

/** Run `wrknv lock`. */
export async function lockCommand(ctx: Context, flags: LockFlags = {}): Promise<number> {
  const ws = await ctx.workspace();
  const { lockWorkspace, pushHint } = await import("../ops/lock.ts");
  const result = await lockWorkspace(ws, {
    signal: ctx.signal,
    requirePushed: flags.requirePushed === true,
  });
  if (ctx.json) {
    printJson(ctx, {
      ok: true,
      siblings: result.entries,
      dirty: result.dirty,
      unpushed: result.unpushed,
    });
  } else {
    ctx.out(`locked ${result.entries.length} siblings in wrknv.lock\n`);
    if (result.dirty.length) {
      ctx.err(
        ctx.errStyle.yellow(
          `warning: ${result.dirty.join(", ")} ${
            result.dirty.length > 1 ? "have" : "has"
          } uncommitted changes; the lock holds their last commit, not the changes\n`,
        ),
      );
    }
    for (const u of result.unpushed) {
      ctx.err(
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
  return 0;
}
