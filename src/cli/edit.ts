/**
 * `wrknv add URL` and `wrknv remove NAME`.
 *
 * @module
 */
import { relative } from "node:path";
import { addToConfig, removeFromConfig } from "../ops/edit.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

/** Flags of `wrknv add`. */
export interface AddFlags {
  name?: string;
  path?: string;
  layer?: string;
  group?: string[];
  revision?: string;
  dependsOn?: string[];
  install?: boolean;
}

/** Run `wrknv add`. */
export async function addCommand(ctx: Context, flags: AddFlags, url: string): Promise<ExitStatus> {
  const s = await addToConfig({ cwd: ctx.cwd, config: ctx.config }, url, {
    name: flags.name,
    path: flags.path,
    layer: flags.layer,
    groups: flags.group,
    revision: flags.revision,
    dependsOn: flags.dependsOn,
    install: flags.install === false ? false : undefined,
  });
  if (
    !ctx.printer.json(() => ({ ok: true, added: { name: s.name, path: s.path, repo: s.repo } }))
  ) {
    ctx.printer.detail(`added ${s.name} (${relative(ctx.cwd, s.path) || "."})\n`);
    ctx.printer.detail(ctx.style.dim(`clone it with: wrknv bootstrap --only ${s.name}\n`));
  }
  return ExitCode.ok;
}

/** Run `wrknv remove`. */
export async function removeCommand(
  ctx: Context,
  flags: { dryRun?: boolean },
  name: string,
): Promise<ExitStatus> {
  const dryRun = flags.dryRun ?? false;
  const s = await removeFromConfig({ cwd: ctx.cwd, config: ctx.config }, name, { dryRun });
  const printed = ctx.printer.json(() => ({
    ok: true,
    dry_run: dryRun,
    removed: { name: s.name, path: s.path },
  }));
  if (!printed) {
    ctx.printer.detail(
      dryRun
        ? `would remove ${s.name} from the workspace (dry run: wrknv.toml unchanged)\n`
        : `removed ${s.name} from the workspace\n`,
    );
    ctx.printer.detail(
      ctx.style.dim(`its files stay where they are: ${relative(ctx.cwd, s.path) || "."}\n`),
    );
  }
  return ExitCode.ok;
}
