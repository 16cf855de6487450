/** The dependency graph: table-driven. */
import assert from "node:assert/strict";
import {
  buildGraph,
  findCycles,
  type GraphNode,
  layerViolations,
  toDot,
  toJson,
  toMermaid,
  topoLayers,
} from "../src/graph/mod.ts";
import { readPyproject } from "../src/python/pep.ts";
import { ConfigError } from "../src/errors.ts";

const node = (name: string, index: number, deps: string[], layer?: string): GraphNode => ({
  name,
  index,
  layer,
  deps: deps.map((d) => ({ name: d, via: "pyproject" as const })),
});

Deno.test("topological layers, ties in file order", async (t) => {
  const table: [string, GraphNode[], string[][]][] = [
    ["independent", [node("a", 0, []), node("b", 1, [])], [["a", "b"]]],
    ["chain", [node("c", 0, ["b"]), node("b", 1, ["a"]), node("a", 2, [])], [["a"], ["b"], ["c"]]],
    ["diamond", [
      node("top", 0, ["l", "r"]),
      node("r", 1, ["base"]),
      node("l", 2, ["base"]),
      node("base", 3, []),
    ], [
      ["base"],
      ["r", "l"],
      ["top"],
    ]],
    ["unknown deps ignored", [node("a", 0, ["not-a-sibling"])], [["a"]]],
    ["empty", [], []],
  ];
  for (const [name, nodes, want] of table) {
    await t.step(name, () => assert.deepEqual(topoLayers(nodes), want));
  }
});

Deno.test("cycles are named, with where each edge comes from", () => {
  const two = [node("a", 0, ["b"]), node("b", 1, ["a"])];
  assert.deepEqual(findCycles(two), [["a", "b", "a"]]);
  const three: GraphNode[] = [
    node("a", 0, ["b"]),
    { name: "b", index: 1, deps: [{ name: "c", via: "depends_on" }] },
    node("c", 2, ["a"]),
  ];
  assert.throws(
    () => topoLayers(three),
    (e) =>
      e instanceof ConfigError && e.message === "dependency cycle: a -> b -> c (depends_on) -> a",
  );
});

Deno.test("buildGraph matches dependency spellings to projects, adds depends_on, skips markers that do not apply", () => {
  const py = (name: string, deps: string[], extras: Record<string, string[]> = {}) =>
    readPyproject(
      `[project]\nname = "${name}"\ndependencies = [${
        deps.map((d) => JSON.stringify(d)).join(", ")
      }]\n` +
        (Object.keys(extras).length
          ? `[project.optional-dependencies]\n${
            Object.entries(extras).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join("\n")
          }\n`
          : ""),
      { extras: ["dev"] },
    );
  const siblings = [
    { name: "app", index: 0, dependsOn: ["docs-tool"] },
    { name: "foo-bar", index: 1, dependsOn: [] },
    { name: "lib", index: 2, dependsOn: [] },
    { name: "docs-tool", index: 3, dependsOn: [] },
  ];
  const g = buildGraph(siblings, [
    py("app", ['Foo_Bar[extra]>=1; python_version>="3"', "requests", 'lib; python_version < "3"'], {
      dev: ["lib"],
    }),
    py("foo-bar", []),
    py("lib", ["app"].filter(() => false)),
    null,
  ]);
  assert.deepEqual(g.nodes[0].deps, [
    { name: "foo-bar", via: "pyproject" },
    { name: "lib", via: "pyproject" },
    { name: "docs-tool", via: "depends_on" },
  ]);
  assert.deepEqual(g.external.app.map((r) => r.name), ["requests"]);
  assert.deepEqual(topoLayers(g.nodes), [["foo-bar", "lib", "docs-tool"], ["app"]]);
});

Deno.test("layer violations: a lower layer depending on a higher one", () => {
  const nodes = [
    node("f", 0, ["t"], "foundation"),
    node("t", 1, ["f"], "tools"),
    node("x", 2, ["f"]),
  ];
  assert.deepEqual(layerViolations(nodes, ["foundation", "tools"]), [
    { from: "f", to: "t", fromLayer: "foundation", toLayer: "tools" },
  ]);
  assert.deepEqual(
    layerViolations([node("t", 0, ["f"], "tools"), node("f", 1, [], "foundation")], [
      "foundation",
      "tools",
    ]),
    [],
  );
});

Deno.test("renderers", () => {
  const nodes = [node("a", 0, []), {
    name: "b",
    index: 1,
    deps: [{ name: "a", via: "depends_on" as const }],
  }];
  const layers = topoLayers(nodes);
  assert.equal(
    toDot(layers, nodes),
    'digraph wrknv {\n  rankdir=BT;\n  node [shape=box];\n  subgraph cluster_0 {\n    label="layer 1";\n    "a";\n  }\n' +
      '  subgraph cluster_1 {\n    label="layer 2";\n    "b";\n  }\n  "b" -> "a" [style=dashed];\n}\n',
  );
  assert.match(toMermaid(layers, nodes), /flowchart BT\n[\s\S]*b -\.-> a\n$/);
  assert.deepEqual(toJson(layers, nodes), {
    layers: [["a"], ["b"]],
    nodes: [{ name: "a", layer: null, deps: [] }, {
      name: "b",
      layer: null,
      deps: [{ name: "a", via: "depends_on" }],
    }],
  });
});
