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
import { ExitCode, type ExitStatus } from "../errors.ts";
import { type Context, progressFor, quieter } from "./context.ts";

/** Flags of `wrknv up`. */
export type UpFlags = BootstrapFlags & SetupFlags & { from?: string };

/** Run `wrknv up`. */
export async function upCommand(ctx: Context, flags: UpFlags): Promise<ExitStatus> {
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
  const p = ctx.printer;
  const doc: Record<string, unknown> = {};
  const heading = (text: string) => p.detail(`\n${s.bold(`▸ ${text}`)}\n`);
  const bundle = verified;

  heading("bootstrap");
  const { bootstrap } = await import("../ops/bootstrap.ts");
  const reporter = (verb: string, quietStatuses: string[]) =>
    progressFor(ctx, ws.siblings.length, verb, quietStatuses);
  const r1 = reporter("cloning", ["present", "cloned", "linked"]);
  const b = await bootstrap(ws, { ...bootstrapOptions(ctx, flags), bundle }, r1).finally(() =>
    r1.end()
  );
  doc.bootstrap = { ok: b.ok, siblings: b.siblings };
  // Each render prints by the printer's mode: nothing with --json.
  renderBootstrap(ctx, b, "up");
  if (flags.dryRun) {
    p.result(s.dim("setup and validate: not run in a dry run (they need the clones)\n"));
    return finish(ctx, { ...doc, dry_run: true }, b.ok ? ExitCode.ok : ExitCode.failed);
  }
  if (!b.ok) return finish(ctx, doc, b.interrupted ? ExitCode.interrupted : ExitCode.failed);

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
  renderSetup(ctx, st);
  if (!st.ok) return finish(ctx, doc, ExitCode.failed);

  heading("validate");
  const { validate } = await import("../ops/validate.ts");
  const v = await validate(ws, {
    selection: bootstrapOptions(ctx, flags).selection,
    signal: ctx.signal,
  });
  doc.validate = validateJson(v);
  // Only what is wrong, and the count: every check is `wrknv validate` (or up -v).
  renderValidate(ctx.verbose ? ctx : quieter(ctx), v);
  if (!ctx.verbose) p.detail(s.dim(`${v.checks.length} checks; wrknv validate lists them all\n`));
  return finish(ctx, doc, v.ok ? ExitCode.ok : ExitCode.failed);
}

function finish(ctx: Context, doc: Record<string, unknown>, code: ExitStatus): ExitStatus {
  ctx.printer.json(() => ({ ok: code === ExitCode.ok, ...doc }));
  return code;
}
