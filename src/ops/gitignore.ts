/**
 * What `wrknv init` adds to the meta-repository's .gitignore: the shared venv
 * and wrknv's state directory, so neither is ever committed by accident.
 *
 * @module
 */
import { join, relative, sep } from "node:path";
import { writeFileAtomic } from "../config/atomic.ts";
import type { Workspace } from "../config/types.ts";
import { isInside } from "../config/paths.ts";

/**
 * Add the lines of `ws` that .gitignore in its meta directory lacks (the venv
 * when it lies inside that directory, and `.wrknv/`), keeping every line that
 * is there. Returns the lines added (none when all were there).
 */
export async function ignoreWorkspaceFiles(ws: Workspace): Promise<string[]> {
  const wanted = [".wrknv/"];
  if (isInside(ws.python.venv, ws.configDir) && ws.python.venv !== ws.configDir) {
    wanted.unshift(`/${relative(ws.configDir, ws.python.venv).split(sep).join("/")}/`);
  }
  const path = join(ws.configDir, ".gitignore");
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const have = new Set(
    text.split(/\r?\n/).map((l) => l.trim().replace(/^\//, "").replace(/\/$/, "")),
  );
  const add = wanted.filter((w) => !have.has(w.replace(/^\//, "").replace(/\/$/, "")));
  if (add.length === 0) return [];
  const sep2 = text === "" || text.endsWith("\n") ? "" : "\n";
  await writeFileAtomic(path, `${text}${sep2}${add.join("\n")}\n`);
  return add;
}
