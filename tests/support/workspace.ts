/**
 * Make a workspace for tests: a meta directory holding wrknv.toml, beside
 * which the siblings will live.
 *
 * @module
 */
import { join } from "node:path";
import { makeRemote, type Remote } from "./git.ts";

/** A sibling entry as written into wrknv.toml. */
export interface SiblingEntry {
  name: string;
  repo: string;
  path?: string;
  revision?: string;
  layer?: string;
  depends_on?: string[];
  groups?: string[];
  install?: boolean;
}

/** A test workspace. */
export interface TestWorkspace {
  /** The root (the parent of meta). */
  root: string;
  /** The meta-repository directory, holding wrknv.toml. */
  meta: string;
  /** wrknv.toml's path. */
  config: string;
  /** Where a sibling lives by default. */
  sibling(name: string): string;
}

const str = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(str).join(", ")}]`;

/** Render a sibling table. */
export function siblingToml(s: SiblingEntry): string {
  let out = `\n[[siblings]]\nname = ${str(s.name)}\nrepo = ${str(s.repo)}\n`;
  if (s.path) out += `path = ${str(s.path)}\n`;
  if (s.revision) out += `revision = ${str(s.revision)}\n`;
  if (s.layer) out += `layer = ${str(s.layer)}\n`;
  if (s.depends_on) out += `depends_on = ${list(s.depends_on)}\n`;
  if (s.groups) out += `groups = ${list(s.groups)}\n`;
  if (s.install === false) out += "install = false\n";
  return out;
}

/**
 * Write `<dir>/meta/wrknv.toml` with the siblings (root ".."), plus any extra
 * text for the `[workspace]` table (e.g. `layers = [...]`) and after it.
 */
export async function makeWorkspace(
  dir: string,
  siblings: SiblingEntry[],
  options: { workspace?: string; python?: string; tail?: string; name?: string } = {},
): Promise<TestWorkspace> {
  const meta = join(dir, "meta");
  await Deno.mkdir(meta, { recursive: true });
  let text = `[workspace]\nname = ${str(options.name ?? "test")}\n${options.workspace ?? ""}\n`;
  if (options.python) text += `[workspace.python]\n${options.python}\n`;
  text += options.tail ?? "";
  for (const s of siblings) text += siblingToml(s);
  const config = join(meta, "wrknv.toml");
  await Deno.writeTextFile(config, text);
  return { root: dir, meta, config, sibling: (name) => join(dir, name) };
}

/**
 * The smallest real workspace: two siblings `a` and `b` (not Python, so
 * nothing is installed), each with a bare remote under `<dir>/remotes`.
 */
export async function twoSiblings(
  dir: string,
): Promise<{ ws: TestWorkspace; a: Remote; b: Remote }> {
  const remotes = join(dir, "remotes");
  const [a, b] = await Promise.all([makeRemote(remotes, "a"), makeRemote(remotes, "b")]);
  const ws = await makeWorkspace(join(dir, "ws"), [
    { name: "a", repo: a.url, install: false },
    { name: "b", repo: b.url, install: false },
  ]);
  return { ws, a, b };
}
