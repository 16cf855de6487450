/**
 * Atomic file writes: a crash leaves the old file or the new one, never a torn one.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/**
 * Write `data` to `path` through a temporary file in the same directory,
 * flushed to disk and then renamed over the target. The temporary file is
 * removed when anything fails. An existing file's permission bits are kept.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  let mode: number | undefined;
  try {
    mode = (await Deno.stat(path)).mode ?? undefined;
  } catch {
    mode = undefined;
  }
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: mode ?? 0o644 });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    if (mode !== undefined) await Deno.chmod(tmp, mode & 0o7777);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}
