/**
 * `wrknv setup`.
 *
 * @module
 */
import { relative, resolve } from "node:path";
import type { SetupOptions, SetupResult } from "../ops/setup.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";
import { SYMBOLS } from "../ui/style.ts";
import { type Context, progressFor } from "./context.ts";
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
  const p = ctx.printer;
  p.detail(
    `venv ${relative(ctx.cwd, result.venv) || "."} (Python ${result.python}, ${result.installer}${
      result.createdVenv ? ", new" : ""
    })\n`,
  );
  p.detail(`order ${result.order.map((layer) => layer.join(" ")).join(s.dim(" → "))}\n`);
  for (const o of result.siblings) {
    const bad = o.status === "failed" || o.status === "blocked" || o.status === "missing";
    // What went wrong shows even with -q: a failure is told once, here.
    const say = bad ? p.result : p.detail;
    const sym = bad
      ? s.red(SYMBOLS.error)
      : o.status === "skipped"
      ? s.dim(SYMBOLS.skip)
      : s.green(SYMBOLS.ok);
    const extras = o.extras.length ? s.dim(` [${o.extras.join(",")}]`) : "";
    say(`${sym} ${o.name}${extras}  ${o.status}${o.note ? s.dim(`  (${o.note})`) : ""}\n`);
    if (o.error) say(`    ${s.red(o.error)}\n`);
    if (o.log) say(`    ${s.dim(`log: ${relative(ctx.cwd, o.log)}`)}\n`);
  }
  if (result.unavailable.length) {
    p.result(`cannot be installed (${result.unavailable.length}):\n`);
    for (const u of result.unavailable) {
      p.result(`  ${u.requirement}  ${s.dim(`wanted by ${u.wantedBy.join(", ")}`)}\n`);
      p.result(`    ${s.red(u.reason)}\n`);
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
  p.result(
    `${result.ok ? s.green("setup done") : s.red("setup incomplete")}: ${parts.join(", ")}\n`,
  );
}

/** Run `wrknv setup`. */
export async function setupCommand(ctx: Context, flags: SetupFlags): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const { setup } = await import("../ops/setup.ts");
  const reporter = progressFor(ctx, ws.siblings.length, "installing", ["installed"]);
  const options = setupOptions(ctx, flags);
  const wheels = await (await import("../ops/bundle.ts")).rememberedWheels(ws);
  if (wheels && !options.findLinks?.includes(wheels)) {
    // Bootstrapped from a bundle: install from its wheels, offline.
    options.offline = true;
    options.findLinks = [...(options.findLinks ?? []), wheels];
    ctx.printer.note(`installing offline from the bundle's wheels (${wheels})\n`);
  }
  let result: SetupResult;
  try {
    result = await setup(ws, options, reporter);
  } finally {
    reporter.end();
  }
  if (!ctx.printer.json(() => setupJson(result))) renderSetup(ctx, result);
  return result.ok ? ExitCode.ok : ExitCode.failed;
}
