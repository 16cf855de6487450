/**
 * `wrknv graph`: the install order as layers, or a picture.
 *
 * @module
 */
import { join } from "node:path";
import { readPyproject } from "../python/pep.ts";
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
  const pyprojects = await Promise.all(siblings.map(async (s) => {
    try {
      return readPyproject(await Deno.readTextFile(join(s.path, "pyproject.toml")), {
        extras: ws.python.extras,
      });
    } catch {
      return null;
    }
  }));
  const graph = buildGraph(
    siblings.map((s) => ({ name: s.name, index: s.index, layer: s.layer, dependsOn: s.dependsOn })),
    pyprojects,
  );
  const layers = topoLayers(graph.nodes);
  if (format === "json") printJson(ctx, toJson(layers, graph.nodes));
  else if (format === "dot") ctx.out(toDot(layers, graph.nodes));
  else if (format === "mermaid") ctx.out(toMermaid(layers, graph.nodes));
  else {
    const by = new Map(graph.nodes.map((n) => [n.name, n]));
    layers.forEach((layer, i) => {
      ctx.out(`${ctx.style.bold(`${i + 1}.`)} ${
        layer.map((n) => {
          const deps = by.get(n)!.deps.map((d) => d.name);
          return deps.length ? `${n} ${ctx.style.dim(`(${deps.join(", ")})`)}` : n;
        }).join("  ")
      }\n`);
    });
    const missing = pyprojects.filter((p) => p === null).length;
    if (missing) {
      ctx.out(
        ctx.style.dim(
          `${missing} sibling(s) without a readable pyproject.toml have no discovered dependencies\n`,
        ),
      );
    }
  }
  return 0;
}
