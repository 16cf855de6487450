/**
 * `wrknv bootstrap`: clone what is missing.
 *
 * @module
 */
import { relative } from "node:path";
import { ConfigError, ExitCode, type ExitStatus } from "../errors.ts";
import type { BootstrapOptions, BootstrapResult } from "../ops/bootstrap.ts";
import { runtime } from "../runtime.ts";
import { SYMBOLS } from "../ui/style.ts";
import { type Context, progressFor } from "./context.ts";
import { type CloneFlags, type SelectionFlags, selectionOf } from "./options.ts";

/** The flags of `wrknv bootstrap` (also taken by `up`). */
export type BootstrapFlags = SelectionFlags & CloneFlags & {
  from?: string;
  offline?: boolean;
  dryRun?: boolean;
};

/** Turn flags into operation options. */
export function bootstrapOptions(ctx: Context, flags: BootstrapFlags): BootstrapOptions {
  if (
    flags.filter !== undefined && !/^(blob:none|blob:limit=\d+[kmg]?|tree:\d+)$/.test(flags.filter)
  ) {
    throw new ConfigError(
      `--filter: expected blob:none, blob:limit=<n> or tree:<depth>, got "${flags.filter}"`,
    );
  }
  return {
    selection: selectionOf(flags),
    jobs: flags.jobs,
    retry: flags.retry,
    timeout: flags.timeout,
    depth: flags.depth,
    filter: flags.filter,
    reference: flags.reference,
    linkFrom: flags.linkFrom,
    locked: flags.locked,
    dryRun: flags.dryRun,
    cache: flags.cache,
    offline: flags.offline,
    interactive: runtime.stdinIsTerminal() && runtime.stderrIsTerminal(),
    signal: ctx.signal,
  };
}

/** Print the bootstrap summary for people. */
export function renderBootstrap(
  ctx: Context,
  result: BootstrapResult,
  command = "bootstrap",
): void {
  const s = ctx.style;
  const p = ctx.printer;
  const counts = new Map<string, number>();
  for (const o of result.siblings) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  for (const o of result.siblings) {
    const bad = o.status === "failed" || o.status === "conflict" || o.status === "interrupted";
    // What went wrong shows even with -q: a failure is told once, here.
    const say = bad ? p.result : p.detail;
    if (o.status === "present" && !o.warnings) continue;
    const symbol = o.status === "failed" || o.status === "conflict"
      ? s.red(SYMBOLS.error)
      : o.status === "interrupted"
      ? s.yellow(SYMBOLS.warn)
      : o.warnings
      ? s.yellow(SYMBOLS.warn)
      : s.green(SYMBOLS.ok);
    const where = relative(ctx.cwd, o.path) || ".";
    let line = `${symbol} ${o.name.padEnd(20)} ${o.status.padEnd(11)} ${s.dim(where)}`;
    if (o.commit && o.status !== "present") line += s.dim(` @ ${o.commit.slice(0, 10)}`);
    say(line + "\n");
    if (o.error) say(`    ${s.red(o.error)}\n`);
    for (const w of o.warnings ?? []) say(`    ${s.yellow(w)}\n`);
  }
  const order = [
    "cloned",
    "present",
    "linked",
    "would-clone",
    "would-link",
    "conflict",
    "failed",
    "interrupted",
  ];
  const parts = order.filter((k) => counts.get(k)).map((k) => `${counts.get(k)} ${k}`);
  const dry = result.siblings.some((o) => o.status.startsWith("would-"));
  const head = dry
    ? s.bold("dry run, nothing changed")
    : result.ok
    ? s.green("bootstrap done")
    : s.red("bootstrap incomplete");
  p.result(`${head}: ${parts.join(", ") || "nothing to do"}\n`);
  if (result.interrupted) p.result(`interrupted: run \`wrknv ${command}\` again to finish\n`);
  if (result.inactive.siblings.length) p.detail(s.dim(`${inactiveHint(result.inactive)}\n`));
}

/** `3 siblings are in groups off by default (babblesim): add them with --group +babblesim`. */
export function inactiveHint(inactive: { siblings: string[]; groups: string[] }): string {
  const n = inactive.siblings.length;
  return `${n} sibling${n === 1 ? " is" : "s are"} in groups off by default (${
    inactive.groups.join(", ")
  }): add ${n === 1 ? "it" : "them"} with --group ${
    inactive.groups.map((g) => `+${g}`).join(",")
  } or --all`;
}

/** Run `wrknv bootstrap`. */
export async function bootstrapCommand(
  ctx: Context,
  flags: BootstrapFlags,
): Promise<ExitStatus> {
  const options = bootstrapOptions(ctx, flags);
  if (flags.from) {
    // Verify the bundle before anything else touches the disk.
    const bundles = await import("../ops/bundle.ts");
    options.bundle = await bundles.openBundle(flags.from, ctx.cwd);
    await adoptBundleConfig(ctx, flags.from, options.bundle.dir);
  }
  const ws = await ctx.workspace();
  if (options.bundle) {
    // A later `wrknv setup` installs from the bundle's wheels on its own.
    await (await import("../ops/bundle.ts")).rememberBundle(ws, options.bundle);
  }
  const { bootstrap } = await import("../ops/bootstrap.ts");
  const { selectSiblings } = await import("../ops/select.ts");
  const total = selectSiblings(ws, options.selection).length;
  const reporter = progressFor(ctx, total, "cloning", ["present", "cloned", "linked"]);
  let result: BootstrapResult;
  try {
    result = await bootstrap(ws, options, reporter);
  } finally {
    reporter.end();
  }
  const printed = ctx.printer.json(() => ({
    ok: result.ok,
    interrupted: result.interrupted,
    inactive: result.inactive,
    siblings: result.siblings.map((o) => ({
      name: o.name,
      path: o.path,
      status: o.status,
      ...(o.commit ? { commit: o.commit } : {}),
      ...(o.error ? { error: o.error } : {}),
      ...(o.warnings ? { warnings: o.warnings } : {}),
      ...(o.cache ? { cache: o.cache } : {}),
    })),
  }));
  if (!printed) renderBootstrap(ctx, result);
  if (result.interrupted) return ExitCode.interrupted;
  return result.ok ? ExitCode.ok : ExitCode.failed;
}

/** Take the bundle's wrknv.toml when there is none here (see ops/bundle.ts), and say so. */
export async function adoptBundleConfig(
  ctx: Context,
  from: string,
  bundleDir: string,
): Promise<void> {
  const { adoptBundleConfig } = await import("../ops/bundle.ts");
  const took = await adoptBundleConfig(from, bundleDir, { cwd: ctx.cwd, config: ctx.config });
  if (took) ctx.printer.detail(`took wrknv.toml from the bundle\n`);
}
