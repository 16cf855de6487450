/**
 * The config layer's entry: find wrknv.toml, load it into a workspace, and read
 * and write wrknv.lock.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { CONFIG_FILE, displayPath, isInside, venvPlacementProblem } from "./paths.ts";
import { isRememberedLink, userCacheDir } from "./user_state.ts";
import type { Workspace } from "./types.ts";
import { VERSION } from "../version.ts";
import { isAbsent } from "../fs.ts";
import { sha256Hex } from "../hash.ts";

export { CONFIG_FILE, displayPath, isInside } from "./paths.ts";
export type { Hooks, Installer, PythonSettings, Sibling, Workspace } from "./types.ts";

/** Where to look for wrknv.toml. */
export interface FindOptions {
  /** The working directory (after `-C`). */
  cwd: string;
  /** An explicit `--config` file, relative to `cwd`. */
  config?: string;
}

/**
 * The absolute path of wrknv.toml: `--config` when given, else the first
 * wrknv.toml found walking up from `cwd`, else (from inside a sibling, as
 * cargo, west and repo find their workspace from a member) the wrknv.toml of
 * a meta-repository beside one of `cwd`'s parents that lists a sibling
 * holding `cwd`.
 *
 * @throws {ConfigError} when there is none
 */
export async function findConfig(options: FindOptions): Promise<string> {
  if (options.config !== undefined) {
    const path = resolve(options.cwd, options.config);
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch {
      throw new ConfigError(`${options.config}: no such file`);
    }
    if (!info.isFile) throw new ConfigError(`${options.config}: not a file`);
    return path;
  }
  const start = resolve(options.cwd);
  for (const dir of ancestors(start)) {
    const candidate = join(dir, CONFIG_FILE);
    if (isFileSync(candidate)) return candidate;
  }
  const beside = await metaListing(start);
  if (beside) return beside;
  throw new ConfigError(
    `no ${CONFIG_FILE} in ${start} or any parent directory, and no meta-repository beside them lists it as a sibling`,
    {
      hint:
        `run wrknv in the meta-repository (or pass --config PATH to its ${CONFIG_FILE}); "wrknv init" makes a new workspace here`,
    },
  );
}

/**
 * True when `path` is a file (following links); false when nothing is there.
 * The loader's file-system questions are synchronous: each is a few
 * microseconds, where an asynchronous one waits its turn on a worker thread,
 * and every command pays them before its first process starts.
 */
function isFileSync(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (error) {
    if (isAbsent(error)) return false;
    throw error;
  }
}

/** True for a regular file owned by the user running wrknv (or where owners are unknown). */
async function ownFile(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    const uid = Deno.uid();
    return info.isFile && (uid === null || info.uid === null || info.uid === uid);
  } catch {
    return false;
  }
}

/** `dir`, its parent, and so on up to the file system's root. */
function ancestors(dir: string): string[] {
  const out = [dir];
  for (let parent = dirname(dir); parent !== out.at(-1); parent = dirname(parent)) {
    out.push(parent);
  }
  return out;
}

/**
 * The wrknv.toml in a directory beside `start` or one of its parents (one
 * level down from each: `<parent>/<meta>/wrknv.toml`) whose workspace has a
 * sibling at or above `start`; the nearest parent wins. Files that do not
 * load are passed over: they are not this workspace; and so are files of
 * another user, who could otherwise plant a workspace in a shared directory
 * that claims the user's repositories.
 */
async function metaListing(start: string): Promise<string | null> {
  const real = await Deno.realPath(start).catch(() => start);
  for (const parent of ancestors(start).slice(1)) {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(parent));
    } catch {
      continue;
    }
    const names = entries.filter((e) => e.isDirectory).map((e) => e.name).sort();
    for (const name of names) {
      const candidate = join(parent, name, CONFIG_FILE);
      if (!(await ownFile(candidate))) continue;
      try {
        const ws = await loadFile(candidate, join(parent, name));
        const holds = (p: string) => isInside(start, p) || isInside(real, p);
        if (ws.siblings.some((s) => holds(s.path))) return candidate;
      } catch {
        // Not loadable: not the workspace to run in.
      }
    }
  }
  return null;
}
/** The real path of the deepest part of `path` that exists, with the rest appended. */
function realDeepest(path: string): string {
  let head = path;
  const tail: string[] = [];
  while (true) {
    try {
      const real = Deno.realPathSync(head);
      return tail.length ? join(real, ...tail.reverse()) : real;
    } catch {
      const parent = dirname(head);
      if (parent === head) return path;
      tail.push(head.slice(parent.length + (parent.endsWith("/") ? 0 : 1)));
      head = parent;
    }
  }
}

/** The names of the symbolic links in `dir` (none when it cannot be read). */
function symlinksIn(dir: string): Set<string> {
  const out = new Set<string>();
  try {
    for (const e of Deno.readDirSync(dir)) if (e.isSymlink) out.add(e.name);
  } catch {
    // missing or unreadable: no links
  }
  return out;
}

/**
 * The checks of {@link loadWorkspace} that need the disk: sibling paths and
 * the venv as they resolve through symbolic links.
 *
 * - A sibling whose parent directory is a link leading out of the root is
 *   refused.
 * - A sibling that is itself a link is followed only when its target is
 *   inside the root (and not the root, nor the directory holding wrknv.toml
 *   or one of its parents), or when wrknv made that link for this workspace
 *   (`bootstrap --link-from`, remembered in the user's state directory): a
 *   committed `linked -> ../../outside/repo` would otherwise let `sync`,
 *   `setup` and `--locked` write outside the workspace.
 * - The venv, resolved, must keep the rules of `venvPlacementProblem`.
 */
export async function checkSymlinks(ws: Workspace, displayName: string): Promise<void> {
  const realRoot = realDeepest(ws.root);
  // Siblings mostly share a parent (the root): resolve each directory once.
  const seen = new Map<string, string>();
  // And list each once, for the siblings that are themselves links.
  const links = new Map<string, Set<string>>();
  const realConfigDir = realDeepest(ws.configDir);
  const fail = (index: number, message: string): never => {
    throw new ConfigError(`${displayName}: siblings[${index}].path: ${message}`);
  };
  const reals: { name: string; path: string }[] = [];
  for (const s of ws.siblings) {
    const parent = dirname(s.path);
    let realParent = seen.get(parent);
    if (realParent === undefined) {
      realParent = realDeepest(parent);
      if (!isInside(realParent, realRoot)) {
        fail(
          s.index,
          `"${s.path}" is reached through a symbolic link that leads outside the workspace root (${realParent})`,
        );
      }
      seen.set(parent, realParent);
    }
    let real = join(realParent, basename(s.path));
    if (!links.has(parent)) links.set(parent, symlinksIn(parent));
    if (links.get(parent)!.has(basename(s.path))) {
      try {
        real = Deno.realPathSync(s.path);
      } catch {
        // A broken link: bootstrap reports it and leaves it alone.
      }
      const escapes = !isInside(real, realRoot) || real === realRoot ||
        isInside(realConfigDir, real);
      if (escapes && !(await isRememberedLink(ws.configPath, s.path))) {
        fail(
          s.index,
          `"${s.path}" is a symbolic link to ${real}, outside the workspace root, which wrknv did not make; ` +
            `remove the link (to link a clone of your own, use wrknv bootstrap --link-from DIR)`,
        );
      }
    }
    reals.push({ name: s.name, path: real });
  }
  const realVenv = realDeepest(ws.python.venv);
  const problem = venvPlacementProblem(realVenv, {
    root: realRoot,
    configDir: realConfigDir,
    siblings: reals,
  });
  if (problem) {
    throw new ConfigError(
      `${displayName}: workspace.python.venv: "${ws.python.venv}" resolves to ${realVenv}, which ${problem}`,
    );
  }
}

/** Options for {@link loadWorkspace}. */
export type LoadOptions = FindOptions;

/** Bump when the resolved Workspace changes shape or meaning, or the loader refuses more. */
const CACHE_FORMAT = 2;

/**
 * Where the resolved workspace of the wrknv.toml at `path` is cached: in the
 * user's cache directory (`WRKNV_CACHE_DIR`, else `~/.cache/wrknv`), never in
 * the workspace, whose files may come from a cloned repository: a cache
 * written there by someone else would skip every check of the file.
 */
async function cacheFile(path: string): Promise<string> {
  return join(userCacheDir(), "config", `${(await sha256Hex(path)).slice(0, 32)}.json`);
}

/**
 * The resolved workspace from the last load of this exact file, when there is
 * one: every command would otherwise parse and check the same text again
 * (smol-toml and zod are a third of a command's start-up). Keyed by the
 * file's sha256, its path and the wrknv version.
 */
async function cached(path: string, hash: string): Promise<Workspace | null> {
  try {
    const doc = JSON.parse(Deno.readTextFileSync(await cacheFile(path)));
    if (
      doc.format === CACHE_FORMAT && doc.version === VERSION && doc.path === path &&
      doc.hash === hash
    ) {
      return doc.workspace as Workspace;
    }
  } catch {
    // no cache, or not ours
  }
  return null;
}

async function remember(ws: Workspace, hash: string): Promise<void> {
  try {
    const file = await cacheFile(ws.configPath);
    await Deno.mkdir(dirname(file), { recursive: true });
    const { writeFileAtomic } = await import("./atomic.ts");
    const doc = {
      format: CACHE_FORMAT,
      version: VERSION,
      path: ws.configPath,
      hash,
      workspace: ws,
    };
    await writeFileAtomic(file, JSON.stringify(doc));
  } catch {
    // No writable cache directory: no cache, no harm.
  }
}

/** Parse and check wrknv.toml text (loads the parser only when it is needed). */
export async function parseConfig(
  text: string,
  configPath: string,
  options: { displayName?: string } = {},
): Promise<Workspace> {
  const { parseConfig } = await import("./load.ts");
  return parseConfig(text, configPath, options);
}

/**
 * Find, read, validate and resolve wrknv.toml.
 *
 * @throws {ConfigError} for a missing file or any problem in it
 */
export async function loadWorkspace(options: LoadOptions): Promise<Workspace> {
  return await loadFile(await findConfig(options), options.cwd);
}

/** Read, validate and resolve the wrknv.toml at `path` (named relative to `cwd` in errors). */
async function loadFile(path: string, cwd: string): Promise<Workspace> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new ConfigError(
      `${displayPath(path, cwd)}: cannot read: ${(error as Error).message}`,
    );
  }
  const displayName = displayPath(path, cwd);
  const hash = await sha256Hex(text);
  let ws = await cached(path, hash);
  if (!ws) {
    ws = await parseConfig(text, path, { displayName });
    await checkSymlinks(ws, displayName);
    await remember(ws, hash);
    return ws;
  }
  await checkSymlinks(ws, displayName);
  return ws;
}

/** The sibling whose directory holds `dir` (the innermost, for nested ones), if any. */
export function siblingAt(ws: Workspace, dir: string): Workspace["siblings"][number] | undefined {
  const holding = ws.siblings.filter((s) => isInside(dir, s.path));
  return holding.sort((a, b) => b.path.length - a.path.length)[0];
}
