/**
 * What `wrknv init` proposes from the repositories it found: the Python
 * version, the extras they share, and layers from the dependency graph.
 *
 * @module
 */
import { readPyproject, strictest } from "../python/pep.ts";
import { buildGraph, topoLayers } from "../graph/mod.ts";
import type { Discovered } from "./discover.ts";

/** The proposals. */
export interface Proposals {
  /** The strictest requires-python, when any sibling has one. */
  python?: string;
  /** Extras every Python sibling has. */
  commonExtras: string[];
  /** Sibling names by dependency level, bottom-up (only when there are two levels or more). */
  levels: string[][];
}

/** Propose defaults from the discovered repositories (in the order given). */
export function propose(found: readonly Discovered[]): Proposals {
  const parsed = found.map((d) => {
    if (!d.pyproject) return null;
    try {
      return readPyproject(d.pyproject, { extras: [] });
    } catch {
      return null;
    }
  });
  const specs = parsed.flatMap((p) => p?.requiresPython ? [p.requiresPython] : []);
  const python = specs.length ? strictest(specs) : undefined;
  const withExtras = parsed.filter((p) => p !== null);
  let common: string[] = [];
  if (withExtras.length) {
    common = withExtras[0]!.extrasAvailable.filter((e) =>
      withExtras.every((p) => p!.extrasAvailable.includes(e))
    );
  }
  let levels: string[][] = [];
  try {
    const graph = buildGraph(
      found.map((d, index) => ({ name: d.name, index, dependsOn: [] })),
      parsed,
    );
    levels = topoLayers(graph.nodes);
  } catch {
    levels = [];
  }
  return {
    python: python ?? undefined,
    commonExtras: common,
    levels: levels.length > 1 ? levels : [],
  };
}
