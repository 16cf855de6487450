/**
 * The core of `wrknv upgrade`: which release fits this platform, where it is
 * published, and how the running binary is replaced by it.
 *
 * The release layout is the one install.sh reads (GitHub releases):
 *
 *   <base>/latest/download/<file>          the latest release
 *   <base>/download/v<version>/<file>      a given release
 *
 * where `<file>` is `wrknv-<target>.tar.gz` (`.zip` for Windows), each holding
 * the single `wrknv` (`wrknv.exe`) binary, and `SHA256SUMS` beside them.
 *
 * A replacement is all or nothing: the archive is checked against SHA256SUMS
 * and unpacked in a temporary directory beside the binary, and the binary is
 * swapped by one rename. Until that rename the old binary is untouched.
 *
 * @module
 */
import { sha256Hex } from "../hash.ts";
import { basename, dirname, join } from "node:path";
import { ConfigError, WrknvError } from "../errors.ts";
import { run } from "../proc/mod.ts";

/** Where releases are published by default (a placeholder repository). */
export const RELEASES = "https://github.com/wrknv/wrknv/releases";

/** Every target a release carries. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of {@linkcode TARGETS}. */
export type Target = typeof TARGETS[number];

const ARCHES = new Map<string, "x86_64" | "aarch64">([
  ["x86_64", "x86_64"],
  ["amd64", "x86_64"],
  ["aarch64", "aarch64"],
  ["arm64", "aarch64"],
]);

/**
 * The release target for an operating system and architecture, or null when
 * no release is published for them. Takes Deno's names (`Deno.build.os`,
 * `Deno.build.arch`) as well as `uname -s` / `uname -m` ones (`Linux`,
 * `Darwin`, `amd64`, `arm64`).
 *
 * @example
 * ```ts
 * detectTarget("linux", "x86_64"); // "x86_64-unknown-linux-gnu"
 * detectTarget("Darwin", "arm64"); // "aarch64-apple-darwin"
 * ```
 */
export function detectTarget(
  os: string = Deno.build.os,
  arch: string = Deno.build.arch,
): Target | null {
  const a = ARCHES.get(arch.toLowerCase());
  if (a === undefined) return null;
  switch (os.toLowerCase()) {
    case "linux":
      return `${a}-unknown-linux-gnu`;
    case "darwin":
      return `${a}-apple-darwin`;
    case "windows":
      return a === "x86_64" ? "x86_64-pc-windows-msvc" : null;
    default:
      return null;
  }
}

/**
 * A version as the user gave it (`0.2.0`, `v0.2.0`, `latest`), normalised
 * (`0.2.0`, `latest`).
 *
 * @throws {ConfigError} for anything that is not a version such as 0.2.0
 */
export function parseVersion(version: string): string {
  if (version === "latest") return version;
  if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
    throw new ConfigError(`expected a version such as 0.2.0 or latest, got "${version}"`);
  }
  return version.replace(/^v/, "");
}

/** Where one release archive and its checksums are. */
export interface ReleaseUrls {
  /** The release directory, e.g. `<base>/download/v0.2.0`. */
  dir: string;
  /** The archive's URL. */
  archive: string;
  /** The SHA256SUMS URL. */
  sums: string;
  /** The archive's file name, as SHA256SUMS lists it. */
  name: string;
}

/**
 * The URLs of a release's archive for `target` and its SHA256SUMS.
 *
 * @example
 * ```ts
 * releaseUrls("https://github.com/wrknv/wrknv/releases", "0.2.0", "x86_64-apple-darwin").archive;
 * // "https://github.com/wrknv/wrknv/releases/download/v0.2.0/wrknv-x86_64-apple-darwin.tar.gz"
 * ```
 */
export function releaseUrls(base: string, version: string, target: string): ReleaseUrls {
  const root = base.replace(/\/+$/, "");
  const dir = version === "latest"
    ? `${root}/latest/download`
    : `${root}/download/v${version.replace(/^v/, "")}`;
  const name = archiveName(target);
  return { dir, archive: `${dir}/${name}`, sums: `${dir}/SHA256SUMS`, name };
}

/** The archive file name for a target: `wrknv-<target>.tar.gz`, or `.zip` for Windows. */
export function archiveName(target: string): string {
  return `wrknv-${target}.${target.includes("windows") ? "zip" : "tar.gz"}`;
}

/**
 * The checksum that a SHA256SUMS text gives for `name` (lowercase hex), or
 * null when it has no line for it. Accepts both `sha256sum` forms, text
 * (`<hash>  <name>`) and binary (`<hash> *<name>`), and CRLF line ends.
 */
export function parseSums(text: string, name: string): string | null {
  for (const raw of text.split("\n")) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+?)\r?$/.exec(raw);
    if (m && m[2] === name) return m[1].toLowerCase();
  }
  return null;
}

/**
 * True when this process is a compiled wrknv, false under `deno run` (the
 * executable is then `deno` itself, and the way to update is from source).
 */
export function isCompiled(execPath: string = Deno.execPath()): boolean {
  const name = execPath.split(/[\\/]/).pop() ?? "";
  return name.toLowerCase().replace(/\.exe$/, "") !== "deno";
}

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

/** The SHA-256 of some bytes, as lowercase hex. */
export { sha256Hex } from "../hash.ts";

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
