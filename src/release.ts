/**
 * The release layout, pure: which targets a release carries, which fits this
 * platform, where each file is published, and how SHA256SUMS reads. Shared by
 * `wrknv upgrade` (src/ops/upgrade.ts) and the release build (scripts/compile.ts).
 *
 * The layout is the one install.sh reads (GitHub releases):
 *
 *   <base>/latest/download/<file>          the latest release
 *   <base>/download/v<version>/<file>      a given release
 *
 * where `<file>` is `wrknv-<target>.tar.gz` (`.zip` for Windows), each holding
 * the single `wrknv` (`wrknv.exe`) binary, and `SHA256SUMS` beside them.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

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
