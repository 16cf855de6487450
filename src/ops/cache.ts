/**
 * A persistent cache of bare mirrors (`~/.cache/wrknv/git/`, or
 * `WRKNV_CACHE_DIR`): bootstrap updates a sibling's mirror (fetching only new
 * objects) and clones with `--reference-if-able <mirror> --dissociate`, so
 * repeated bootstraps and workspaces that share siblings move only new objects
 * over the network. Everything in it was made by wrknv.
 *
 * @module
 */
import { join } from "node:path";
import { WrknvError } from "../errors.ts";
import { runtime } from "../runtime.ts";
import * as git from "../git/mod.ts";
import { run } from "../proc/mod.ts";
import { checkRepoUrl } from "../config/url.ts";
import { nameFromUrl } from "./init.ts";
import { exists } from "../fs.ts";

/** The cache directory. */
export function cacheDir(): string {
  const explicit = runtime.env("WRKNV_CACHE_DIR");
  if (explicit) return explicit;
  const xdg = runtime.env("XDG_CACHE_HOME");
  const home = runtime.env("HOME") ?? ".";
  return join(xdg && xdg.startsWith("/") ? xdg : join(home, ".cache"), "wrknv", "git");
}

/** Whether a URL is worth caching: anything that crosses a network. */
export function cacheable(url: string): boolean {
  const r = checkRepoUrl(url);
  return "transport" in r && r.transport !== "local" && r.transport !== "file";
}

async function hash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 6), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Where the mirror of `url` lives. */
export async function mirrorPath(url: string): Promise<string> {
  return join(cacheDir(), `${nameFromUrl(url) || "repo"}-${await hash(git.remoteKey(url))}.git`);
}

const USED = "wrknv-last-used";

/**
 * Make or update the mirror of `url`; returns its path, or null when it could
 * not be made (the clone then goes ahead without it).
 */
export async function updateMirror(
  url: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<string | null> {
  const path = await mirrorPath(url);
  const env = git.gitEnv();
  if (await exists(join(path, "HEAD"))) {
    const r = await run(["git", "fetch", "--quiet", "--prune", "origin"], {
      cwd: path,
      env,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    if (r.code !== 0) return (await exists(join(path, "objects"))) ? path : null;
  } else {
    await Deno.mkdir(cacheDir(), { recursive: true });
    const temp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 6)}`;
    const r = await run(["git", "clone", "--quiet", "--mirror", "--", url, temp], {
      env,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    if (r.code !== 0) {
      await Deno.remove(temp, { recursive: true }).catch(() => {});
      // A remote that does not answer will not answer the direct clone either.
      if (r.timedOut) {
        throw new git.GitError(
          `git clone timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)}s`,
          {
            kind: "network",
            stderr: r.stderr,
            timedOut: true,
          },
        );
      }
      return null;
    }
    try {
      await Deno.rename(temp, path);
    } catch {
      // Another wrknv made it first: use theirs.
      await Deno.remove(temp, { recursive: true }).catch(() => {});
    }
  }
  await Deno.writeTextFile(join(path, USED), new Date().toISOString() + "\n").catch(() => {});
  return path;
}

/** One mirror in the cache. */
export interface MirrorInfo {
  /** Its directory. */
  path: string;
  /** The URL it mirrors. */
  url: string | null;
  /** Bytes on disk. */
  bytes: number;
  /** When a bootstrap last used it. */
  lastUsed: Date | null;
}

async function du(path: string): Promise<number> {
  let total = 0;
  for await (const e of Deno.readDir(path)) {
    const p = join(path, e.name);
    if (e.isDirectory) total += await du(p);
    else if (e.isFile) total += (await Deno.lstat(p)).size;
  }
  return total;
}

/** Every mirror in the cache. */
export async function cacheInfo(): Promise<MirrorInfo[]> {
  const dir = cacheDir();
  const out: MirrorInfo[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return [];
  }
  for (const e of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (!e.isDirectory || !e.name.endsWith(".git")) continue;
    const path = join(dir, e.name);
    const url = await git.remoteUrl(path).catch(() => null);
    let lastUsed: Date | null = null;
    try {
      lastUsed = new Date((await Deno.readTextFile(join(path, USED))).trim());
    } catch {
      lastUsed = null;
    }
    out.push({ path, url, bytes: await du(path), lastUsed });
  }
  return out;
}

/** Remove mirrors not used for `olderThanDays` (all with 0); returns what was removed. */
export async function pruneCache(olderThanDays: number): Promise<MirrorInfo[]> {
  if (!Number.isFinite(olderThanDays) || olderThanDays < 0) {
    throw new WrknvError("--older-than must be a number of days");
  }
  const cutoff = Date.now() - olderThanDays * 86_400_000;
  const removed: MirrorInfo[] = [];
  for (const m of await cacheInfo()) {
    if (olderThanDays === 0 || !m.lastUsed || m.lastUsed.getTime() < cutoff) {
      await Deno.remove(m.path, { recursive: true });
      removed.push(m);
    }
  }
  return removed;
}
