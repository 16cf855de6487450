/** The dependency graph: table-driven. */
import assert from "node:assert/strict";
import {
  affectedBy,
  buildGraph,
  type Dep,
  describeCycle,
  findCycles,
  type GraphInput,
  type GraphNode,
  layerViolations,
  subgraph,
  toDot,
  toJson,
  toMermaid,
  topoLayers,
  type Via,
} from "../src/graph/mod.ts";
import { formatRequirement, type MarkerEnv, readPyproject } from "../src/python/pep.ts";
import { ConfigError } from "../src/errors.ts";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { writeFiles } from "./support/git.ts";
import { mulberry32 } from "./support/random.ts";

/** A node; a dep written `x:depends_on` (or `:extra`, `:group`) says where it comes from. */
function node(name: string, index: number, deps: string[], layer?: string): GraphNode {
  return {
    name,
    index,
    ...(layer ? { layer } : {}),
    deps: deps.map((d): Dep => {
      const [dep, via = "pyproject"] = d.split(":");
      return { name: dep, via: via as Via };
    }),
  };
}

Deno.test("topological layers: Kahn levels, ties in config order", async (t) => {
  const table: [string, GraphNode[], string[][]][] = [
    ["independent", [node("a", 0, []), node("b", 1, []), node("c", 2, [])], [["a", "b", "c"]]],
    ["chain", [node("c", 0, ["b"]), node("b", 1, ["a"]), node("a", 2, [])], [["a"], ["b"], ["c"]]],
    ["diamond", [
      node("top", 0, ["l", "r"]),
      node("r", 1, ["base"]),
      node("l", 2, ["base"]),
      node("base", 3, []),
    ], [["base"], ["r", "l"], ["top"]]],
    ["ties follow the config index, not the array order", [
      node("z", 2, []),
      node("y", 0, []),
      node("x", 1, []),
    ], [["y", "x", "z"]]],
    ["a node waits for its deepest dependency", [
      node("app", 0, ["lib", "core"]),
      node("lib", 1, ["core"]),
      node("core", 2, []),
      node("tool", 3, []),
    ], [["core", "tool"], ["lib"], ["app"]]],
    ["every kind of edge orders", [
      node("a", 0, ["b:depends_on", "c:extra", "d:group"]),
      node("b", 1, []),
      node("c", 2, []),
      node("d", 3, []),
    ], [["b", "c", "d"], ["a"]]],
    ["dependencies on unknown names are ignored", [node("a", 0, ["not-a-sibling"])], [["a"]]],
    ["empty", [], []],
  ];
  for (const [name, nodes, want] of table) {
    await t.step(name, () => assert.deepEqual(topoLayers(nodes), want));
  }
});

/** Kahn's algorithm as written in textbooks: one pass over every node per level. */
function naiveLayers(nodes: readonly GraphNode[]): string[][] {
  const present = new Set(nodes.map((n) => n.name));
  const placed = new Set<string>();
  const levels: string[][] = [];
  const sorted = [...nodes].sort((a, b) => a.index - b.index);
  while (placed.size < sorted.length) {
    const level = sorted.filter((n) =>
      !placed.has(n.name) && n.deps.every((d) => !present.has(d.name) || placed.has(d.name))
    ).map((n) => n.name);
    for (const n of level) placed.add(n);
    levels.push(level);
  }
  return levels;
}

/** The plain recursive depth-first walk: every edge back to an open node closes a cycle. */
function naiveCycles(nodes: readonly GraphNode[]): string[][] {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (name: string) => {
    state.set(name, "open");
    stack.push(name);
    for (const d of by.get(name)!.deps) {
      if (!by.has(d.name)) continue;
      const s = state.get(d.name);
      if (s === "open") cycles.push([...stack.slice(stack.indexOf(d.name)), d.name]);
      else if (s === undefined) visit(d.name);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const n of [...nodes].sort((a, b) => a.index - b.index)) {
    if (!state.has(n.name)) visit(n.name);
  }
  return cycles;
}

/** A random graph of `n` nodes, shuffled indexes; `acyclic` keeps every edge pointing back. */
function randomGraph(random: () => number, n: number, acyclic: boolean): GraphNode[] {
  const order = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
  return Array.from({ length: n }, (_, i) => {
    const deps = new Set<string>();
    const count = Math.floor(random() * 4);
    for (let k = 0; k < count; k++) {
      const j = Math.floor(random() * n);
      if (acyclic ? j < i : j !== i) deps.add(`n${j}`);
    }
    if (random() < 0.1) deps.add("outside");
    return node(`n${i}`, order[i], [...deps]);
  });
}

Deno.test("topoLayers and findCycles agree with the textbook algorithms on random graphs", () => {
  const random = mulberry32(20261203);
  for (let round = 0; round < 300; round++) {
    const n = 1 + Math.floor(random() * 30);
    const dag = randomGraph(random, n, true);
    assert.deepEqual(topoLayers(dag), naiveLayers(dag), `round ${round}`);
    const any = randomGraph(random, n, false);
    assert.deepEqual(findCycles(any), naiveCycles(any), `round ${round}`);
  }
});

Deno.test("a chain of 30,000 siblings: 30,000 levels, no stack overflow", () => {
  const n = 30_000;
  const chain = Array.from({ length: n }, (_, i) => node(`p${i}`, i, i ? [`p${i - 1}`] : []));
  const levels = topoLayers(chain);
  assert.equal(levels.length, n);
  assert.deepEqual(levels[n - 1], [`p${n - 1}`]);
  // The same chain closed into a ring is one cycle through all of it.
  chain[0].deps.push({ name: `p${n - 1}`, via: "pyproject" });
  const cycles = findCycles(chain);
  assert.equal(cycles.length, 1);
  assert.equal(cycles[0].length, n + 1);
});

Deno.test("cycles: found, named, and refused by topoLayers", async (t) => {
  const table: [string, GraphNode[], string[][], string | null][] = [
    ["none", [node("a", 0, ["b"]), node("b", 1, [])], [], null],
    [
      "two",
      [node("a", 0, ["b"]), node("b", 1, ["a"])],
      [["a", "b", "a"]],
      "dependency cycle: a -> b -> a",
    ],
    [
      "three, one edge declared",
      [node("a", 0, ["b"]), node("b", 1, ["c:depends_on"]), node("c", 2, ["a"])],
      [["a", "b", "c", "a"]],
      "dependency cycle: a -> b -> c (depends_on) -> a",
    ],
    [
      "starts at the first node in config order",
      [node("c", 2, ["a"]), node("b", 1, ["c"]), node("a", 0, ["b"])],
      [["a", "b", "c", "a"]],
      "dependency cycle: a -> b -> c -> a",
    ],
    [
      "a cycle beside a healthy part",
      [node("ok", 0, []), node("x", 1, ["ok", "y"]), node("y", 2, ["x:extra"])],
      [["x", "y", "x"]],
      "dependency cycle: x -> y -> x (extra)",
    ],
    [
      "two separate cycles",
      [node("a", 0, ["b"]), node("b", 1, ["a"]), node("c", 2, ["d"]), node("d", 3, ["c"])],
      [["a", "b", "a"], ["c", "d", "c"]],
      "dependency cycle: a -> b -> a",
    ],
  ];
  for (const [name, nodes, cycles, message] of table) {
    await t.step(name, () => {
      assert.deepEqual(findCycles(nodes), cycles);
      if (message === null) assert.doesNotThrow(() => topoLayers(nodes));
      else {
        assert.throws(
          () => topoLayers(nodes),
          (e) => e instanceof ConfigError && e.exitCode === 2 && e.message === message,
        );
        assert.equal(`dependency cycle: ${describeCycle(cycles[0], nodes)}`, message);
      }
    });
  }
});

/** A pyproject.toml text from its parts (`[project]` left out when `name` is null). */
function pyproject(
  name: string | null,
  deps: string[],
  more: { extras?: Record<string, string[]>; groups?: Record<string, (string | [string])[]> } = {},
): string {
  let text = name === null ? "[tool.other]\n" : `[project]\nname = ${JSON.stringify(name)}\n`;
  if (name !== null) text += `dependencies = ${JSON.stringify(deps)}\n`;
  if (more.extras) {
    text += "[project.optional-dependencies]\n";
    for (const [k, v] of Object.entries(more.extras)) text += `${k} = ${JSON.stringify(v)}\n`;
  }
  if (more.groups) {
    // A group item in brackets, `["lint"]`, is `{ include-group = "lint" }`.
    text += "[dependency-groups]\n";
    for (const [k, v] of Object.entries(more.groups)) {
      const items = v.map((x) =>
        typeof x === "string" ? JSON.stringify(x) : `{ include-group = ${JSON.stringify(x[0])} }`
      );
      text += `${k} = [${items.join(", ")}]\n`;
    }
  }
  return text;
}

interface Case {
  name: string;
  /** Sibling name, its pyproject.toml (null: none) and its depends_on. */
  siblings: [string, string | null, string[]?][];
  extras?: string[];
  env?: MarkerEnv;
  groups?: boolean;
  /** Each node's edges as `name:via`. */
  deps: Record<string, string[]>;
  external?: Record<string, string[]>;
  dropped?: string[];
  layers?: string[][];
}

Deno.test("buildGraph: names, markers, extras, groups, depends_on", async (t) => {
  const cases: Case[] = [
    {
      name: "spelling differences match the project name",
      siblings: [
        ["app", pyproject("app", ['Foo_Bar[extra]>=1; python_version>="3"', "Zope.Thing"])],
        ["foo-bar-repo", pyproject("foo-bar", [])],
        ["zope", pyproject("zope-thing", [])],
      ],
      deps: { app: ["foo-bar-repo:pyproject", "zope:pyproject"], "foo-bar-repo": [], zope: [] },
      layers: [["foo-bar-repo", "zope"], ["app"]],
    },
    {
      name: "a marker that excludes a dependency",
      siblings: [
        ["app", pyproject("app", ['lib; python_version < "3"', 'win; sys_platform == "win32"'])],
        ["lib", pyproject("lib", [])],
        ["win", pyproject("win", [])],
      ],
      deps: { app: [], lib: [], win: [] },
      layers: [["app", "lib", "win"]],
    },
    {
      name: "markers follow the env given",
      siblings: [
        ["app", pyproject("app", ['backport; python_version < "3.11"'])],
        ["backport", pyproject("backport", [])],
      ],
      env: { python_version: "3.10" },
      deps: { app: ["backport:pyproject"], backport: [] },
      layers: [["backport"], ["app"]],
    },
    {
      name: "external packages are listed, not edges; self-dependencies are ignored",
      siblings: [
        ["lib", pyproject("lib", ["requests>=2", "LIB[extra]", 'attrs; python_version < "3"'])],
      ],
      deps: { lib: [] },
      external: { lib: ["requests>=2"] },
      layers: [["lib"]],
    },
    {
      name: "extras present on only some packages",
      siblings: [
        ["a", pyproject("a", [], { extras: { dev: ["b", "pytest"] } })],
        ["b", pyproject("b", [], { extras: { docs: ["c"] } })],
        ["c", pyproject("c", [])],
      ],
      extras: ["dev"],
      deps: { a: ["b:extra"], b: [], c: [] },
      external: { a: ["pytest"] },
      layers: [["b", "c"], ["a"]],
    },
    {
      name: "include-group resolves to the included group's siblings",
      siblings: [
        ["a", pyproject("a", [], { groups: { lint: ["b"], test: [["lint"]] } })],
        ["b", pyproject("b", [])],
      ],
      deps: { a: ["b:group"], b: [] },
      layers: [["b"], ["a"]],
    },
    {
      name: "groups can be left out",
      siblings: [
        ["a", pyproject("a", [], { groups: { test: ["b"] } })],
        ["b", pyproject("b", [])],
      ],
      groups: false,
      deps: { a: [], b: [] },
      layers: [["a", "b"]],
    },
    {
      name: "depends_on adds edges; unknown names and itself are ignored",
      siblings: [
        ["a", pyproject("a", []), ["b", "a", "elsewhere"]],
        ["b", null],
      ],
      deps: { a: ["b:depends_on"], b: [] },
      layers: [["b"], ["a"]],
    },
    {
      name: "a base dependency wins over the same edge from depends_on or an extra",
      siblings: [
        ["a", pyproject("a", ["b"], { extras: { dev: ["b", "c"] } }), ["b", "c"]],
        ["b", pyproject("b", [])],
        ["c", pyproject("c", [])],
      ],
      extras: ["dev"],
      deps: { a: ["b:pyproject", "c:depends_on"], b: [], c: [] },
      layers: [["b", "c"], ["a"]],
    },
    {
      name: "a sibling without [project] is matched by its own name",
      siblings: [
        ["app", pyproject("app", ["legacy_tool"])],
        ["legacy-tool", pyproject(null, [])],
        ["old", null],
      ],
      deps: { app: ["legacy-tool:pyproject"], "legacy-tool": [], old: [] },
      layers: [["legacy-tool", "old"], ["app"]],
    },
    {
      name: "a sibling's own name does not match when its project is named otherwise",
      siblings: [
        ["app", pyproject("app", ["foundation"])],
        ["foundation", pyproject("provide-foundation", [])],
      ],
      deps: { app: [], foundation: [] },
      external: { app: ["foundation"] },
      layers: [["app", "foundation"]],
    },
    {
      name: "a dev extra that closes a cycle is dropped, not an error",
      siblings: [
        ["foundation", pyproject("foundation", [], { extras: { dev: ["testkit"] } })],
        ["testkit", pyproject("testkit", ["foundation"])],
      ],
      extras: ["dev"],
      deps: { foundation: [], testkit: ["foundation:pyproject"] },
      dropped: ["foundation -> testkit (extra): foundation > testkit > foundation"],
      layers: [["foundation"], ["testkit"]],
    },
    {
      name: "a group edge that closes a longer cycle is dropped",
      siblings: [
        ["a", pyproject("a", [], { groups: { test: ["c"] } })],
        ["b", pyproject("b", ["a"])],
        ["c", pyproject("c", ["b"])],
      ],
      deps: { a: [], b: ["a:pyproject"], c: ["b:pyproject"] },
      dropped: ["a -> c (group): a > c > b > a"],
      layers: [["a"], ["b"], ["c"]],
    },
    {
      name: "soft edges that close no cycle stay",
      siblings: [
        ["a", pyproject("a", [], { extras: { dev: ["b"] } })],
        ["b", pyproject("b", [], { extras: { dev: ["c"] } })],
        ["c", pyproject("c", [])],
      ],
      extras: ["dev"],
      deps: { a: ["b:extra"], b: ["c:extra"], c: [] },
      layers: [["c"], ["b"], ["a"]],
    },
    {
      name: "of two soft edges making a cycle, the first in config order stays",
      siblings: [
        ["a", pyproject("a", [], { extras: { dev: ["b"] } })],
        ["b", pyproject("b", [], { extras: { dev: ["a"] } })],
      ],
      extras: ["dev"],
      deps: { a: ["b:extra"], b: [] },
      dropped: ["b -> a (extra): b > a > b"],
      layers: [["b"], ["a"]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const inputs: GraphInput[] = c.siblings.map(([name, , dependsOn = []], index) => ({
        name,
        index,
        dependsOn,
      }));
      const pyprojects = c.siblings.map(([, text]) =>
        text === null ? null : readPyproject(text, { extras: c.extras ?? [] })
      );
      const g = buildGraph(inputs, pyprojects, {
        ...(c.env ? { env: c.env } : {}),
        ...(c.groups === false ? { groups: false } : {}),
      });
      assert.deepEqual(
        Object.fromEntries(g.nodes.map((n) => [n.name, n.deps.map((d) => `${d.name}:${d.via}`)])),
        c.deps,
      );
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(g.external).map(([k, v]) => [k, v.map(formatRequirement)]),
        ),
        c.external ?? {},
      );
      assert.deepEqual(
        g.dropped.map((d) => `${d.from} -> ${d.to} (${d.via}): ${d.cycle.join(" > ")}`),
        c.dropped ?? [],
      );
      if (c.layers) assert.deepEqual(topoLayers(g.nodes), c.layers);
    });
  }
});

Deno.test("buildGraph: a cycle of base dependencies stays, and topoLayers names it", () => {
  const g = buildGraph(
    [{ name: "cyc-a", index: 0, dependsOn: [] }, { name: "cyc-b", index: 1, dependsOn: [] }],
    [
      readPyproject(pyproject("cyc-a", ["cyc_b"]), { extras: [] }),
      readPyproject(
        pyproject("Cyc.B", ["CYC-A>=0"]),
        { extras: [] },
      ),
    ],
  );
  assert.deepEqual(g.dropped, []);
  assert.throws(
    () => topoLayers(g.nodes),
    /^ConfigError: dependency cycle: cyc-a -> cyc-b -> cyc-a$/,
  );
});

Deno.test("layer violations: a lower layer depending on a higher one", async (t) => {
  const layers = ["foundation", "framework", "tools"];
  const table: [string, GraphNode[], { soft?: boolean }, string[]][] = [
    [
      "up is a violation, down and level are not",
      [
        node("f", 0, ["t"], "foundation"),
        node("fw", 1, ["f", "fw2"], "framework"),
        node("fw2", 2, [], "framework"),
        node("t", 3, ["f", "fw"], "tools"),
      ],
      {},
      ["f -> t (foundation < tools)"],
    ],
    [
      "several, in config order",
      [
        node("t", 0, [], "tools"),
        node("fw", 1, ["t"], "framework"),
        node("f", 2, ["t", "fw"], "foundation"),
      ],
      {},
      [
        "fw -> t (framework < tools)",
        "f -> t (foundation < tools)",
        "f -> fw (foundation < framework)",
      ],
    ],
    [
      "nodes without a layer, or with an unknown one, are passed over",
      [
        node("f", 0, ["x", "u"], "foundation"),
        node("x", 1, ["f"]),
        node("u", 2, [], "elsewhere"),
      ],
      {},
      [],
    ],
    [
      "soft edges do not count by default",
      [
        node("f", 0, ["t:extra", "k:group"], "foundation"),
        node("t", 1, [], "tools"),
        node("k", 2, [], "tools"),
      ],
      {},
      [],
    ],
    [
      "soft edges count when asked",
      [
        node("f", 0, ["t:extra", "k:group"], "foundation"),
        node("t", 1, [], "tools"),
        node("k", 2, [], "tools"),
      ],
      { soft: true },
      ["f -> t (foundation < tools)", "f -> k (foundation < tools)"],
    ],
    [
      "depends_on counts",
      [node("f", 0, ["t:depends_on"], "foundation"), node("t", 1, [], "tools")],
      {},
      ["f -> t (foundation < tools)"],
    ],
  ];
  for (const [name, nodes, options, want] of table) {
    await t.step(name, () => {
      assert.deepEqual(
        layerViolations(nodes, layers, options).map((v) =>
          `${v.from} -> ${v.to} (${v.fromLayer} < ${v.toLayer})`
        ),
        want,
      );
    });
  }
});

Deno.test("renderers", async (t) => {
  const nodes = [
    node("a", 0, [], "foundation"),
    node("b-c", 1, ["a:depends_on"]),
    node("b_c", 2, ["a", "b-c:extra"]),
  ];
  const layers = topoLayers(nodes);
  await t.step("dot", () => {
    assert.equal(
      toDot(layers, nodes),
      [
        "digraph wrknv {",
        "  rankdir=BT;",
        "  node [shape=box];",
        "  subgraph cluster_0 {",
        '    label="level 1";',
        '    "a" [label="a\\nfoundation"];',
        "  }",
        "  subgraph cluster_1 {",
        '    label="level 2";',
        '    "b-c";',
        "  }",
        "  subgraph cluster_2 {",
        '    label="level 3";',
        '    "b_c";',
        "  }",
        '  "b-c" -> "a" [style=dashed];',
        '  "b_c" -> "a";',
        '  "b_c" -> "b-c" [style=dotted];',
        "}",
        "",
      ].join("\n"),
    );
  });
  await t.step("mermaid: names that differ only in punctuation stay apart", () => {
    assert.equal(
      toMermaid(layers, nodes),
      [
        "flowchart BT",
        '  subgraph level1["level 1"]',
        '    n0["a"]',
        "  end",
        '  subgraph level2["level 2"]',
        '    n1["b-c"]',
        "  end",
        '  subgraph level3["level 3"]',
        '    n2["b_c"]',
        "  end",
        "  n1 -.-> n0",
        "  n2 --> n0",
        "  n2 -. extra .-> n1",
        "",
      ].join("\n"),
    );
  });
  await t.step("json", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(toJson(layers, nodes))), {
      layers: [["a"], ["b-c"], ["b_c"]],
      nodes: [
        { name: "a", layer: "foundation", missing: false, deps: [] },
        { name: "b-c", layer: null, missing: false, deps: [{ name: "a", via: "depends_on" }] },
        {
          name: "b_c",
          layer: null,
          missing: false,
          deps: [{ name: "a", via: "pyproject" }, { name: "b-c", via: "extra" }],
        },
      ],
      dropped: [],
    });
  });
  await t.step("dropped edges and missing siblings, in every format", () => {
    const extras = {
      dropped: [{ from: "a", to: "b_c", via: "extra" as Via, cycle: ["a", "b_c", "a"] }],
      missing: new Set(["b-c"]),
    };
    const json = toJson(layers, nodes, extras);
    assert.deepEqual(json.dropped, extras.dropped);
    assert.deepEqual(json.nodes.map((n) => n.missing), [false, true, false]);
    const dot = toDot(layers, nodes, extras);
    assert.match(dot, /\n {4}"b-c" \[label="b-c\\n\(missing\)", style=dashed\];\n/);
    assert.match(
      dot,
      /\n {2}"a" -> "b_c" \[style=dotted, color=gray, constraint=false, label="dropped \(extra\)"\];\n\}\n$/,
    );
    const mermaid = toMermaid(layers, nodes, extras);
    assert.match(mermaid, /\n {4}n1\["b-c \(missing\)"\]\n/);
    assert.match(mermaid, /\n {2}n0 -\. dropped extra \.-> n2\n$/);
  });
});

Deno.test("wrknv graph: dropped edges with their cycle, and siblings missing on disk", async () => {
  await using tmp = await tempDir();
  const pyproject = (name: string, deps: string[], dev: string[] = []) =>
    `[project]\nname = "${name}"\nversion = "1"\ndependencies = ${JSON.stringify(deps)}\n` +
    `[project.optional-dependencies]\ndev = ${JSON.stringify(dev)}\n`;
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "core", repo: "https://example.invalid/core.git" },
    { name: "testkit", repo: "https://example.invalid/testkit.git" },
    { name: "app", repo: "https://example.invalid/app.git" },
  ], { python: 'extras = ["dev"]' });
  await writeFiles(ws.root, {
    "core/pyproject.toml": pyproject("wrknvtest-core", [], ["wrknvtest-testkit"]),
    "testkit/pyproject.toml": pyproject("wrknvtest-testkit", ["wrknvtest-core"]),
  });
  const text = await wrknv(["graph"], { cwd: ws.meta });
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stdout,
    "1. core  app (missing)\n" +
      "2. testkit (core)\n" +
      "dropped core -> testkit (extra): it would close the cycle core -> testkit -> core\n" +
      "missing on disk: app (their dependencies are unknown; run: wrknv bootstrap)\n",
  );
  const json = await wrknv(["graph", "--format", "json"], { cwd: ws.meta });
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  assert.deepEqual(doc.dropped, [{
    from: "core",
    to: "testkit",
    via: "extra",
    cycle: ["core", "testkit", "core"],
  }]);
  assert.deepEqual(
    doc.nodes.map((n: { name: string; missing: boolean }) => [n.name, n.missing]),
    [["core", false], ["testkit", false], ["app", true]],
  );
});

Deno.test("affectedBy: the changed nodes and everything that depends on them", async (t) => {
  // foundation <- framework <- tools <- provider; docs depends_on tools; lone stands apart;
  // kit needs foundation only through its dev extra (soft).
  const nodes = [
    node("provider", 0, ["tools", "framework"]),
    node("tools", 1, ["framework"]),
    node("framework", 2, ["foundation"]),
    node("foundation", 3, []),
    node("lone", 4, []),
    node("docs", 5, ["tools:depends_on"]),
    node("kit", 6, ["foundation:extra"]),
    node("cli", 7, ["kit:group"]),
  ];
  const cases: [string, string[], { soft?: boolean }, string[], Record<string, string[]>][] = [
    ["nothing changed", [], {}, [], {}],
    ["a leaf: only itself", ["provider"], {}, ["provider"], { provider: [] }],
    ["the foundation: its transitive dependents, not lone, not the soft kit", ["foundation"], {}, [
      "provider",
      "tools",
      "framework",
      "foundation",
      "docs",
    ], {
      provider: ["framework", "foundation"],
      tools: ["framework", "foundation"],
      framework: ["foundation"],
      foundation: [],
      docs: ["tools", "framework", "foundation"],
    }],
    ["soft edges followed when asked", ["foundation"], { soft: true }, [
      "provider",
      "tools",
      "framework",
      "foundation",
      "docs",
      "kit",
      "cli",
    ], {
      provider: ["framework", "foundation"],
      tools: ["framework", "foundation"],
      framework: ["foundation"],
      foundation: [],
      docs: ["tools", "framework", "foundation"],
      kit: ["foundation"],
      cli: ["kit", "foundation"],
    }],
    ["two changed: the nearest one explains", ["tools", "foundation"], {}, [
      "provider",
      "tools",
      "framework",
      "foundation",
      "docs",
    ], {
      provider: ["tools"],
      tools: [],
      framework: ["foundation"],
      foundation: [],
      docs: ["tools"],
    }],
    ["a name that is not a node", ["ghost", "lone"], {}, ["lone"], { lone: [] }],
  ];
  for (const [name, changed, options, affected, why] of cases) {
    await t.step(name, () => {
      const got = affectedBy(nodes, changed, options);
      assert.deepEqual(got.affected, affected);
      assert.deepEqual(got.why, why);
    });
  }
});

Deno.test("buildGraph: a sibling that is not a Python package is named only by depends_on", () => {
  const siblings: GraphInput[] = [
    { name: "app", index: 0, dependsOn: [] },
    { name: "requests", index: 1, dependsOn: [], python: false },
    { name: "site", index: 2, dependsOn: ["app"], python: false },
  ];
  const graph = buildGraph(siblings, [
    readPyproject(
      '[project]\nname = "app"\ndependencies = ["requests"]\n',
      { extras: [] },
    ),
    null,
    null,
  ]);
  assert.deepEqual(graph.nodes.map((n) => [n.name, n.deps.map((d) => d.name)]), [
    ["app", []],
    ["requests", []],
    ["site", ["app"]],
  ]);
  assert.deepEqual(graph.external.app.map(formatRequirement), ["requests"]);
});

Deno.test("subgraph: kept nodes depend on what they reach through left-out ones", async (t) => {
  // top -> mid -> base; side -> mid:depends_on; solo.
  const nodes = [
    node("top", 0, ["mid"]),
    node("side", 1, ["mid:depends_on"]),
    node("mid", 2, ["base"]),
    node("base", 3, []),
    node("solo", 4, []),
  ];
  const cases: [string, string[], Record<string, string[]>, string[][]][] = [
    ["everything", ["top", "side", "mid", "base", "solo"], {
      top: ["mid:pyproject"],
      side: ["mid:depends_on"],
      mid: ["base:pyproject"],
      base: [],
      solo: [],
    }, [["base", "solo"], ["mid"], ["top", "side"]]],
    ["through a left-out node", ["top", "side", "base"], {
      top: ["base:pyproject"],
      side: ["base:depends_on"],
      base: [],
    }, [["base"], ["top", "side"]]],
    ["nothing reached", ["top", "solo"], { top: [], solo: [] }, [["top", "solo"]]],
    ["nothing kept", [], {}, []],
  ];
  for (const [name, keep, deps, levels] of cases) {
    await t.step(name, () => {
      const got = subgraph(nodes, keep);
      assert.deepEqual(
        Object.fromEntries(got.map((n) => [n.name, n.deps.map((d) => `${d.name}:${d.via}`)])),
        deps,
      );
      assert.deepEqual(topoLayers(got), levels);
    });
  }
});
