/**
 * The layers of src/ stay as ARCHITECTURE.md draws them: every import (static
 * or dynamic, types included) is read from the source, and an edge that
 * crosses a forbidden line, or closes a cycle, fails the suite.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

/** What a layer (a folder of src/, or a file at its top) may not import. */
const FORBIDDEN: Record<string, string[]> = {
  ops: ["cli", "ui"],
  ui: ["cli", "ops", "proc"],
  config: ["cli", "ui", "ops", "proc", "git"],
  graph: ["cli", "ui", "ops", "proc", "git", "config"],
  git: ["cli", "ui", "ops"],
  python: ["cli", "ui", "ops"],
  proc: ["cli", "ui", "ops", "config", "git", "python", "graph"],
};

/**
 * Edges that break the rules today, each to be removed: an edge may leave
 * this list, never join it.
 */
const KNOWN: string[] = [];

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await sources(path));
    else if (e.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** The relative imports of a file: `import ... from "./x.ts"`, `export ... from`, `import("./x.ts")`. */
export function importsOf(text: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+["'](\.{1,2}\/[^"']+)["']/gms,
    /^\s*import\s+["'](\.{1,2}\/[^"']+)["']/gm,
    /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[1]);
  return [...found];
}

function layerOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, "");
}

async function edges(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const path of await sources(SRC)) {
    const from = relative(SRC, path);
    const text = await Deno.readTextFile(path);
    const to = importsOf(text)
      .map((spec) => relative(SRC, normalize(join(dirname(path), spec))))
      .filter((t) => !t.startsWith(".."));
    graph.set(from, to);
  }
  return graph;
}

/** Every cycle, each once, as "cycle: a -> b -> a" starting at its smallest file. */
function cycles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]);
        const turned = [...loop.slice(start), ...loop.slice(0, start)];
        found.add(`cycle: ${[...turned, turned[0]].join(" -> ")}`);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...found].sort();
}

Deno.test("imports are read from every form", () => {
  const text = `import { a } from "./a.ts";\nimport type {\n  B,\n} from "../b/mod.ts";\n` +
    `export { c } from "./c.ts";\nimport "./side.ts";\nconst d = await import("./d.ts");\n` +
    `import x from "npm:x";\n// from "./comment.ts" is not an import\n`;
  assert.deepEqual(importsOf(text).sort(), [
    "../b/mod.ts",
    "./a.ts",
    "./c.ts",
    "./d.ts",
    "./side.ts",
  ]);
});

Deno.test("the layers import only what ARCHITECTURE.md allows, and nothing imports in a circle", async () => {
  const graph = await edges();
  assert.ok(graph.size > 50, `read ${graph.size} files`);
  const broken: string[] = [];
  for (const [from, tos] of graph) {
    for (const to of tos) {
      if (FORBIDDEN[layerOf(from)]?.includes(layerOf(to))) broken.push(`${from} -> ${to}`);
    }
  }
  broken.push(...cycles(graph));
  const fresh = broken.filter((b) => !KNOWN.includes(b));
  assert.deepEqual(fresh, [], "new imports across a forbidden edge, or new cycles");
  const mended = KNOWN.filter((k) => !broken.includes(k));
  assert.deepEqual(mended, [], "mended: take these out of KNOWN in tests/architecture_test.ts");
});

Deno.test("only src/proc starts processes", async () => {
  const offenders: string[] = [];
  for (const path of await sources(SRC)) {
    const file = relative(SRC, path);
    if (file.startsWith("proc/")) continue;
    if (/\bnew Deno\.Command\b|\bDeno\.run\(/.test(await Deno.readTextFile(path))) {
      offenders.push(file);
    }
  }
  assert.deepEqual(offenders, []);
});
