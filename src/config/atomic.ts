/**
 * Atomic file writes: a crash leaves the old file or the new one, never a torn one.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { checkpoint } from "../checkpoint.ts";
import { pidAlive } from "../fs.ts";
import { WrknvError } from "../errors.ts";

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * When `path` is a symbolic link, the file it leads to is written (the
   * link stays); this is asked first, with that file's real path, and may
   * throw to refuse (say, when it is not the kind of file `path` names).
   */
  checkLinkTarget?: (target: string) => Promise<void>;
}

/**
 * Write `data` to `path` through a temporary file in the same directory,
 * flushed to disk and then renamed over the target. The temporary file is
 * removed when anything fails. An existing file's permission bits are kept.
 * Temporary files that a killed wrknv left beside the target are removed
 * first (they are named after its pid, so a live writer's are left alone).
 * A symbolic link at `path` is written through, never replaced by a file.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  path = await linkTarget(path, options);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  let mode: number | undefined;
  try {
    mode = (await Deno.stat(path)).mode ?? undefined;
  } catch {
    mode = undefined;
  }
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  await removeStaleTemps(dir, basename(path));
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: mode ?? 0o644 });
    try {
      await checkpoint(`write ${basename(path)}`);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    if (mode !== undefined) await Deno.chmod(tmp, mode & 0o7777);
    await checkpoint(`rename ${basename(path)}`);
    await Deno.rename(tmp, path);
    await checkpoint(`renamed ${basename(path)}`);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Remove `.<name>.<pid>.<hex>.tmp` files in `dir` whose writer is gone. */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const prefix = `.${name}.`;
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !e.name.startsWith(prefix)) continue;
      const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(e.name.slice(prefix.length));
      if (m && Number(m[1]) !== Deno.pid && !pidAlive(Number(m[1]))) {
        await Deno.remove(join(dir, e.name)).catch(() => {});
      }
    }
  } catch {
    // An unreadable directory: the write itself will say what is wrong.
  }
}

/** The file that a write to `path` must replace: `path`, or the file its link leads to. */
async function linkTarget(path: string, options: AtomicWriteOptions): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch {
    return path;
  }
  if (!info.isSymlink) return path;
  let target: string;
  try {
    target = await Deno.realPath(path);
  } catch {
    const to = await Deno.readLink(path).catch(() => "?");
    throw new WrknvError(
      `${path} is a symbolic link to ${to}, which does not exist; wrknv writes through links, not over them`,
      { hint: `make ${to}, or remove the link` },
    );
  }
  if (!(await Deno.stat(target)).isFile) {
    throw new WrknvError(`${path} is a symbolic link to ${target}, which is not a file`);
  }
  await options.checkLinkTarget?.(target);
  return target;
}
