/**
 * `wrknv status`: branch, changes and upstream of every sibling, in a table.
 *
 * @module
 */
import { relative } from "node:path";
import type { SiblingStatus } from "../ops/status.ts";
import { renderTable, STATUS_LEGEND } from "../ui/style.ts";
import { scopedSelection, type SelectionFlags } from "./options.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

/** Run `wrknv status`. */
export async function statusCommand(
  ctx: Context,
  flags: SelectionFlags & { fetch?: boolean; jobs?: number },
): Promise<ExitStatus> {
  // The operation's modules load while the workspace does.
  const ops = import("../ops/status.ts");
  const ws = await ctx.workspace();
  const selection = await scopedSelection(ctx, ws, flags);
  const { workspaceStatus } = await ops;
  const branch = import("../ops/branch.ts").then((m) => m.featureBranch(ws));
  branch.catch(() => {}); // awaited below; a failure is not left unhandled meanwhile
  const rows = await workspaceStatus(ws, {
    selection,
    fetch: flags.fetch,
    jobs: flags.jobs,
    signal: ctx.signal,
  });
  const feature = featureOf(await branch, rows);
  const code = rows.some((r) => r.error) ? ExitCode.failed : ExitCode.ok;
  const printed = ctx.printer.json(() => ({
    // The git adapter's camelCase field, in the snake_case of every JSON key.
    siblings: rows.map(({ upstreamGone, ...r }) => ({ ...r, upstream_gone: upstreamGone })),
    feature,
  }));
  if (printed) return code;
  ctx.printer.result(renderStatus(ctx, rows));
  const missing = rows.filter((r) => !r.present);
  if (missing.length) {
    const where = missing.map((r) => `${r.name} (${relative(ctx.cwd, r.path) || "."})`);
    ctx.printer.result(
      ctx.style.dim(`not cloned: ${where.join(", ")}; wrknv bootstrap clones them\n`),
    );
  }
  if (ctx.verbose) ctx.printer.result(ctx.style.dim(`${STATUS_LEGEND}\n`));
  if (feature) {
    const off = rows.filter((r) => !feature.on.includes(r.name))
      .map((r) => `${r.name} (${!r.present ? "missing" : r.branch ?? "detached"})`);
    ctx.printer.result(
      `${
        ctx.style.bold(`feature branch ${feature.branch}`)
      }: ${feature.on.length} of ${rows.length} on it${
        off.length ? ctx.style.dim(`; not: ${off.join(", ")}`) : ""
      }\n`,
    );
  }
  return code;
}

/** The feature branch `wrknv branch` made, and which of the rows are on it. */
function featureOf(branch: string | null, rows: SiblingStatus[]) {
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
