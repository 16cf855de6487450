/**
 * `wrknv trust`: show the hooks, ask, and remember the trust (or forget it).
 *
 * @module
 */
import { runtime } from "../runtime.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus, WrknvError } from "../errors.ts";

/** Run `wrknv trust`. */
export async function trustCommand(
  ctx: Context,
  flags: { yes?: boolean; revoke?: boolean },
): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const trust = await import("../ops/trust.ts");
  if (flags.revoke) {
    const had = await trust.untrust(ws.configPath);
    if (!ctx.printer.json(() => ({ trusted: false, revoked: had, config: ws.configPath }))) {
      ctx.printer.result(had ? "trust revoked\n" : "this workspace was not trusted\n");
    }
    return ExitCode.ok;
  }
  if (!trust.hasHooks(ws)) {
    if (!ctx.printer.json(() => ({ trusted: false, hooks: 0, config: ws.configPath }))) {
      ctx.printer.result(`${ws.configPath} has no hooks: there is nothing to trust\n`);
    }
    return ExitCode.ok;
  }
  if (await trust.isTrusted(ws)) {
    if (!ctx.printer.json(() => ({ trusted: true, config: ws.configPath }))) {
      ctx.printer.result("these hooks are already trusted\n");
    }
    return ExitCode.ok;
  }
  // The loader refuses hooks with control characters; escaped again here, as
  // what is shown for approval must be exactly what runs.
  const { printable } = await import("../text.ts");
  const hooks = [
    ...ws.hooks.preInstall.map((h) => `pre_install:  ${printable(h)}`),
    ...ws.hooks.postInstall.map((h) => `post_install: ${printable(h)}`),
  ];
  if (!flags.yes) {
    if (!runtime.stdinIsTerminal()) {
      throw new WrknvError(
        "wrknv trust needs a terminal to ask; after reviewing wrknv.toml, run `wrknv trust --yes`",
        { exitCode: ExitCode.usage },
      );
    }
    // The question is asked on the terminal, whatever the mode: it must be seen to be answered.
    ctx.printer.rawErr(`${ws.configPath} runs these shell commands during setup:\n`);
    for (const h of hooks) ctx.printer.rawErr(`  ${h}\n`);
    const answer = prompt("Trust this workspace and run them? [y/N]");
    if (!answer || !/^y(es)?$/i.test(answer.trim())) {
      ctx.printer.rawErr("not trusted\n");
      return ExitCode.failed;
    }
  }
  const key = await trust.trust(ws);
  if (!ctx.printer.json(() => ({ trusted: true, key, config: ws.configPath }))) {
    ctx.printer.result(
      `trusted ${hooks.length} hook${
        hooks.length === 1 ? "" : "s"
      }; changing a hook ends the trust (editing siblings does not)\n`,
    );
  }
  return ExitCode.ok;
}
