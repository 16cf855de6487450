/**
 * The dependency graph of the workspace's Python siblings: edges from
 * pyproject.toml (matched by PEP 503 name) and from `depends_on`,
 * deterministic topological layers (ties broken in file order), cycles
 * reported by name, and dependencies that go up the declared layers.
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

/** Where an edge comes from. */
export type Via = "depends_on" | "pyproject";

/** A node: a sibling and the siblings it needs. */
export interface GraphNode {
  /** Sibling name. */
  name: string;
  /** Position in wrknv.toml. */
  index: number;
  /** Declared layer. */
  layer?: string;
  /** Dependencies on other siblings. */
  deps: { name: string; via: Via }[];
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
  dependsOn: string[];
}

/** The graph and what lies outside it. */
export interface Graph {
  /** Nodes in file order. */
  nodes: GraphNode[];
  /** Requirements that no sibling provides, by sibling. */
  external: Record<string, Requirement[]>;
}

function applies(req: Requirement, env: MarkerEnv): boolean {
  if (!req.marker) return true;
  try {
    return evaluateMarker(req.marker, env);
  } catch {
    return true;
  }
}

/**
 * Build the graph. `pyprojects[i]` belongs to `siblings[i]` (null when it has
 * none). Dependencies are matched to siblings by project name (PEP 503);
 * markers are evaluated against `env` (a current CPython on Linux by default).
 */
export function buildGraph(
  siblings: readonly GraphInput[],
  pyprojects: readonly (Pyproject | null)[],
  options: { env?: MarkerEnv } = {},
): Graph {
  const byProject = new Map<string, string>();
  siblings.forEach((s, i) => {
    const p = pyprojects[i];
    if (p?.normalized) byProject.set(p.normalized, s.name);
    byProject.set(normalizeName(s.name), byProject.get(normalizeName(s.name)) ?? s.name);
  });
  const names = new Set(siblings.map((s) => s.name));
  const external: Record<string, Requirement[]> = {};
  const nodes = siblings.map((s, i): GraphNode => {
    const p = pyprojects[i];
    const deps = new Map<string, Via>();
    const reqs = p ? [...p.dependencies, ...p.optional, ...Object.values(p.groups).flat()] : [];
    for (const req of reqs) {
      if (!applies(req, options.env ?? {})) continue;
      const target = p?.normalized && req.normalized === p.normalized
        ? undefined
        : byProject.get(req.normalized);
      // A dependency names a sibling by its project name (or, without [project], its sibling name).
      if (target && target !== s.name) {
        if (!deps.has(target)) deps.set(target, "pyproject");
      } else if (!target) (external[s.name] ??= []).push(req);
    }
    for (const d of s.dependsOn) {
      if (names.has(d) && d !== s.name && !deps.has(d)) deps.set(d, "depends_on");
    }
    return {
      name: s.name,
      index: s.index,
      layer: s.layer,
      deps: [...deps].map(([name, via]) => ({ name, via })),
    };
  });
  return { nodes, external };
}

/** Every cycle, as a path that returns to its start (`["a", "b", "a"]`). */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (name: string) => {
    state.set(name, 1);
    stack.push(name);
    for (const d of by.get(name)?.deps ?? []) {
      if (!by.has(d.name)) continue;
      if (state.get(d.name) === 1) cycles.push([...stack.slice(stack.indexOf(d.name)), d.name]);
      else if (!state.has(d.name)) visit(d.name);
    }
    stack.pop();
    state.set(name, 2);
  };
  for (const n of [...nodes].sort((a, b) => a.index - b.index)) {
    if (!state.has(n.name)) visit(n.name);
  }
  return cycles;
}

function describeCycle(cycle: string[], nodes: readonly GraphNode[]): string {
  const by = new Map(nodes.map((n) => [n.name, n]));
  let text = cycle[0];
  for (let i = 1; i < cycle.length; i++) {
    const via = by.get(cycle[i - 1])?.deps.find((d) => d.name === cycle[i])?.via;
    text += ` -> ${cycle[i]}${via === "depends_on" ? " (depends_on)" : ""}`;
  }
  return text;
}

/**
 * Topological layers: each layer holds the nodes whose dependencies are all
 * in earlier layers, in file order.
 *
 * @throws {ConfigError} naming a cycle
 */
export function topoLayers(nodes: readonly GraphNode[]): string[][] {
  const cycles = findCycles(nodes);
  if (cycles.length) {
    throw new ConfigError(`dependency cycle: ${describeCycle(cycles[0], nodes)}`);
  }
  const present = new Set(nodes.map((n) => n.name));
  const placed = new Set<string>();
  const layers: string[][] = [];
  const sorted = [...nodes].sort((a, b) => a.index - b.index);
  while (placed.size < sorted.length) {
    const layer = sorted.filter((n) =>
      !placed.has(n.name) && n.deps.every((d) => !present.has(d.name) || placed.has(d.name))
    ).map((n) => n.name);
    if (layer.length === 0) break; // unreachable: cycles were ruled out
    for (const n of layer) placed.add(n);
    layers.push(layer);
  }
  return layers;
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

/** Every edge that goes up the declared layers (bottom-up order in `layers`). */
export function layerViolations(
  nodes: readonly GraphNode[],
  layers: readonly string[],
): LayerViolation[] {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const out: LayerViolation[] = [];
  for (const n of nodes) {
    if (!n.layer) continue;
    for (const d of n.deps) {
      const t = by.get(d.name);
      if (!t?.layer) continue;
      if (layers.indexOf(n.layer) < layers.indexOf(t.layer)) {
        out.push({ from: n.name, to: t.name, fromLayer: n.layer, toLayer: t.layer });
      }
    }
  }
  return out;
}

/** Graphviz dot: one cluster per layer, edges from dependant to dependency. */
export function toDot(layers: readonly string[][], nodes: readonly GraphNode[]): string {
  const q = (s: string) => JSON.stringify(s);
  let out = "digraph wrknv {\n  rankdir=BT;\n  node [shape=box];\n";
  layers.forEach((layer, i) => {
    out += `  subgraph cluster_${i} {\n    label=${q(`layer ${i + 1}`)};\n`;
    for (const n of layer) out += `    ${q(n)};\n`;
    out += "  }\n";
  });
  for (const n of nodes) {
    for (const d of n.deps) {
      out += `  ${q(n.name)} -> ${q(d.name)}${d.via === "depends_on" ? " [style=dashed]" : ""};\n`;
    }
  }
  return out + "}\n";
}

/** Mermaid flowchart. */
export function toMermaid(layers: readonly string[][], nodes: readonly GraphNode[]): string {
  const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");
  let out = "flowchart BT\n";
  layers.forEach((layer, i) => {
    out += `  subgraph layer${i + 1}["layer ${i + 1}"]\n`;
    for (const n of layer) out += `    ${id(n)}["${n}"]\n`;
    out += "  end\n";
  });
  for (const n of nodes) {
    for (const d of n.deps) {
      out += `  ${id(n.name)} ${d.via === "depends_on" ? "-.->" : "-->"} ${id(d.name)}\n`;
    }
  }
  return out;
}

/** The graph as a JSON-ready object. */
export function toJson(
  layers: readonly string[][],
  nodes: readonly GraphNode[],
): Record<string, unknown> {
  return {
    layers,
    nodes: nodes.map((n) => ({ name: n.name, layer: n.layer ?? null, deps: n.deps })),
  };
}
