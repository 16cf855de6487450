/**
 * `wrknv upgrade [--version V]`: replace the running binary with a release,
 * checked against the release's SHA256SUMS, atomically (the old binary stays
 * unless the new one is complete and verified).
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { ConfigError, WrknvError } from "../errors.ts";
import { run } from "../proc/mod.ts";
import { runtime } from "../runtime.ts";
import { VERSION } from "../version.ts";
import type { Context } from "./context.ts";

/** Where releases are published (the layout install.sh reads too). */
export const RELEASES = "https://github.com/wrknv/wrknv/releases";

/** This platform's release target, or null when none is published for it. */
export function detectTarget(
  os: string = Deno.build.os,
  arch: string = Deno.build.arch,
): string | null {
  const a = arch === "x86_64" ? "x86_64" : arch === "aarch64" ? "aarch64" : null;
  if (!a) return null;
  if (os === "linux") return `${a}-unknown-linux-gnu`;
  if (os === "darwin") return `${a}-apple-darwin`;
  if (os === "windows" && a === "x86_64") return "x86_64-pc-windows-msvc";
  return null;
}

/** The URLs of a release's archive and checksums. */
export function releaseUrls(
  base: string,
  version: string,
  target: string,
): { archive: string; sums: string; name: string } {
  const dir = version === "latest"
    ? `${base.replace(/\/+$/, "")}/latest/download`
    : `${base.replace(/\/+$/, "")}/download/v${version.replace(/^v/, "")}`;
  const name = `wrknv-${target}.${target.includes("windows") ? "zip" : "tar.gz"}`;
  return { archive: `${dir}/${name}`, sums: `${dir}/SHA256SUMS`, name };
}

/** True when this is a compiled wrknv, not `deno run`. */
export function isCompiled(): boolean {
  const exe = basename(Deno.execPath()).toLowerCase();
  return exe !== "deno" && exe !== "deno.exe";
}

async function download(url: string): Promise<Uint8Array<ArrayBuffer>> {
  if (url.startsWith("file://")) {
    try {
      return await Deno.readFile(new URL(url));
    } catch {
      throw new WrknvError(`cannot read ${url}`);
    }
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (error) {
    throw new WrknvError(`cannot download ${url}: ${(error as Error).message}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new WrknvError(`cannot download ${url}: HTTP ${res.status}`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Download, verify and put a release in place of `binary`.
 *
 * @throws {WrknvError} for a failed download, a checksum mismatch or an archive without wrknv; `binary` is then untouched
 */
export async function upgradeBinary(
  options: { base: string; version: string; target: string; binary: string },
): Promise<string> {
  const urls = releaseUrls(options.base, options.version, options.target);
  const [archive, sums] = await Promise.all([download(urls.archive), download(urls.sums)]);
  const line = new TextDecoder().decode(sums).split("\n").find((l) =>
    l.trim().split(/\s+\*?/)[1] === urls.name
  );
  if (!line) throw new WrknvError(`SHA256SUMS has no line for ${urls.name}`);
  const want = line.trim().split(/\s+/)[0];
  const got = await sha256(archive);
  if (got !== want) {
    throw new WrknvError(
      `checksum mismatch for ${urls.name} (got ${got.slice(0, 16)}…, expected ${
        want.slice(0, 16)
      }…); nothing was changed`,
    );
  }
  const work = await Deno.makeTempDir({ dir: dirname(options.binary), prefix: ".wrknv-upgrade-" })
    .catch(() => {
      throw new WrknvError(`cannot write beside ${options.binary}; is the directory writable?`);
    });
  try {
    const file = join(work, urls.name);
    await Deno.writeFile(file, archive);
    const r = urls.name.endsWith(".zip")
      ? await run(["unzip", "-q", file, "-d", work])
      : await run(["tar", "-xzf", file, "-C", work]);
    if (r.code !== 0) throw new WrknvError(`cannot unpack ${urls.name}: ${r.stderr.trim()}`);
    const fresh = join(work, urls.name.endsWith(".zip") ? "wrknv.exe" : "wrknv");
    try {
      await Deno.stat(fresh);
    } catch {
      throw new WrknvError(`${urls.name} does not hold a wrknv binary`);
    }
    await Deno.chmod(fresh, 0o755).catch(() => {});
    // rename(2) is atomic: the old binary is replaced whole, or not at all.
    await Deno.rename(fresh, options.binary);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  return urls.archive;
}

/** Run `wrknv upgrade`. */
export async function upgradeCommand(ctx: Context, flags: { version?: string }): Promise<number> {
  const binary = runtime.env("WRKNV_UPGRADE_BINARY") ??
    (isCompiled() ? Deno.execPath() : undefined);
  if (!binary) {
    ctx.err(
      "wrknv is running from source (deno run); update it there instead:\n" +
        "  git pull && deno task compile   # or run it as before: deno task dev\n" +
        `or install a release: curl -fsSL ${RELEASES}/latest/download/install.sh | sh\n`,
    );
    return 1;
  }
  if (
    flags.version !== undefined && !/^v?\d+\.\d+\.\d+([-.+][0-9A-Za-z.-]+)?$/.test(flags.version)
  ) {
    throw new ConfigError(`--version: expected a version such as 0.2.0, got "${flags.version}"`);
  }
  const target = detectTarget();
  if (!target) {
    throw new WrknvError(
      `no release is published for ${Deno.build.os} ${Deno.build.arch}; build from source`,
    );
  }
  const version = flags.version ?? "latest";
  const from = await upgradeBinary({
    base: runtime.env("WRKNV_DOWNLOAD_URL") ?? RELEASES,
    version,
    target,
    binary,
  });
  if (!ctx.quiet) ctx.out(`upgraded ${binary} from ${VERSION} to ${version} (${from})\n`);
  return 0;
}
