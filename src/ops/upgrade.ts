/**
 * `wrknv upgrade`'s work: download the release that fits this platform and
 * replace the running binary with it. A replacement is all or nothing: the
 * archive is checked against SHA256SUMS and unpacked in a temporary directory
 * beside the binary, and the binary is swapped by one rename. Until that
 * rename the old binary is untouched.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { WrknvError } from "../errors.ts";
import { run } from "../proc/mod.ts";
import { sha256Hex } from "../hash.ts";
import { parseSums, releaseUrls } from "../release.ts";

/** Options for {@linkcode upgradeBinary}. */
export interface UpgradeOptions {
  /** The releases base URL: `https://...` or a `file://` directory. */
  base: string;
  /** `latest` or a version such as `0.2.0`. */
  version: string;
  /** The release target, one of {@linkcode TARGETS}. */
  target: string;
  /** The binary to replace (a symbolic link is followed: its target is replaced). */
  binaryPath: string;
  /** The fetch to download with (default: the global one, which also reads `file://` URLs). */
  fetch?: typeof fetch;
  /** Aborts the downloads. */
  signal?: AbortSignal;
}

/** What {@linkcode upgradeBinary} did. */
export interface UpgradeResult {
  /** The archive's URL. */
  url: string;
  /** The file that was replaced (symbolic links resolved). */
  binaryPath: string;
  /** The archive's verified SHA-256. */
  sha256: string;
}

/**
 * Download the release archive for `target`, verify it against the release's
 * SHA256SUMS, unpack it beside `binaryPath` and put the new binary in its
 * place with one rename (mode 755).
 *
 * @throws {WrknvError} when a download fails, the checksum differs, the
 * archive holds no wrknv binary or the directory is not writable; the old
 * binary is then untouched and nothing is left beside it
 */
export async function upgradeBinary(options: UpgradeOptions): Promise<UpgradeResult> {
  const urls = releaseUrls(options.base, options.version, options.target);
  const get = options.fetch ?? fetch;
  const [archive, sums] = await Promise.all([
    download(get, urls.archive, options.signal),
    download(get, urls.sums, options.signal),
  ]);
  const want = parseSums(new TextDecoder().decode(sums), urls.name);
  if (!want) throw new WrknvError(`${urls.sums} has no line for ${urls.name}; nothing was changed`);
  const got = await sha256Hex(archive);
  if (got !== want) {
    throw new WrknvError(
      `checksum mismatch for ${urls.name} (got ${got}, expected ${want}); nothing was changed`,
    );
  }

  let binaryPath: string;
  try {
    binaryPath = await Deno.realPath(options.binaryPath);
  } catch {
    throw new WrknvError(`no binary to replace at ${options.binaryPath}`);
  }
  let work: string;
  try {
    work = await Deno.makeTempDir({ dir: dirname(binaryPath), prefix: ".wrknv-upgrade-" });
  } catch (error) {
    throw new WrknvError(`cannot write beside ${binaryPath}: ${(error as Error).message}`, {
      hint: "run the upgrade as the user who owns that directory, or reinstall with install.sh",
    });
  }
  try {
    const file = join(work, urls.name);
    await Deno.writeFile(file, archive);
    const unpacked = join(work, "unpacked");
    await Deno.mkdir(unpacked);
    await unpack(file, unpacked);
    const exe = urls.name.endsWith(".zip") ? "wrknv.exe" : "wrknv";
    const fresh = join(unpacked, exe);
    const info = await Deno.lstat(fresh).catch(() => null);
    if (!info?.isFile) throw new WrknvError(`${urls.name} does not hold a ${exe} binary`);
    if (Deno.build.os !== "windows") await Deno.chmod(fresh, 0o755);
    await swap(fresh, binaryPath);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  return { url: urls.archive, binaryPath, sha256: got };
}

async function download(
  get: typeof fetch,
  url: string,
  signal: AbortSignal | undefined,
): Promise<Uint8Array<ArrayBuffer>> {
  let res: Response;
  try {
    res = await get(url, { signal });
  } catch (error) {
    throw new WrknvError(`cannot download ${url}: ${(error as Error).message}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new WrknvError(`cannot download ${url}: HTTP ${res.status}`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** Unpack an archive with the system's tar (Windows' tar reads zip too; elsewhere unzip does). */
async function unpack(file: string, into: string): Promise<void> {
  const cmd = !file.endsWith(".zip")
    ? ["tar", "-xzf", file, "-C", into]
    : Deno.build.os === "windows"
    ? ["tar", "-xf", file, "-C", into]
    : ["unzip", "-q", file, "-d", into];
  const r = await run(cmd);
  if (r.code !== 0) {
    throw new WrknvError(`cannot unpack ${basename(file)}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
}

/**
 * Put `fresh` in place of `target`. rename(2) replaces a file whole, even a
 * running executable, on Unix. Windows refuses to replace a running .exe but
 * lets it be renamed, so the old one steps aside first (and comes back if the
 * new one cannot be put in place).
 */
async function swap(fresh: string, target: string): Promise<void> {
  try {
    if (Deno.build.os !== "windows") {
      await Deno.rename(fresh, target);
      return;
    }
    const old = `${target}.old`;
    await Deno.remove(old).catch(() => {});
    await Deno.rename(target, old);
    try {
      await Deno.rename(fresh, target);
    } catch (error) {
      await Deno.rename(old, target);
      throw error;
    }
  } catch (error) {
    throw new WrknvError(`cannot replace ${target}: ${(error as Error).message}`);
  }
}
