/**
 * Option tables that several commands share, and the types of what the
 * parser makes of them, derived from the tables (see `OptionsOf`).
 *
 * @module
 */
import type { OptionsOf, OptionSpec } from "./args.ts";
import type { Selection } from "../ops/select.ts";
import type { Workspace } from "../config/types.ts";
import type { Context } from "./context.ts";

/** Options every command takes. */
export const GLOBAL_OPTIONS = [
  { flags: "-C, --directory <dir>", description: "run as if started in <dir>" },
  { flags: "--config <file>", description: "use this wrknv.toml instead of searching for one" },
  { flags: "--json", description: "print one JSON document on stdout" },
  { flags: "-q, --quiet", description: "print less" },
  { flags: "-v, --verbose", description: "print more, and stack traces on errors" },
  { flags: "--no-color", description: "no colours (also NO_COLOR)" },
] as const satisfies readonly OptionSpec[];

export const SELECTION = [
  { flags: "--only <names>", type: "list", description: "only these siblings" },
  {
    flags: "--group <groups>",
    type: "list",
    description:
      "only siblings in these groups; +NAME adds a group that is off by default, -NAME leaves one out",
  },
  { flags: "--layer <layer>", description: "only siblings in this layer" },
  { flags: "--all", description: "every sibling, those in workspace.inactive_groups too" },
] as const satisfies readonly OptionSpec[];

export const SINCE = [
  {
    flags: "--since <base>",
    description: "changed since: lock (wrknv.lock), upstream (default) or a branch, tag or commit",
  },
  { flags: "--committed", description: "count commits only, not uncommitted changes" },
  { flags: "--with-extras", description: "follow extras and dependency groups too" },
] as const satisfies readonly OptionSpec[];

export const AFFECTED = [{
  flags: "--affected",
  description: "only siblings that changed or depend on one that did (see wrknv affected)",
}, ...SINCE] as const satisfies readonly OptionSpec[];

export const CLONE = [
  { flags: "-j, --jobs <n>", type: "int", min: 1, default: 8, description: "clones at once" },
  {
    flags: "--retry <n>",
    type: "int",
    default: 2,
    description: "retries of a transient network failure",
  },
  {
    flags: "--timeout <seconds>",
    type: "int",
    min: 1,
    description: "give up on one clone after this long",
  },
  { flags: "--depth <n>", type: "int", min: 1, description: "shallow clones of this depth" },
  { flags: "--filter <spec>", description: "partial clones, e.g. blob:none" },
  {
    flags: "--reference <dir>",
    description: "borrow objects from <dir>/<name>.git where it exists",
  },
  {
    flags: "--link-from <dir>",
    description: "symlink <dir>/<name> into place where it is a clone",
  },
  { flags: "--locked", description: "check out the commits in wrknv.lock" },
  { flags: "--no-cache", description: "do not use the cache of bare mirrors" },
] as const satisfies readonly OptionSpec[];

export const INSTALL = [
  {
    flags: "--offline",
    description:
      "no network: install from --find-links only (--no-index); up also clones from the mirror cache",
  },
  { flags: "--find-links <dir...>", description: "wheel directories (implies --offline)" },
  { flags: "--recreate", description: "remove the venv and make it again" },
  { flags: "--no-hooks", description: "do not run the workspace's hooks" },
  { flags: "--force", description: "reinstall even when everything is up to date" },
] as const satisfies readonly OptionSpec[];

/** `--only`, `--group`, `--layer`, `--all`, parsed. */
export type SelectionFlags = OptionsOf<typeof SELECTION>;
/** `--since`, `--committed`, `--with-extras`, parsed. */
export type SinceFlags = OptionsOf<typeof SINCE>;
/** `--affected` and the flags that say what counts as changed, parsed. */
export type AffectedFlags = OptionsOf<typeof AFFECTED>;
/** The clone options of bootstrap, up and sync, parsed. */
export type CloneFlags = OptionsOf<typeof CLONE>;
/** The install options of setup and up, parsed. */
export type InstallFlags = OptionsOf<typeof INSTALL>;

/** The selection an operation takes, from the selection flags. */
export function selectionOf(flags: SelectionFlags): Selection {
  return { only: flags.only, group: flags.group, layer: flags.layer, all: flags.all };
}

/**
 * The selection of a command that works sibling by sibling (status, sync,
 * exec): run from inside a sibling with no selection flag, just that one, as
 * cargo acts on the package it is run in; `--all` (or any selection flag)
 * widens it. Says so on stderr, unless quiet or JSON.
 */
export async function scopedSelection(
  ctx: Context,
  ws: Workspace,
  flags: SelectionFlags,
): Promise<Selection> {
  const chosen = selectionOf(flags);
  if (chosen.only || chosen.group || chosen.layer || chosen.all) return chosen;
  const { siblingAt } = await import("../config/mod.ts");
  const real = await Deno.realPath(ctx.cwd).catch(() => ctx.cwd);
  const here = siblingAt(ws, ctx.cwd) ?? siblingAt(ws, real);
  if (!here) return chosen;
  ctx.printer.note(
    ctx.errStyle.dim(`in sibling ${here.name}: it alone (--all for every sibling)\n`),
  );
  return { only: [here.name] };
}
