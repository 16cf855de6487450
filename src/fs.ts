/**
 * Small file-system questions asked all over: does it exist, is it a
 * directory, what does it say. None of them throws for a missing path.
 *
 * @module
 */

/** True when something (even a broken link) is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` is a directory (following links). */
export async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** True when `path` is a file (following links). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The text of a file, or null when it cannot be read. */
export async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
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
