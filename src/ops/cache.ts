/**
 * A persistent cache of bare mirrors (`~/.cache/wrknv/git/`, or
 * `WRKNV_CACHE_DIR`). Bootstrap brings a sibling's mirror up to date (only
 * new objects cross the network), clones from it locally (hard links, no
 * network) and points `origin` at the real URL.
 *
 * - Keyed by the whole URL ({@linkcode git.mirrorKey}: scheme, user, host,
 *   port and path), and a mirror's own `remote.origin.url` is checked before
 *   it is used, so two servers, users or ports never share one.
 * - Never silently stale: a mirror that cannot be brought up to date fails
 *   the sibling as a direct clone would. Only `offline` clones from a mirror
 *   as it is, and says when it was last updated.
 * - Safe when shared: one lock per mirror (`<mirror>.lock`, flock(2), so a
 *   killed wrknv never leaves it held) around the update and the local clone;
 *   a new mirror is made in a directory beside it and renamed into place, and
 *   updates change every ref at once (`fetch --atomic`), so a kill -9 leaves
 *   the old mirror or the new one.
 * - Only directories wrknv marked as its own (`wrknv-mirror.json` inside) are
 *   used, listed as wrknv's, or pruned.
 *
 * @module
 */
import { basename, join } from "node:path";
import { GitError } from "../git/mod.ts";
import { interruption, WrknvError } from "../errors.ts";
import * as git from "../git/mod.ts";
import {
  formatConfigValue,
  type PackedRef,
  readConfig,
  readHead,
  readPackedRefs,
  readRef,
  readRemoteUrl,
} from "../git/files.ts";
import { checkRepoUrl } from "../config/url.ts";
import { nameFromUrl } from "./init.ts";
import { exists, pidAlive } from "../fs.ts";
import { runtime } from "../runtime.ts";
import { userCacheDir } from "../config/user_state.ts";
import { sha256Hex } from "../hash.ts";

/** The cache directory. */
export function cacheDir(): string {
  // With WRKNV_CACHE_DIR set the mirrors live in it, else in the cache's git/.
  return runtime.env("WRKNV_CACHE_DIR") || join(userCacheDir(), "git");
}

/** Whether a URL is worth caching: anything that crosses a network. */
export function cacheable(url: string): boolean {
  const r = checkRepoUrl(url);
  return "transport" in r && r.transport !== "local" && r.transport !== "file" &&
    git.mirrorKey(url) !== null;
}

async function hash(text: string): Promise<string> {
  return (await sha256Hex(text)).slice(0, 12);
}

/** Where the mirror of `url` lives (its name and a hash of its whole normalised URL). */
export async function mirrorPath(url: string): Promise<string> {
  const key = git.mirrorKey(url) ?? url;
  const name = (nameFromUrl(url) || "repo").replace(/[^A-Za-z0-9._-]/g, "_");
  return join(cacheDir(), `${name}-${await hash(key)}.git`);
}

/** The file that marks a mirror as wrknv's, and records its URL and updates. */
const MARKER = "wrknv-mirror.json";
/** What wrknv before the whole-URL keys marked its mirrors with. */
const LEGACY_MARKER = "wrknv-last-used";
const TEMP = ".tmp-";

/** What {@linkcode MARKER} holds. */
interface MirrorState {
  /** The normalised URL ({@linkcode git.mirrorKey}). */
  key: string;
  /** The URL, any password left out. */
  url: string;
  /** When it was made. */
  created: string;
  /** The last successful update from the remote. */
  updated: string;
  /** The last time a bootstrap cloned from it. */
  used?: string;
}

async function readState(path: string): Promise<MirrorState | null> {
  try {
    const doc = JSON.parse(await Deno.readTextFile(join(path, MARKER)));
    return typeof doc?.key === "string" && typeof doc?.updated === "string" ? doc : null;
  } catch {
    return null;
  }
}

async function writeState(path: string, state: MirrorState): Promise<void> {
  const temp = join(path, `${MARKER}.${crypto.randomUUID().slice(0, 8)}`);
  await Deno.writeTextFile(temp, JSON.stringify(state, null, 2) + "\n");
  await Deno.rename(temp, join(path, MARKER));
}

/** The URL without a password or token, for the record. */
function withoutPassword(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/, "$1@");
}

/**
 * Take the lock of the mirror at `path` (waiting for another wrknv that holds
 * it; an abort stops the wait). flock(2): the kernel drops it when its holder
 * dies, however.
 */
async function lockMirror(path: string, signal?: AbortSignal): Promise<AsyncDisposable> {
  const file = await Deno.open(`${path}.lock`, { create: true, write: true });
  const locked = file.lock(true);
  if (signal) {
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(interruption(signal));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      if (signal.aborted) throw interruption(signal);
      await Promise.race([locked, aborted]);
    } catch (error) {
      locked.catch(() => {});
      try {
        file.close();
      } catch {
        // closed
      }
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  } else await locked;
  return {
    [Symbol.asyncDispose]: () => {
      try {
        file.close(); // releases the lock
      } catch {
        // closed
      }
      return Promise.resolve();
    },
  };
}

/** Remove the directories a killed wrknv left while making the mirror at `path` (under its lock). */
async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `${basename(path)}${TEMP}`;
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(cacheDir()));
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory || !e.name.startsWith(prefix)) continue;
    const pid = Number(e.name.slice(prefix.length).split("-")[0]);
    const temp = join(cacheDir(), e.name);
    if (!Number.isInteger(pid) || pidAlive(pid)) continue;
    if (!(await exists(join(temp, MARKER)))) continue; // not ours
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

/** A mirror ready to clone from, locked until it is disposed. */
export interface HeldMirror extends AsyncDisposable {
  /** Its directory. */
  path: string;
  /** When it was last brought up to date from the remote. */
  updated: Date;
  /** True when it was not updated in this run (offline): the clone is as old as `updated`. */
  stale: boolean;
}

/** Options for {@linkcode openMirror}. */
export interface OpenMirrorOptions {
  /** Aborting stops the update (and the wait for the lock). */
  signal?: AbortSignal;
  /** Milliseconds for the whole update. */
  timeoutMs?: number;
  /** Use the mirror as it is, without the network; fail when there is none. */
  offline?: boolean;
}

/**
 * The mirror of `url`, brought up to date (or, `offline`, as it is), and
 * locked: clone from it, then dispose of it. Returns `{ cold: true }` when
 * there is none yet (clone directly, then {@linkcode keepAsMirror}), and a
 * reason when the directory at the mirror's path is not a mirror of this URL
 * made by wrknv (it is left alone, and the caller clones directly).
 *
 * @throws {GitError} when the mirror cannot be updated, with git's message
 * and kind, as a direct clone would fail; offline, when there is no mirror
 */
export async function openMirror(
  url: string,
  options: OpenMirrorOptions = {},
): Promise<HeldMirror | { unusable: string } | { cold: true }> {
  const key = git.mirrorKey(url);
  if (key === null) return { unusable: `${url} is not cached` };
  const path = await mirrorPath(url);
  await Deno.mkdir(cacheDir(), { recursive: true });
  const lock = await lockMirror(path, options.signal);
  try {
    const now = new Date().toISOString();
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    if (!(await exists(path))) {
      if (options.offline) {
        throw new GitError(
          `no mirror of ${git.redactUrl(url)} in the cache (${cacheDir()}), and --offline ` +
            "allows no network; run once without --offline",
          { kind: "other" },
        );
      }
      // Cold: the caller clones directly and then keeps the clone's objects as the mirror.
      await lock[Symbol.asyncDispose]();
      return { cold: true };
    }
    const state = await readState(path);
    const origin = state ? await readRemoteUrl(path) : null;
    if (!state || state.key !== key || origin === null || git.mirrorKey(origin) !== key) {
      await lock[Symbol.asyncDispose]();
      return {
        unusable: state
          ? `the mirror at ${path} is of ${origin ?? state.url}, not ${
            git.redactUrl(url)
          }; left it alone and cloned directly`
          : `${path} was not made by wrknv; left it alone and cloned directly`,
      };
    }
    if (options.offline) {
      await writeState(path, { ...state, used: now }).catch(() => {});
      return held(path, lock, new Date(state.updated), true);
    }
    await removeStaleTemps(path);
    await git.updateMirror(path, url, call);
    await followDefaultBranch(path, url, call);
    await writeState(path, { ...state, url: withoutPassword(url), updated: now, used: now });
    return held(path, lock, new Date(now), false);
  } catch (error) {
    await lock[Symbol.asyncDispose]();
    throw error;
  }
}

function held(path: string, lock: AsyncDisposable, updated: Date, stale: boolean): HeldMirror {
  return { path, updated, stale, [Symbol.asyncDispose]: () => lock[Symbol.asyncDispose]() };
}

/**
 * When the remote's HEAD commit (fetched to {@linkcode git.MIRROR_HEAD_REF})
 * is not the commit of the branch the mirror's HEAD names, the remote's
 * default branch may have changed: ask the remote, and follow it.
 */
async function followDefaultBranch(
  path: string,
  url: string,
  call: { signal?: AbortSignal; timeoutMs?: number },
): Promise<void> {
  const head = await Deno.readTextFile(join(path, "HEAD")).catch(() => "");
  const m = /^ref: refs\/heads\/(\S+)$/.exec(head.trim());
  const ref = async (name: string) => {
    const found = await readRef(path, name);
    return found !== undefined ? found : await git.revParse(path, name).catch(() => null);
  };
  const [ours, theirs] = await Promise.all([
    m ? ref(`refs/heads/${m[1]}`) : null,
    ref(git.MIRROR_HEAD_REF),
  ]);
  if (theirs === null || (ours !== null && ours === theirs)) return;
  const branch = await git.remoteHeadBranch(url, call);
  if (branch && branch !== m?.[1]) await git.setHeadBranch(path, branch);
}

/**
 * After a direct clone of `url` into `workTree` (the cache was cold), make
 * the mirror from the clone's own objects: its packs hard-linked (copied
 * across file systems), its remote-tracking branches as the mirror's
 * branches, its tags, HEAD as the remote's: no process and no second
 * transfer, so a cold cache costs what no cache costs. Returns false, making
 * nothing, when the clone is not in the plain layout (the next bootstrap
 * tries again) or another wrknv made the mirror first.
 */
export async function keepAsMirror(url: string, workTree: string): Promise<boolean> {
  const key = git.mirrorKey(url);
  if (key === null) return false;
  const gitDir = join(workTree, ".git");
  const config = await readConfig(gitDir);
  const packed = await readPackedRefs(gitDir);
  if (!config || !packed || await exists(join(gitDir, "reftable"))) return false;
  if (await exists(join(gitDir, "shallow"))) return false;
  const extensions = config.filter((e) => e.section === "extensions");
  if (extensions.some((e) => e.key !== "objectformat")) return false;
  const core = (k: string) => config.find((e) => e.section === "core" && e.key === k)?.value;

  // Refs: packed first, loose ones over them.
  const refs = new Map<string, PackedRef>();
  const origin = "refs/remotes/origin/";
  const take = (r: PackedRef) => {
    if (r.ref.startsWith(origin) && r.ref !== `${origin}HEAD`) {
      refs.set(`refs/heads/${r.ref.slice(origin.length)}`, { ...r, ref: "" });
    } else if (r.ref.startsWith("refs/tags/")) refs.set(r.ref, { ...r, ref: "" });
  };
  packed.refs.forEach(take);
  for (const dir of ["refs/remotes/origin", "refs/tags"]) {
    for (const ref of await looseRefs(gitDir, dir)) {
      const sha = await readRef(gitDir, ref);
      if (sha === undefined) {
        if (ref !== `${origin}HEAD`) return false;
      } else if (sha !== null) {
        const before = packed.refs.find((r) => r.ref === ref);
        take({
          ref,
          sha,
          ...(before?.sha === sha && before.peeled ? { peeled: before.peeled } : {}),
        });
      }
    }
  }
  if (refs.size === 0) return false;
  const remoteHead = (await Deno.readTextFile(join(gitDir, origin, "HEAD")).catch(() => ""))
    .trim();
  const m = /^ref: refs\/remotes\/origin\/(\S+)$/.exec(remoteHead);
  const branch = m?.[1] ?? (await readHead(workTree))?.branch;
  if (!branch || !refs.has(`refs/heads/${branch}`)) return false;

  const packDir = join(gitDir, "objects", "pack");
  const packs = (await Array.fromAsync(Deno.readDir(packDir)).catch(() => []))
    .map((e) => e.name).filter((n) => /^pack-[0-9a-f]+\.(pack|idx|rev|bitmap)$/.test(n));
  if (!packs.some((n) => n.endsWith(".idx"))) return false;

  await Deno.mkdir(cacheDir(), { recursive: true });
  const path = await mirrorPath(url);
  const temp = `${path}${TEMP}${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(temp);
  try {
    const now = new Date().toISOString();
    const state: MirrorState = { key, url: withoutPassword(url), created: now, updated: now };
    await writeState(temp, state); // marks the directory as wrknv's while it is made
    const repo = join(temp, "mirror.git");
    for (const d of ["objects/pack", "objects/info", "refs/heads", "refs/tags"]) {
      await Deno.mkdir(join(repo, d), { recursive: true });
    }
    for (const name of packs) {
      const from = join(packDir, name);
      const to = join(repo, "objects", "pack", name);
      await Deno.link(from, to).catch(() => Deno.copyFile(from, to));
    }
    const lines = [...refs].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
      .flatMap(([ref, r]) => [`${r.sha} ${ref}`, ...(r.peeled ? [`^${r.peeled}`] : [])]);
    const header = packed.header?.includes("peeled") ? `${packed.header}\n` : "";
    await Deno.writeTextFile(join(repo, "packed-refs"), header + lines.join("\n") + "\n");
    await Deno.writeTextFile(join(repo, "HEAD"), `ref: refs/heads/${branch}\n`);
    let text = `[core]\n\trepositoryformatversion = ${core("repositoryformatversion") ?? "0"}\n` +
      `\tfilemode = ${core("filemode") ?? "true"}\n\tbare = true\n`;
    if (extensions.length) {
      text += "[extensions]\n" +
        extensions.map((e) => `\t${e.key} = ${formatConfigValue(e.value)}\n`).join("");
    }
    text += `[remote "origin"]\n\turl = ${formatConfigValue(url)}\n`;
    await Deno.writeTextFile(join(repo, "config"), text);
    await writeState(repo, { ...state, used: now });
    await using _lock = await lockMirror(path);
    if (await exists(path)) return false; // another wrknv made it first
    await removeStaleTemps(path);
    await Deno.rename(repo, path);
    return true;
  } finally {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

/** Full names of the loose refs under `gitDir/<dir>` (recursively). */
async function looseRefs(gitDir: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(join(gitDir, dir)));
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isDirectory) out.push(...await looseRefs(gitDir, `${dir}/${e.name}`));
    else if (e.isFile && !e.name.endsWith(".lock")) out.push(`${dir}/${e.name}`);
  }
  return out;
}

/** One mirror (or other directory) in the cache. */
export interface MirrorInfo {
  /** Its directory. */
  path: string;
  /** The URL it mirrors (any password left out). */
  url: string | null;
  /** Bytes on disk. */
  bytes: number;
  /** The last successful update from its remote. */
  updated: Date | null;
  /** When a bootstrap last cloned from it. */
  lastUsed: Date | null;
  /** True when wrknv made it (only those are used and pruned). */
  ours: boolean;
  /** Made by an older wrknv (keyed by host and path only): never used again, pruned. */
  legacy?: boolean;
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

function date(text: string | undefined | null): Date | null {
  if (!text) return null;
  const d = new Date(text.trim());
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Every mirror in the cache, and any other directory named like one (marked not ours). */
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
    const state = await readState(path);
    const legacy = state
      ? null
      : await Deno.readTextFile(join(path, LEGACY_MARKER)).catch(() => null);
    const url = state?.url ?? await readRemoteUrl(path).catch(() => null);
    out.push({
      path,
      url: url === null ? null : withoutPassword(url),
      bytes: await du(path).catch(() => 0),
      updated: date(state?.updated),
      lastUsed: date(state?.used ?? legacy),
      ours: state !== null || legacy !== null,
      ...(legacy !== null ? { legacy: true } : {}),
    });
  }
  return out;
}

/**
 * Remove wrknv's mirrors not used for `olderThanDays` (all of them with 0),
 * each under its lock; directories wrknv did not make are never touched.
 * Returns what was removed and what was left alone.
 */
export async function pruneCache(
  olderThanDays: number,
): Promise<{ removed: MirrorInfo[]; notOurs: MirrorInfo[] }> {
  if (!Number.isFinite(olderThanDays) || olderThanDays < 0) {
    throw new WrknvError("--older-than must be a number of days");
  }
  const cutoff = Date.now() - olderThanDays * 86_400_000;
  const removed: MirrorInfo[] = [];
  const notOurs: MirrorInfo[] = [];
  for (const m of await cacheInfo()) {
    if (!m.ours) {
      notOurs.push(m);
      continue;
    }
    const used = m.lastUsed ?? m.updated;
    if (olderThanDays === 0 || !used || used.getTime() < cutoff) {
      await using _lock = await lockMirror(m.path);
      await Deno.remove(m.path, { recursive: true });
      await Deno.remove(`${m.path}.lock`).catch(() => {});
      removed.push(m);
    }
  }
  return { removed, notOurs };
}
