/**
 * `wrknv up`: bootstrap, then setup, then validate, stopping at the first
 * step that fails.
 *
 * @module
 */
import {
  adoptBundleConfig,
  type BootstrapFlags,
  bootstrapOptions,
  renderBootstrap,
} from "./bootstrap.ts";
import { renderSetup, type SetupFlags, setupJson, setupOptions } from "./setup.ts";
import { renderValidate, validateJson } from "./validate.ts";
import { type Progress, progressReporter, silentProgress } from "../ui/progress.ts";
import { runtime } from "../runtime.ts";
import { type Context, printJson } from "./context.ts";

/** Flags of `wrknv up`. */
export type UpFlags = BootstrapFlags & SetupFlags & { from?: string };

/** Run `wrknv up`. */
export async function upCommand(ctx: Context, flags: UpFlags): Promise<number> {
  if (flags.dryRun && flags.from) {
    const { ConfigError } = await import("../errors.ts");
    throw new ConfigError("--dry-run and --from: a dry run takes no wrknv.toml from a bundle");
  }
  const verified = flags.from
    ? await (await import("../ops/bundle.ts")).openBundle(flags.from, ctx.cwd)
    : undefined;
  if (flags.from && verified) await adoptBundleConfig(ctx, flags.from, verified.dir);
  const ws = await ctx.workspace();
  const s = ctx.style;
  const doc: Record<string, unknown> = {};
  const heading = (text: string) => {
    if (!ctx.json && !ctx.quiet) ctx.out(`\n${s.bold(`▸ ${text}`)}\n`);
  };
  const bundle = verified;

  heading("bootstrap");
  const { bootstrap } = await import("../ops/bootstrap.ts");
  const live = runtime.stderrIsTerminal();
  const reporter = (verb: string, quietStatuses: string[]): Progress =>
    ctx.json ? silentProgress() : progressReporter({
      total: ws.siblings.length,
      verb,
      live,
      quiet: ctx.quiet,
      style: ctx.errStyle,
      quietStatuses,
    });
  const r1 = reporter("cloning", ["present", "cloned", "linked"]);
  const b = await bootstrap(ws, { ...bootstrapOptions(ctx, flags), bundle }, r1).finally(() =>
    r1.end()
  );
  doc.bootstrap = { ok: b.ok, siblings: b.siblings };
  if (!ctx.json) renderBootstrap(ctx, b, "up");
  if (flags.dryRun) {
    if (!ctx.json) {
      ctx.out(s.dim("setup and validate: not run in a dry run (they need the clones)\n"));
    }
    return finish(ctx, { ...doc, dry_run: true }, b.ok ? 0 : 1);
  }
  if (!b.ok) return finish(ctx, doc, b.interrupted ? 130 : 1);

  heading("setup");
  const { setup } = await import("../ops/setup.ts");
  const r2 = reporter("installing", ["installed"]);
  const options = setupOptions(ctx, flags);
  if (bundle) {
    options.offline = true;
    options.findLinks = [...(options.findLinks ?? []), bundle.wheels];
  }
  const st = await setup(ws, options, r2).finally(() => r2.end());
  doc.setup = setupJson(st);
  if (!ctx.json) renderSetup(ctx, st);
  if (!st.ok) return finish(ctx, doc, 1);

  heading("validate");
  const { validate } = await import("../ops/validate.ts");
  const v = await validate(ws, {
    selection: bootstrapOptions(ctx, flags).selection,
    signal: ctx.signal,
  });
  doc.validate = validateJson(v);
  if (!ctx.json) {
    // Only what is wrong, and the count: every check is `wrknv validate` (or up -v).
    renderValidate(ctx.verbose ? ctx : { ...ctx, quiet: true }, v);
    if (!ctx.verbose && !ctx.quiet) {
      ctx.out(s.dim(`${v.checks.length} checks; wrknv validate lists them all\n`));
    }
  }
  return finish(ctx, doc, v.ok ? 0 : 1);
}

function finish(ctx: Context, doc: Record<string, unknown>, code: number): number {
  if (ctx.json) printJson(ctx, { ok: code === 0, ...doc });
  return code;
}
