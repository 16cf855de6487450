/**
 * Choosing siblings: `--only a,b`, `--group g`, `--layer l`. One module for
 * every command that works on several siblings.
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
  /** A group name. */
  group?: string;
  /** A layer name. */
  layer?: string;
}

/**
 * The siblings that the selection chooses, in file order.
 *
 * @throws {ConfigError} for an unknown name, group or layer (with the nearest known one)
 */
export function selectSiblings(ws: Workspace, selection: Selection = {}): Sibling[] {
  let chosen = ws.siblings;
  if (selection.only !== undefined) {
    const names = (Array.isArray(selection.only) ? selection.only : selection.only.split(","))
      .map((n) => n.trim()).filter((n) => n !== "");
    if (names.length === 0) throw new ConfigError("--only: no sibling names given");
    const known = new Set(ws.siblings.map((s) => s.name));
    for (const name of names) {
      if (!known.has(name)) {
        throw new ConfigError(`--only: unknown sibling "${name}"${didYouMean(name, known)}`);
      }
    }
    const wanted = new Set(names);
    chosen = chosen.filter((s) => wanted.has(s.name));
  }
  if (selection.group !== undefined) {
    const groups = new Set(ws.siblings.flatMap((s) => s.groups));
    if (!groups.has(selection.group)) {
      throw new ConfigError(
        `--group: no sibling is in group "${selection.group}"${
          didYouMean(selection.group, groups)
        }`,
      );
    }
    chosen = chosen.filter((s) => s.groups.includes(selection.group!));
  }
  if (selection.layer !== undefined) {
    if (!ws.layers.includes(selection.layer)) {
      throw new ConfigError(
        `--layer: unknown layer "${selection.layer}"${didYouMean(selection.layer, ws.layers)}`,
      );
    }
    chosen = chosen.filter((s) => s.layer === selection.layer);
  }
  return chosen;
}
