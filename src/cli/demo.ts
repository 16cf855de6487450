/**
 * `wrknv demo`: the README's first command. Builds an example workspace in
 * a temporary directory and runs `up` on it, offline.
 *
 * @module
 */
import { relative, resolve } from "node:path";
import { buildDemo } from "../ops/demo.ts";
import { bootstrap } from "../ops/bootstrap.ts";
import { setup, SYSTEM_WHEELS } from "../ops/setup.ts";
import { validate } from "../ops/validate.ts";
import { progressReporter, silentProgress } from "../ui/progress.ts";
import { runtime } from "../runtime.ts";
import { renderBootstrap } from "./bootstrap.ts";
import { renderSetup, setupJson } from "./setup.ts";
import { renderValidate, validateJson } from "./validate.ts";
import { type Context, quieter } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";
import { isDir } from "../fs.ts";

/** Run `wrknv demo`. */
export async function demoCommand(ctx: Context, flags: { keep?: string }): Promise<ExitStatus> {
  const s = ctx.style;
  const dir = flags.keep
    ? resolve(ctx.cwd, flags.keep)
    : await Deno.makeTempDir({ prefix: "wrknv-demo-" });
  if (flags.keep && await isDir(dir) && (await Array.fromAsync(Deno.readDir(dir))).length) {
    const { ConfigError } = await import("../errors.ts");
    throw new ConfigError(`--keep ${flags.keep}: the directory is not empty`);
  }
  const say = ctx.printer.detail;
  say(`${s.bold("wrknv demo")}: four Python packages in three layers, as local git repositories\n`);
  const demo = await buildDemo(dir);
  const ws = demo.workspace;
  say(s.dim(`  remotes   ${demo.remotes}\n  workspace ${demo.meta}/wrknv.toml\n`));
  const progress = (verb: string) =>
    ctx.printer.mode === "json" ? silentProgress() : progressReporter({
      total: ws.siblings.length,
      verb,
      live: runtime.stderrIsTerminal(),
      quiet: true,
      style: ctx.errStyle,
    });

  say(`\n${s.bold("▸ wrknv bootstrap")}\n`);
  const p1 = progress("cloning");
  const b = await bootstrap(ws, { signal: ctx.signal, cache: false }, p1).finally(() => p1.end());
  // Each render prints by the printer's mode: nothing with --json.
  renderBootstrap({ ...ctx, cwd: demo.meta }, b);
  if (!b.ok) return ExitCode.failed;

  say(`\n${s.bold("▸ wrknv setup --offline")}\n`);
  const findLinks = (await isDir(SYSTEM_WHEELS)) ? [SYSTEM_WHEELS] : [];
  const p2 = progress("installing");
  const st = await setup(ws, { offline: true, findLinks, signal: ctx.signal }, p2).finally(() =>
    p2.end()
  );
  renderSetup({ ...ctx, cwd: demo.meta }, st);
  if (!st.ok) return ExitCode.failed;

  say(`\n${s.bold("▸ wrknv validate")}\n`);
  const v = await validate(ws, { signal: ctx.signal });
  renderValidate(quieter({ ...ctx, cwd: demo.meta }), v);
  const printed = ctx.printer.json(() => ({
    ok: v.ok,
    dir,
    meta: demo.meta,
    setup: setupJson(st),
    validate: validateJson(v),
  }));
  if (!printed) {
    say(
      `\nThe workspace is in ${s.bold(demo.meta)}${
        flags.keep ? "" : " (a temporary directory)"
      }. Try:\n`,
    );
    say(
      `  cd ${
        relative(ctx.cwd, demo.meta).startsWith("..") ? demo.meta : relative(ctx.cwd, demo.meta)
      }\n`,
    );
    say(
      `  wrknv status\n  wrknv graph\n  .venv/bin/python -c "import demo_app; demo_app.main()"\n`,
    );
  }
  return v.ok ? ExitCode.ok : ExitCode.failed;
}
