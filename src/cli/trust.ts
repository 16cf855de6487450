/**
 * `wrknv trust`: show the hooks, ask, and remember the trust (or forget it).
 *
 * @module
 */
import { runtime } from "../runtime.ts";
import { type Context, printJson } from "./context.ts";
import { WrknvError } from "../errors.ts";

/** Run `wrknv trust`. */
export async function trustCommand(
  ctx: Context,
  flags: { yes?: boolean; revoke?: boolean },
): Promise<number> {
  const ws = await ctx.workspace();
  const trust = await import("../ops/trust.ts");
  if (flags.revoke) {
    const had = await trust.untrust(ws.configPath);
    ctx.out(had ? "trust revoked\n" : "this workspace was not trusted\n");
    return 0;
  }
  if (!trust.hasHooks(ws)) {
    if (ctx.json) printJson(ctx, { trusted: false, hooks: 0, config: ws.configPath });
    else ctx.out(`${ws.configPath} has no hooks: there is nothing to trust\n`);
    return 0;
  }
  if (await trust.isTrusted(ws)) {
    if (ctx.json) printJson(ctx, { trusted: true, config: ws.configPath });
    else ctx.out("these hooks are already trusted\n");
    return 0;
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
        {
          exitCode: 2,
        },
      );
    }
    ctx.err(`${ws.configPath} runs these shell commands during setup:\n`);
    for (const h of hooks) ctx.err(`  ${h}\n`);
    const answer = prompt("Trust this workspace and run them? [y/N]");
    if (!answer || !/^y(es)?$/i.test(answer.trim())) {
      ctx.err("not trusted\n");
      return 1;
    }
  }
  const key = await trust.trust(ws);
  if (ctx.json) printJson(ctx, { trusted: true, key, config: ws.configPath });
  else {
    ctx.out(
      `trusted ${hooks.length} hook${
        hooks.length === 1 ? "" : "s"
      }; changing a hook ends the trust (editing siblings does not)\n`,
    );
  }
  return 0;
}
