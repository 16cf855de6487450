/**
 * The config layer's entry: find wrknv.toml, load it into a workspace, and read
 * and write wrknv.lock.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { CONFIG_FILE, displayPath, isInside, parseConfig } from "./load.ts";
import type { Workspace } from "./types.ts";

export { CONFIG_FILE, displayPath, isInside, parseConfig } from "./load.ts";
export type { Hooks, Installer, PythonSettings, Sibling, Workspace } from "./types.ts";

/** Where to look for wrknv.toml. */
export interface FindOptions {
  /** The working directory (after `-C`). */
  cwd: string;
  /** An explicit `--config` file, relative to `cwd`. */
  config?: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * The absolute path of wrknv.toml: `--config` when given, else the first
 * wrknv.toml found walking up from `cwd`.
 *
 * @throws {ConfigError} when there is none
 */
export async function findConfig(options: FindOptions): Promise<string> {
  if (options.config !== undefined) {
    const path = resolve(options.cwd, options.config);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch {
      throw new ConfigError(`${options.config}: no such file`);
    }
    if (!info.isFile) throw new ConfigError(`${options.config}: not a file`);
    return path;
  }
  let dir = resolve(options.cwd);
  while (true) {
    const candidate = join(dir, CONFIG_FILE);
    if (await isFile(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ConfigError(
    `no ${CONFIG_FILE} in ${
      resolve(options.cwd)
    } or any parent directory (run "wrknv init" to make one, or pass --config)`,
  );
}

async function realDeepest(path: string): Promise<string> {
  // The real path of the deepest part of `path` that exists, with the rest appended.
  let head = path;
  const tail: string[] = [];
  while (true) {
    try {
      const real = await Deno.realPath(head);
      return tail.length ? join(real, ...tail.reverse()) : real;
    } catch {
      const parent = dirname(head);
      if (parent === head) return path;
      tail.push(head.slice(parent.length + (parent.endsWith("/") ? 0 : 1)));
      head = parent;
    }
  }
}

/**
 * Refuse sibling paths that leave the root through a symbolic link in a
 * parent directory. (A sibling that is itself a link, as `--link-from` makes,
 * is allowed: wrknv only reads through it.)
 */
export async function checkSymlinks(ws: Workspace, displayName: string): Promise<void> {
  const realRoot = await realDeepest(ws.root);
  for (const s of ws.siblings) {
    const realParent = await realDeepest(dirname(s.path));
    if (!isInside(realParent, realRoot)) {
      throw new ConfigError(
        `${displayName}: siblings[${s.index}].path: "${s.path}" is reached through a symbolic link that leads outside the workspace root (${realParent})`,
      );
    }
  }
}

/** Options for {@link loadWorkspace}. */
export type LoadOptions = FindOptions;

/**
 * Find, read, validate and resolve wrknv.toml.
 *
 * @throws {ConfigError} for a missing file or any problem in it
 */
export async function loadWorkspace(options: LoadOptions): Promise<Workspace> {
  const path = await findConfig(options);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(
      `${displayPath(path, options.cwd)}: cannot read: ${(error as Error).message}`,
    );
  }
  const displayName = displayPath(path, options.cwd);
  const ws = parseConfig(text, path, { displayName });
  await checkSymlinks(ws, displayName);
  return ws;
}
