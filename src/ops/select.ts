/**
 * Choosing siblings: `--only a,b`, `--group g`, `--layer l`, `--all`. One
 * module for every command that works on several siblings.
 *
 * Without a selection a command works on the active siblings: those in none
 * of `workspace.inactive_groups` (west's `group-filter: [-babblesim]`, repo's
 * `notdefault`). `--group` takes names, comma-separated or repeated:
 * `NAME` keeps only the siblings in NAME (inactive ones included, as asking
 * for a group by name asks for them), `+NAME` adds NAME's siblings to the
 * active ones, `-NAME` leaves NAME's siblings out. `--only` names siblings,
 * inactive or not; `--all` starts from every sibling.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";
import type { Sibling, Workspace } from "../config/types.ts";

/** The selection flags. All given filters must match (they intersect). */
export interface Selection {
  /** Comma-separated names, or a list. */
  only?: string | string[];
  /** Group names, comma-separated or a list: `NAME`, `+NAME`, `-NAME`. */
  group?: string | string[];
  /** A layer name. */
  layer?: string;
  /** Every sibling, inactive ones included. */
  all?: boolean;
  /**
   * Names a step before chose (`--affected`): only these, in this order
   * instead of file order. Unknown names are passed over; empty chooses none.
   */
  among?: readonly string[];
}

function names(value: string | string[]): string[] {
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(","))
    .map((n) => n.trim()).filter((n) => n !== "");
}

/** True when `s` is in none of the workspace's inactive groups. */
export function isActive(ws: Workspace, s: Sibling): boolean {
  return !s.groups.some((g) => ws.inactiveGroups.includes(g));
}

/**
 * The siblings that the selection chooses, in file order (or `among`'s).
 *
 * @throws {ConfigError} for an unknown name, group or layer (with the nearest known one)
 */
export function selectSiblings(ws: Workspace, selection: Selection = {}): Sibling[] {
  let chosen = ws.siblings;
  if (selection.only !== undefined) {
    const wanted = names(selection.only);
    if (wanted.length === 0) throw new ConfigError("--only: no sibling names given");
    const known = new Set(ws.siblings.map((s) => s.name));
    for (const name of wanted) {
      if (!known.has(name)) {
        throw new ConfigError(`--only: unknown sibling "${name}"${didYouMean(name, known)}`);
      }
    }
    const set = new Set(wanted);
    chosen = chosen.filter((s) => set.has(s.name));
  }
  const keep: string[] = [];
  const add: string[] = [];
  const drop: string[] = [];
  if (selection.group !== undefined) {
    const given = names(selection.group);
    if (given.length === 0) throw new ConfigError("--group: no group names given");
    const groups = new Set(ws.siblings.flatMap((s) => s.groups));
    for (const raw of given) {
      const sign = raw[0] === "+" || raw[0] === "-" ? raw[0] : "";
      const group = raw.slice(sign.length);
      if (!groups.has(group)) {
        throw new ConfigError(
          `--group: no sibling is in group "${group}"${didYouMean(group, groups)}`,
        );
      }
      (sign === "+" ? add : sign === "-" ? drop : keep).push(group);
    }
  }
  const inAny = (s: Sibling, list: string[]) => s.groups.some((g) => list.includes(g));
  if (keep.length) chosen = chosen.filter((s) => inAny(s, keep));
  else if (selection.only === undefined && !selection.all) {
    chosen = chosen.filter((s) => isActive(ws, s) || inAny(s, add));
  }
  if (drop.length) chosen = chosen.filter((s) => !inAny(s, drop));
  if (selection.layer !== undefined) {
    if (!ws.layers.includes(selection.layer)) {
      throw new ConfigError(
        `--layer: unknown layer "${selection.layer}"${didYouMean(selection.layer, ws.layers)}`,
      );
    }
    chosen = chosen.filter((s) => s.layer === selection.layer);
  }
  if (selection.among !== undefined) {
    const rank = new Map(selection.among.map((n, i) => [n, i]));
    chosen = chosen.filter((s) => rank.has(s.name))
      .sort((a, b) => rank.get(a.name)! - rank.get(b.name)!);
  }
  return chosen;
}

/**
 * The siblings that a selection left out only because they are inactive, and
 * the inactive groups that hold them (for a hint: `--group +babblesim`).
 */
export function inactiveOf(
  ws: Workspace,
  selection: Selection = {},
): { siblings: string[]; groups: string[] } {
  if (selection.only !== undefined || selection.all) return { siblings: [], groups: [] };
  const chosen = new Set(selectSiblings(ws, selection));
  const left = selectSiblings(ws, { ...selection, all: true })
    .filter((s) => !chosen.has(s) && !isActive(ws, s));
  const groups = ws.inactiveGroups.filter((g) => left.some((s) => s.groups.includes(g)));
  return { siblings: left.map((s) => s.name), groups };
}
