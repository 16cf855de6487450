/**
 * Small file-system questions asked all over: does it exist, is it a
 * directory, what does it say. A path that is not there (or lies under a
 * file) is an answer: false, or null. Any other failure, a directory that may
 * not be read (EACCES) say, is thrown: it is not the same as "missing", and
 * taking it for that would report an unreadable clone as "not cloned".
 *
 * @module
 */
import { basename, dirname } from "node:path";

/**
 * True for the errors that mean "nothing usable is at that path": not there,
 * under a file, or a loop of symbolic links.
 */
export function isAbsent(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory ||
    error instanceof Deno.errors.FilesystemLoop;
}

/** True when something (even a broken link) is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (isAbsent(error)) return false;
    throw error;
  }
}

/** True when `path` is a directory (following links). */
export async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    if (isAbsent(error)) return false;
    throw error;
  }
}

/** True when `path` is a file (following links). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (isAbsent(error)) return false;
    throw error;
  }
}

/**
 * Of `paths`, those that are certainly not there: each distinct parent
 * directory is listed once and a path whose name its listing lacks is
 * absent, so 5,000 missing siblings cost one directory read, not 5,000
 * failed stats. Conservative: a name listed in any case or Unicode form
 * (a case-insensitive file system finds "Foo" for "foo") is not called
 * absent, nor is anything under a parent that cannot be listed for a reason
 * other than its absence; ask those with a stat.
 */
export async function surelyAbsent(paths: readonly string[]): Promise<Set<string>> {
  const fold = (name: string) => name.normalize("NFC").toLowerCase();
  const byParent = new Map<string, string[]>();
  for (const path of paths) {
    const parent = dirname(path);
    if (parent === path || basename(path) === "") continue;
    const list = byParent.get(parent);
    if (list) list.push(path);
    else byParent.set(parent, [path]);
  }
  const absent = new Set<string>();
  await Promise.all([...byParent].map(async ([parent, under]) => {
    const names = new Set<string>();
    try {
      for await (const entry of Deno.readDir(parent)) names.add(fold(entry.name));
    } catch (error) {
      if (!isAbsent(error)) return;
    }
    for (const path of under) {
      if (!names.has(fold(basename(path)))) absent.add(path);
    }
  }));
  return absent;
}

/** The text of a file, or null when there is none. */
export async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (isAbsent(error)) return null;
    throw error;
  }
}

/**
 * True while process `pid` exists on this machine (read from /proc). Where
 * there is no /proc, it cannot be told, and the answer is true, so that
 * nothing of a process that may still be running is ever taken away.
 */
export function pidAlive(pid: number): boolean {
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true;
  }
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
