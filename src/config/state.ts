/**
 * Per-workspace state: `.wrknv/` beside wrknv.toml, with its own .gitignore
 * so that git never shows it.
 *
 * @module
 */
import { join } from "node:path";
import type { Workspace } from "./types.ts";
import { WrknvError } from "../errors.ts";

/** Where wrknv keeps per-workspace state, beside wrknv.toml. */
export function stateDir(ws: Pick<Workspace, "configDir">): string {
  return join(ws.configDir, ".wrknv");
}

/** Make the state directory, with a .gitignore so git never shows it. */
export async function ensureStateDir(ws: Pick<Workspace, "configDir">): Promise<string> {
  const dir = stateDir(ws);
  await Deno.mkdir(dir, { recursive: true });
  // A .wrknv committed as a link would take wrknv's writes elsewhere.
  if (!(await Deno.lstat(dir)).isDirectory) {
    throw new WrknvError(
      `${dir} is not a directory (a symbolic link?); wrknv keeps its state only in a real one`,
      {
        hint: `remove ${dir}; wrknv makes it again`,
      },
    );
  }
  const ignore = join(dir, ".gitignore");
  try {
    await Deno.writeTextFile(ignore, "# wrknv's own state; never committed\n*\n", {
      createNew: true,
    });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  return dir;
}
