/**
 * `wrknv graph`: the install order as layers, or a picture.
 *
 * @module
 */
import { buildGraph, toDot, toJson, toMermaid, topoLayers } from "../graph/mod.ts";
import { selectSiblings } from "../ops/select.ts";
import { type Context, printJson } from "./context.ts";
import { type SelectionFlags, selectionOf } from "./options.ts";

/** Run `wrknv graph`. */
export async function graphCommand(
  ctx: Context,
  flags: SelectionFlags & { format?: "text" | "dot" | "mermaid" | "json" },
): Promise<number> {
  const format = ctx.json ? "json" : flags.format ?? "text";
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
  if (format === "json") printJson(ctx, toJson(layers, graph.nodes, extras));
  else if (format === "dot") ctx.out(toDot(layers, graph.nodes, extras));
  else if (format === "mermaid") ctx.out(toMermaid(layers, graph.nodes, extras));
  else {
    const st = ctx.style;
    const by = new Map(graph.nodes.map((n) => [n.name, n]));
    layers.forEach((layer, i) => {
      ctx.out(`${st.bold(`${i + 1}.`)} ${
        layer.map((n) => {
          const deps = by.get(n)!.deps.map((d) => d.name);
          const name = missing.has(n) ? `${n} ${st.yellow("(missing)")}` : n;
          return deps.length ? `${name} ${st.dim(`(${deps.join(", ")})`)}` : name;
        }).join("  ")
      }\n`);
    });
    for (const d of graph.dropped) {
      ctx.out(
        `${st.yellow("dropped")} ${d.from} -> ${d.to} (${d.via}): it would close the cycle ${
          d.cycle.join(" -> ")
        }\n`,
      );
    }
    if (missing.size) {
      ctx.out(
        `${st.yellow("missing on disk")}: ${
          [...missing].join(", ")
        } (their dependencies are unknown; run: wrknv bootstrap)\n`,
      );
    }
    const unread = siblings.filter((s, i) => pyprojects[i] === null && !missing.has(s.name)).length;
    if (unread) {
      ctx.out(
        st.dim(
          `${unread} sibling(s) without readable Python metadata have no discovered dependencies\n`,
        ),
      );
    }
  }
  return 0;
}
