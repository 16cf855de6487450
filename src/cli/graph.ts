/**
 * `wrknv graph`: the install order as layers, or a picture.
 *
 * @module
 */
import { buildGraph, toDot, toJson, toMermaid, topoLayers } from "../graph/mod.ts";
import { selectSiblings } from "../ops/select.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";
import { type SelectionFlags, selectionOf } from "./options.ts";

/** Run `wrknv graph`. */
export async function graphCommand(
  ctx: Context,
  flags: SelectionFlags & { format?: "text" | "dot" | "mermaid" | "json" },
): Promise<ExitStatus> {
  const p = ctx.printer;
  const format = flags.format ?? "text";
  const ws = await ctx.workspace();
  const siblings = selectSiblings(ws, selectionOf(flags)).filter((s) => s.install);
  // Any layout, and what setup learnt from a backend; one distribution name twice is an error.
  const { distributionOwners, readSiblingProjects } = await import("../ops/projects.ts");
  const projects = await readSiblingProjects(ws, siblings);
  distributionOwners(projects);
  const pyprojects = projects.map(({ project }) =>
    project?.kind === "ok" ? project.metadata : null
  );
  const graph = buildGraph(
    siblings.map((s) => ({ name: s.name, index: s.index, layer: s.layer, dependsOn: s.dependsOn })),
    pyprojects,
  );
  const layers = topoLayers(graph.nodes);
  const missing = new Set(
    projects.filter(({ project }) => project?.kind === "absent").map(({ sibling }) => sibling.name),
  );
  const extras = { dropped: graph.dropped, missing };
  const doc = () => toJson(layers, graph.nodes, extras);
  if (p.json(doc)) return ExitCode.ok;
  if (format === "json") p.raw(JSON.stringify(doc(), null, 2) + "\n");
  else if (format === "dot") p.raw(toDot(layers, graph.nodes, extras));
  else if (format === "mermaid") p.raw(toMermaid(layers, graph.nodes, extras));
  else {
    const st = ctx.style;
    const by = new Map(graph.nodes.map((n) => [n.name, n]));
    layers.forEach((layer, i) => {
      ctx.printer.result(`${st.bold(`${i + 1}.`)} ${
        layer.map((n) => {
          const deps = by.get(n)!.deps.map((d) => d.name);
          const name = missing.has(n) ? `${n} ${st.yellow("(missing)")}` : n;
          return deps.length ? `${name} ${st.dim(`(${deps.join(", ")})`)}` : name;
        }).join("  ")
      }\n`);
    });
    for (const d of graph.dropped) {
      ctx.printer.result(
        `${st.yellow("dropped")} ${d.from} -> ${d.to} (${d.via}): it would close the cycle ${
          d.cycle.join(" -> ")
        }\n`,
      );
    }
    if (missing.size) {
      ctx.printer.result(
        `${st.yellow("missing on disk")}: ${
          [...missing].join(", ")
        } (their dependencies are unknown; run: wrknv bootstrap)\n`,
      );
    }
    const unread = siblings.filter((s, i) => pyprojects[i] === null && !missing.has(s.name)).length;
    if (unread) {
      ctx.printer.result(
        st.dim(
          `${unread} sibling(s) without readable Python metadata have no discovered dependencies\n`,
        ),
      );
    }
  }
  return ExitCode.ok;
}
