/**
 * `wrknv setup`.
 *
 * @module
 */
import { relative, resolve } from "node:path";
import type { SetupOptions, SetupResult } from "../ops/setup.ts";
import { runtime } from "../runtime.ts";
import { progressReporter, silentProgress } from "../ui/progress.ts";
import { SYMBOLS } from "../ui/style.ts";
import { type Context, printJson } from "./context.ts";
import { type InstallFlags, type SelectionFlags, selectionOf } from "./options.ts";

/** Flags of `wrknv setup` (also taken by `up`). */
export type SetupFlags = SelectionFlags & InstallFlags;

/** Turn flags into operation options. */
export function setupOptions(ctx: Context, flags: SetupFlags): SetupOptions {
  return {
    selection: selectionOf(flags),
    offline: flags.offline || (flags.findLinks?.length ?? 0) > 0,
    findLinks: flags.findLinks?.map((d) => resolve(ctx.cwd, d)),
    recreate: flags.recreate,
    noHooks: flags.hooks === false,
    force: flags.force,
    signal: ctx.signal,
  };
}

/** The JSON document of a setup. */
export function setupJson(result: SetupResult): Record<string, unknown> {
  return {
    ok: result.ok,
    venv: result.venv,
    python: result.python,
    installer: result.installer,
    order: result.order,
    hooks: result.hooks,
    layer_violations: result.layerViolations,
    siblings: result.siblings.map((s) => ({
      name: s.name,
      status: s.status,
      extras: s.extras,
      ...(s.note ? { note: s.note } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(s.log ? { log: s.log } : {}),
    })),
    unavailable: result.unavailable.map((u) => ({
      requirement: u.requirement,
      reason: u.reason,
      wanted_by: u.wantedBy,
    })),
  };
}

/** Print a setup result for people. */
export function renderSetup(ctx: Context, result: SetupResult): void {
  const s = ctx.style;
  if (!ctx.quiet) {
    ctx.out(
      `venv ${relative(ctx.cwd, result.venv) || "."} (Python ${result.python}, ${result.installer}${
        result.createdVenv ? ", new" : ""
      })\n`,
    );
    ctx.out(`order ${result.order.map((layer) => layer.join(" ")).join(s.dim(" → "))}\n`);
    for (const o of result.siblings) {
      const bad = o.status === "failed" || o.status === "blocked" || o.status === "missing";
      const sym = bad
        ? s.red(SYMBOLS.error)
        : o.status === "skipped"
        ? s.dim(SYMBOLS.skip)
        : s.green(SYMBOLS.ok);
      const extras = o.extras.length ? s.dim(` [${o.extras.join(",")}]`) : "";
      ctx.out(`${sym} ${o.name}${extras}  ${o.status}${o.note ? s.dim(`  (${o.note})`) : ""}\n`);
      if (o.error) ctx.out(`    ${s.red(o.error)}\n`);
      if (o.log) ctx.out(`    ${s.dim(`log: ${relative(ctx.cwd, o.log)}`)}\n`);
    }
    if (result.unavailable.length) {
      ctx.out(`cannot be installed (${result.unavailable.length}):\n`);
      for (const u of result.unavailable) {
        ctx.out(`  ${u.requirement}  ${s.dim(`wanted by ${u.wantedBy.join(", ")}`)}\n`);
        ctx.out(`    ${s.red(u.reason)}\n`);
      }
    }
  }
  const n = (st: string) => result.siblings.filter((o) => o.status === st).length;
  const parts = [
    n("installed") && `${n("installed")} installed`,
    n("up-to-date") && `${n("up-to-date")} up to date`,
    n("skipped") && `${n("skipped")} skipped`,
    n("missing") && `${n("missing")} missing`,
    n("failed") && `${n("failed")} failed`,
    n("blocked") && `${n("blocked")} blocked`,
  ].filter(Boolean);
  ctx.out(
    `${result.ok ? s.green("setup done") : s.red("setup incomplete")}: ${parts.join(", ")}\n`,
  );
}

/** Run `wrknv setup`. */
export async function setupCommand(ctx: Context, flags: SetupFlags): Promise<number> {
  const ws = await ctx.workspace();
  const { setup } = await import("../ops/setup.ts");
  const reporter = ctx.json ? silentProgress() : progressReporter({
    total: ws.siblings.length,
    verb: "installing",
    live: runtime.stderrIsTerminal(),
    quiet: ctx.quiet,
    style: ctx.errStyle,
    quietStatuses: ["installed"],
  });
  const options = setupOptions(ctx, flags);
  const wheels = await (await import("../ops/bundle.ts")).rememberedWheels(ws);
  if (wheels && !options.findLinks?.includes(wheels)) {
    // Bootstrapped from a bundle: install from its wheels, offline.
    options.offline = true;
    options.findLinks = [...(options.findLinks ?? []), wheels];
    if (!ctx.quiet && !ctx.json) {
      ctx.err(`installing offline from the bundle's wheels (${wheels})\n`);
    }
  }
  let result: SetupResult;
  try {
    result = await setup(ws, options, reporter);
  } finally {
    reporter.end();
  }
  if (ctx.json) printJson(ctx, setupJson(result));
  else renderSetup(ctx, result);
  return result.ok ? 0 : 1;
}
