/**
 * SHA-256, of text in memory and of files as a stream: a file is read in
 * chunks, so hashing a multi-gigabyte bundle file needs a few megabytes, not
 * the file's size.
 *
 * @module
 */

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The sha256 of some text (UTF-8) or bytes, hex. */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** The sha256 of a file, hex, read in chunks of 1 MiB (memory stays bounded whatever its size). */
export async function sha256File(path: string): Promise<string> {
  // Web Crypto has no incremental digest; node:crypto's Hash has, and is
  // loaded only by the commands that hash a file.
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(1 << 20);
  while (true) {
    const n = await file.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
  }
  return hash.digest("hex");
}
