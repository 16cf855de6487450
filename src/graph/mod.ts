/**
 * The dependency graph of the workspace's Python siblings, pure: edges from
 * pyproject.toml (matched by PEP 503 name) and from `depends_on`,
 * deterministic topological levels (ties broken in file order), cycles
 * reported by name, dependencies that go up the declared layers, and
 * renderings for `wrknv graph`.
 *
 * Edges come in two strengths. A base dependency (`[project].dependencies`)
 * or a declared `depends_on` is hard: a cycle of hard edges is an error. A
 * dependency found only in a chosen extra or a dependency group is soft: it
 * orders the install where it can, and is dropped (and reported) where it
 * would close a cycle, the usual case being a foundation package whose
 * `dev` extra needs the test kit that is built on it.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import {
  evaluateMarker,
  type MarkerEnv,
  normalizeName,
  type Pyproject,
  type Requirement,
} from "../python/pep.ts";

/**
 * Where an edge comes from: `pyproject` (`[project].dependencies`),
 * `depends_on` (wrknv.toml), `extra` (a chosen extra's dependencies) or
 * `group` (a PEP 735 dependency group). The last two are soft.
 */
export type Via = "pyproject" | "depends_on" | "extra" | "group";

/** An edge from a node to a sibling it needs. */
export interface Dep {
  /** The sibling needed. */
  name: string;
  /** Where the edge comes from. */
  via: Via;
}

/** A node: a sibling and the siblings it needs. */
export interface GraphNode {
  /** Sibling name. */
  name: string;
  /** Position in wrknv.toml. */
  index: number;
  /** Declared layer. */
  layer?: string;
  /** Dependencies on other siblings, one edge per sibling. */
  deps: Dep[];
}

/** A sibling as the graph needs it. */
export interface GraphInput {
  /** Name. */
  name: string;
  /** Position in wrknv.toml. */
  index: number;
  /** Layer. */
  layer?: string;
  /** Declared dependencies (sibling names). */
  dependsOn: readonly string[];
  /**
   * False for a sibling that is not a Python package (`install = false`):
   * no requirement names it, even by its own name; only `depends_on` does.
   */
  python?: boolean;
}

/** A soft edge left out because it would close a cycle. */
export interface DroppedEdge {
  /** The sibling that asked for it. */
  from: string;
  /** The sibling it named. */
  to: string;
  /** `extra` or `group`. */
  via: Via;
  /** The cycle it would have closed, from `from` back to `from`. */
  cycle: string[];
}

/** The graph and what lies outside it. */
export interface Graph {
  /** Nodes in file order. */
  nodes: GraphNode[];
  /**
   * Requirements no sibling provides, by sibling: the base dependencies and
   * those of the chosen extras whose markers apply (not dependency groups,
   * which installing a package does not install).
   */
  external: Record<string, Requirement[]>;
  /** Soft edges left out because they would close a cycle, in file order. */
  dropped: DroppedEdge[];
}

/** Whether an edge only orders where it can (from an extra or a dependency group). */
export function isSoft(via: Via): boolean {
  return via === "extra" || via === "group";
}

function applies(req: Requirement, env: MarkerEnv): boolean {
  if (!req.marker) return true;
  try {
    return evaluateMarker(req.marker, env);
  } catch {
    return true; // a marker that cannot be read does not exclude
  }
}

/** A path from `start` to `goal` along `edges`, or null. */
function pathBetween(
  edges: ReadonlyMap<string, readonly string[]>,
  start: string,
  goal: string,
): string[] | null {
  const seen = new Set<string>();
  const walk = (at: string, path: string[]): string[] | null => {
    if (at === goal) return path;
    if (seen.has(at)) return null;
    seen.add(at);
    for (const next of edges.get(at) ?? []) {
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

/**
 * Build the graph. `pyprojects[i]` belongs to `siblings[i]` (null when it
 * has none). A requirement names a sibling by the sibling's project name,
 * compared PEP 503 normalized, or by the sibling's own name when it has no
 * `[project].name`. Markers are evaluated against `env` (CPython 3.11 on
 * Linux by default); requirements whose markers do not apply are left out.
 * Self-references are ignored; `depends_on` names that are not siblings
 * here are too. `groups: false` leaves dependency groups out.
 */
export function buildGraph(
  siblings: readonly GraphInput[],
  pyprojects: readonly (Pyproject | null)[],
  options: { env?: MarkerEnv; groups?: boolean } = {},
): Graph {
  const env = options.env ?? {};
  const byProject = new Map<string, string>();
  siblings.forEach((s, i) => {
    const project = pyprojects[i]?.normalized;
    if (project && !byProject.has(project)) byProject.set(project, s.name);
  });
  siblings.forEach((s, i) => {
    const own = normalizeName(s.name);
    if (s.python === false || pyprojects[i]?.normalized) return;
    if (!byProject.has(own)) byProject.set(own, s.name);
  });
  const names = new Set(siblings.map((s) => s.name));
  const external: Record<string, Requirement[]> = {};

  const nodes = siblings.map((s, i): GraphNode => {
    const p = pyprojects[i];
    const self = p?.normalized ?? normalizeName(s.name);
    const deps = new Map<string, Via>();
    const add = (target: string, via: Via) => {
      const had = deps.get(target);
      if (had === undefined || (isSoft(had) && !isSoft(via))) deps.set(target, via);
    };
    const sources: [readonly Requirement[], Via][] = p
      ? [
        [p.dependencies, "pyproject"],
        [p.optional, "extra"],
        [options.groups === false ? [] : Object.values(p.groups).flat(), "group"],
      ]
      : [];
    for (const [reqs, via] of sources) {
      for (const req of reqs) {
        if (req.normalized === self || !applies(req, env)) continue;
        const target = byProject.get(req.normalized);
        if (target === s.name) continue;
        if (target !== undefined) add(target, via);
        else if (via !== "group") (external[s.name] ??= []).push(req);
      }
    }
    for (const d of s.dependsOn) if (names.has(d) && d !== s.name) add(d, "depends_on");
    return {
      name: s.name,
      index: s.index,
      ...(s.layer !== undefined ? { layer: s.layer } : {}),
      deps: [...deps].map(([name, via]) => ({ name, via })),
    };
  });

  // Soft edges, in file order, join only where they close no cycle.
  const edges = new Map(nodes.map((n) => [n.name, n.deps.filter((d) => !isSoft(d.via))]));
  const reach = new Map([...edges].map(([k, v]) => [k, v.map((d) => d.name)]));
  const dropped: DroppedEdge[] = [];
  for (const n of [...nodes].sort((a, b) => a.index - b.index)) {
    for (const d of n.deps.filter((d) => isSoft(d.via))) {
      const back = pathBetween(reach, d.name, n.name);
      if (back) {
        dropped.push({ from: n.name, to: d.name, via: d.via, cycle: [n.name, ...back] });
      } else {
        edges.get(n.name)!.push(d);
        reach.get(n.name)!.push(d.name);
      }
    }
  }
  for (const n of nodes) {
    const kept = new Set(edges.get(n.name)!);
    n.deps = n.deps.filter((d) => kept.has(d));
  }
  return { nodes, external, dropped };
}

/**
 * Every cycle, as a path that returns to its start (`["a", "b", "a"]`),
 * found by a depth-first walk in file order: each edge that closes a
 * cycle gives one. Dependencies on names that are not nodes are ignored.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, "open" | "done">();
  // The walk's path, with each node's position on it and how many of its edges are done: a loop,
  // not recursion, so a chain of any length fits.
  const path: { name: string; next: number }[] = [];
  const onPath = new Map<string, number>();
  const cycles: string[][] = [];
  const open = (name: string) => {
    state.set(name, "open");
    onPath.set(name, path.length);
    path.push({ name, next: 0 });
  };
  for (const start of [...nodes].sort((a, b) => a.index - b.index)) {
    if (state.has(start.name)) continue;
    open(start.name);
    while (path.length) {
      const top = path[path.length - 1];
      const deps = by.get(top.name)!.deps;
      if (top.next === deps.length) {
        path.pop();
        onPath.delete(top.name);
        state.set(top.name, "done");
        continue;
      }
      const d = deps[top.next++];
      if (!by.has(d.name)) continue;
      const s = state.get(d.name);
      if (s === "open") {
        cycles.push([...path.slice(onPath.get(d.name)!).map((p) => p.name), d.name]);
      } else if (s === undefined) open(d.name);
    }
  }
  return cycles;
}

/** A cycle as text, each edge that is not a base dependency marked with where it comes from. */
export function describeCycle(cycle: readonly string[], nodes: readonly GraphNode[]): string {
  const by = new Map(nodes.map((n) => [n.name, n]));
  let text = cycle[0];
  for (let i = 1; i < cycle.length; i++) {
    const via = by.get(cycle[i - 1])?.deps.find((d) => d.name === cycle[i])?.via;
    text += ` -> ${cycle[i]}${via && via !== "pyproject" ? ` (${via})` : ""}`;
  }
  return text;
}

/**
 * Topological levels (Kahn): each level holds the nodes whose dependencies
 * are all in earlier levels, in file order; the first holds those with
 * none. Dependencies on names that are not nodes are ignored.
 *
 * @throws {ConfigError} naming a cycle: `dependency cycle: a -> b -> a`
 */
export function topoLayers(nodes: readonly GraphNode[]): string[][] {
  const cycles = findCycles(nodes);
  if (cycles.length) {
    throw new ConfigError(`dependency cycle: ${describeCycle(cycles[0], nodes)}`);
  }
  // A node's level is one more than its highest dependency's (0 with none): the round of Kahn's
  // algorithm that would place it, found in one walk instead of one pass over all nodes per level.
  const by = new Map(nodes.map((n) => [n.name, n]));
  const level = new Map<string, number>();
  for (const start of nodes) {
    if (level.has(start.name)) continue;
    const stack = [start];
    while (stack.length) {
      const n = stack[stack.length - 1];
      const waiting = n.deps.filter((d) => by.has(d.name) && !level.has(d.name));
      if (waiting.length) {
        stack.push(...waiting.map((d) => by.get(d.name)!));
        continue;
      }
      stack.pop();
      if (level.has(n.name)) continue;
      let l = 0;
      for (const d of n.deps) if (by.has(d.name)) l = Math.max(l, level.get(d.name)! + 1);
      level.set(n.name, l);
    }
  }
  const levels: string[][] = [];
  for (const n of [...nodes].sort((a, b) => a.index - b.index)) {
    (levels[level.get(n.name)!] ??= []).push(n.name);
  }
  return levels;
}

/** What a change reaches: {@linkcode affectedBy}'s answer. */
export interface Affected {
  /** The changed nodes and every node that depends on one, in file order. */
  affected: string[];
  /**
   * For each affected node, the path of dependencies that makes it affected,
   * ending at a changed node (`tools: ["framework", "foundation"]`); empty for
   * a changed node.
   */
  why: Record<string, string[]>;
}

/**
 * The nodes that `changed` reaches: each changed node and every node that
 * depends on one, directly or transitively, following hard edges
 * (`[project].dependencies`, `depends_on`) and, with `soft: true`, extras and
 * dependency groups too. Each gets its shortest path to a changed node (ties
 * broken in file order). Names that are not nodes are ignored.
 */
export function affectedBy(
  nodes: readonly GraphNode[],
  changed: Iterable<string>,
  options: { soft?: boolean } = {},
): Affected {
  const sorted = [...nodes].sort((a, b) => a.index - b.index);
  const dependents = new Map<string, string[]>(sorted.map((n) => [n.name, []]));
  for (const n of sorted) {
    for (const d of n.deps) {
      if (isSoft(d.via) && !options.soft) continue;
      dependents.get(d.name)?.push(n.name);
    }
  }
  const wanted = new Set(changed);
  const why: Record<string, string[]> = {};
  const queue = sorted.filter((n) => wanted.has(n.name)).map((n) => n.name);
  for (const name of queue) why[name] = [];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i];
    for (const next of dependents.get(at)!) {
      if (next in why) continue;
      why[next] = [at, ...why[at]];
      queue.push(next);
    }
  }
  return { affected: sorted.map((n) => n.name).filter((n) => n in why), why };
}

/**
 * The graph restricted to `keep`, order kept: a kept node depends on each
 * kept node it reaches through nodes left out (`a -> x -> b` with `x` left
 * out becomes `a -> b`), so {@linkcode topoLayers} of the result orders the
 * kept nodes as the whole graph would. Each edge keeps the strength of the
 * first edge on its path.
 */
export function subgraph(nodes: readonly GraphNode[], keep: Iterable<string>): GraphNode[] {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const kept = new Set(keep);
  return nodes.filter((n) => kept.has(n.name)).map((n) => {
    const deps = new Map<string, Via>();
    const seen = new Set<string>();
    const walk = (from: GraphNode, via: Via | undefined) => {
      for (const d of from.deps) {
        if (seen.has(d.name) || !by.has(d.name)) continue;
        seen.add(d.name);
        if (kept.has(d.name)) deps.set(d.name, via ?? d.via);
        else walk(by.get(d.name)!, via ?? d.via);
      }
    };
    walk(n, undefined);
    return { ...n, deps: [...deps].map(([name, via]) => ({ name, via })) };
  });
}

/** A dependency from a lower layer on a higher one. */
export interface LayerViolation {
  /** The sibling that depends. */
  from: string;
  /** The sibling it depends on. */
  to: string;
  /** Its layer. */
  fromLayer: string;
  /** The other's layer. */
  toLayer: string;
}

/**
 * Every edge from a node in a lower layer to a node in a higher one
 * (`layers` is bottom-up). Nodes without a layer, or with one not in
 * `layers`, are passed over. Soft edges (extras, dependency groups) count
 * only with `soft: true`: a foundation's test extra may well need a tool
 * from above.
 */
export function layerViolations(
  nodes: readonly GraphNode[],
  layers: readonly string[],
  options: { soft?: boolean } = {},
): LayerViolation[] {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const rank = (layer: string | undefined) => layer === undefined ? -1 : layers.indexOf(layer);
  const out: LayerViolation[] = [];
  for (const n of [...nodes].sort((a, b) => a.index - b.index)) {
    if (rank(n.layer) < 0) continue;
    for (const d of n.deps) {
      if (isSoft(d.via) && !options.soft) continue;
      const t = by.get(d.name);
      if (!t || rank(t.layer) < 0) continue;
      if (rank(n.layer) < rank(t.layer)) {
        out.push({ from: n.name, to: t.name, fromLayer: n.layer!, toLayer: t.layer! });
      }
    }
  }
  return out;
}

/** What a rendering shows beside the graph: dropped soft edges and siblings missing on disk. */
export interface RenderExtras {
  /** Soft edges left out to break a cycle ({@link Graph.dropped}). */
  dropped?: readonly DroppedEdge[];
  /** Siblings that are not on disk. */
  missing?: ReadonlySet<string>;
}

const EDGE_STYLE: Record<Via, { dot: string; mermaid: string }> = {
  pyproject: { dot: "", mermaid: "-->" },
  depends_on: { dot: " [style=dashed]", mermaid: "-.->" },
  extra: { dot: " [style=dotted]", mermaid: "-. extra .->" },
  group: { dot: " [style=dotted]", mermaid: "-. group .->" },
};

/**
 * Graphviz dot: one cluster per topological level (bottom-up), edges from
 * dependant to dependency; `depends_on` edges dashed, extras and groups
 * dotted. A node's declared layer is shown under its name; a sibling
 * missing on disk is dashed and says so; a dropped edge is grey, labelled
 * and does not rank.
 */
export function toDot(
  levels: readonly string[][],
  nodes: readonly GraphNode[],
  extras: RenderExtras = {},
): string {
  const q = (s: string) => JSON.stringify(s);
  const by = new Map(nodes.map((n) => [n.name, n]));
  let out = "digraph wrknv {\n  rankdir=BT;\n  node [shape=box];\n";
  levels.forEach((level, i) => {
    out += `  subgraph cluster_${i} {\n    label=${q(`level ${i + 1}`)};\n`;
    for (const name of level) {
      const layer = by.get(name)?.layer;
      const missing = extras.missing?.has(name) ?? false;
      const label = [name, ...(layer ? [layer] : []), ...(missing ? ["(missing)"] : [])];
      const attrs = [
        ...(label.length > 1 ? [`label=${q(label.join("\n"))}`] : []),
        ...(missing ? ["style=dashed"] : []),
      ];
      out += `    ${q(name)}${attrs.length ? ` [${attrs.join(", ")}]` : ""};\n`;
    }
    out += "  }\n";
  });
  for (const n of nodes) {
    for (const d of n.deps) out += `  ${q(n.name)} -> ${q(d.name)}${EDGE_STYLE[d.via].dot};\n`;
  }
  for (const d of extras.dropped ?? []) {
    out += `  ${q(d.from)} -> ${q(d.to)} [style=dotted, color=gray, constraint=false, label=${
      q(`dropped (${d.via})`)
    }];\n`;
  }
  return out + "}\n";
}

/**
 * A Mermaid flowchart: one subgraph per topological level (bottom-up);
 * `depends_on` edges dotted, extras and groups dotted and labelled; a
 * sibling missing on disk says so, a dropped edge is labelled.
 */
export function toMermaid(
  levels: readonly string[][],
  nodes: readonly GraphNode[],
  extras: RenderExtras = {},
): string {
  // Ids by position, so that names differing only in punctuation stay apart.
  const ids = new Map<string, string>();
  const id = (name: string) => {
    if (!ids.has(name)) ids.set(name, `n${ids.size}`);
    return ids.get(name)!;
  };
  const label = (s: string) => `"${s.replace(/"/g, "#quot;")}"`;
  let out = "flowchart BT\n";
  levels.forEach((level, i) => {
    out += `  subgraph level${i + 1}["level ${i + 1}"]\n`;
    for (const name of level) {
      out += `    ${id(name)}[${label(extras.missing?.has(name) ? `${name} (missing)` : name)}]\n`;
    }
    out += "  end\n";
  });
  for (const n of nodes) {
    for (const d of n.deps) {
      out += `  ${id(n.name)} ${EDGE_STYLE[d.via].mermaid} ${id(d.name)}\n`;
    }
  }
  for (const d of extras.dropped ?? []) {
    out += `  ${id(d.from)} -. dropped ${d.via} .-> ${id(d.to)}\n`;
  }
  return out;
}

/** The graph as JSON. */
export interface GraphJson {
  /** Topological levels, as `topoLayers` returns them. */
  layers: string[][];
  /** Each node: its declared layer, whether it is missing on disk, its edges. */
  nodes: { name: string; layer: string | null; missing: boolean; deps: Dep[] }[];
  /** Soft edges left out to break a cycle, each with the cycle it would have closed. */
  dropped: DroppedEdge[];
}

/**
 * The graph as a JSON-ready object: the topological levels (`layers`, as
 * `topoLayers` returns them), each node with its declared layer, whether
 * it is missing on disk and its edges, and the dropped edges.
 */
export function toJson(
  levels: readonly string[][],
  nodes: readonly GraphNode[],
  extras: RenderExtras = {},
): GraphJson {
  return {
    layers: levels.map((l) => [...l]),
    nodes: nodes.map((n) => ({
      name: n.name,
      layer: n.layer ?? null,
      missing: extras.missing?.has(n.name) ?? false,
      deps: n.deps.map((d) => ({ ...d })),
    })),
    dropped: (extras.dropped ?? []).map((d) => ({ ...d, cycle: [...d.cycle] })),
  };
}
