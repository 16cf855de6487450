/**
 * `wrknv init --from FILE`: the part that reads the disk around a manifest.
 * The importers are pure (text in, siblings out); this finds what they
 * cannot: the manifest repository (for relative URLs and included files),
 * and the directory the manifest's paths are relative to, by each tool's
 * own rules:
 *
 * - repo: the directory holding `.repo` (`.repo/manifest.xml`,
 *   `.repo/manifests/*.xml`); a manifest repository checked out elsewhere
 *   sits in its top, like west's.
 * - west: the directory holding `.west`, else the manifest repository's
 *   parent (deeper when `self.path` is).
 * - vcstool: where `vcs import` runs, which for wrknv is the root.
 * - .gitmodules: the superproject's working tree when it is one; a loose
 *   file (an export) is relative to the root.
 * - gita (absolute paths), mani and meta: the manifest's directory.
 *
 * @module
 */
import { basename, dirname, join, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { isInside } from "../config/paths.ts";
import { exists } from "../fs.ts";
import type { SiblingAnswer } from "../ops/init.ts";

/** What a manifest gives `init`. */
export interface FromManifest {
  /** The siblings, paths absolute. */
  siblings: SiblingAnswer[];
  /** Groups off by default. */
  inactiveGroups: string[];
  /** Warnings, one line each. */
  warnings: string[];
}

/** The nearest directory from `dir` up that holds `name`, or null. */
async function findUp(dir: string, name: string): Promise<string | null> {
  for (let d = dir;; d = dirname(d)) {
    if (await exists(join(d, name))) return d;
    if (dirname(d) === d) return null;
  }
}

/** The `.repo` layout: the top holding `.repo`, and the manifest repository in it. */
function repoLayout(path: string): { top: string; manifests: string } | null {
  const dir = dirname(path);
  if (basename(dir) === ".repo") return { top: dirname(dir), manifests: join(dir, "manifests") };
  const parts = path.split("/");
  const at = parts.lastIndexOf(".repo");
  if (at > 0 && parts[at + 1] === "manifests") {
    const top = parts.slice(0, at).join("/") || "/";
    return { top, manifests: join(top, ".repo", "manifests") };
  }
  return null;
}

/**
 * Read `file` (relative to `cwd`) and import it: siblings with absolute
 * paths, by the rules above. `root` is the workspace root as it stands.
 *
 * @throws {ConfigError} for a missing file or a manifest the importer refuses
 */
export async function importFrom(
  file: string,
  options: { cwd: string; root: string; baseUrl?: string },
): Promise<FromManifest> {
  const path = resolve(options.cwd, file);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new ConfigError(`--from ${file}: no such file`);
  }
  const { detectFormat, importManifest } = await import("../config/importers/mod.ts");
  const { remoteUrl } = await import("../git/mod.ts");
  const format = detectFormat(basename(path), text);
  const layout = format === "repo" ? repoLayout(path) : null;
  // The repository that holds the manifest: relative URLs and included files are its.
  const repoDir = layout?.manifests ?? (await findUp(dirname(path), ".git")) ?? dirname(path);
  const baseUrl = options.baseUrl ?? (await remoteUrl(repoDir).catch(() => null)) ?? undefined;
  const inRepo = (name: string) => {
    const p = resolve(repoDir, name);
    return isInside(p, repoDir) ? p : undefined;
  };
  const readFile = (name: string) => {
    const p = inRepo(name);
    try {
      return p ? Deno.readTextFileSync(p) : undefined;
    } catch {
      return undefined;
    }
  };
  const listDir = (name: string) => {
    const p = inRepo(name);
    try {
      if (!p || !Deno.statSync(p).isDirectory) return undefined;
      return [...Deno.readDirSync(p)].filter((e) => e.isFile && /\.ya?ml$/.test(e.name))
        .map((e) => e.name).sort();
    } catch {
      return undefined;
    }
  };
  const result = importManifest(basename(path), text, { baseUrl, readFile, listDir });

  let top: string;
  switch (result.rootRelative ? "exported" : result.format) {
    case "exported":
      top = options.root;
      break;
    case "repo":
      top = layout?.top ?? resolve(repoDir, "..");
      break;
    case "west":
      top = (await findUp(dirname(path), ".west")) ?? resolve(repoDir, result.topDir ?? "..");
      break;
    case "repos":
      top = options.root;
      break;
    case "gitmodules":
      top = (await exists(join(dirname(path), ".git"))) ? dirname(path) : options.root;
      break;
    default:
      top = dirname(path);
  }
  return {
    siblings: result.siblings.map((s) => ({
      repo: s.repo,
      name: s.name,
      path: s.path !== undefined ? resolve(top, s.path) : undefined,
      revision: s.revision,
      groups: s.groups,
      depth: s.depth,
      at: s.at,
    })),
    inactiveGroups: result.inactiveGroups ?? [],
    warnings: result.warnings.map((w) => `${file}: ${w}`),
  };
}

/**
 * The root to write: `root` when every sibling lies inside it, else the
 * nearest directory holding `root` and every sibling (never a sibling's own
 * directory), relative to `cwd`.
 */
export function widenRoot(
  root: string,
  paths: readonly string[],
  cwd: string,
): string | null {
  const rootAbs = resolve(cwd, root);
  if (paths.every((p) => isInside(p, rootAbs) && p !== rootAbs)) return null;
  let common = rootAbs;
  for (const p of paths) while (!isInside(p, common)) common = dirname(common);
  while (paths.includes(common) && dirname(common) !== common) common = dirname(common);
  return relative(cwd, common) || ".";
}

/**
 * A config error about `siblings[N]` of the wrknv.toml not yet written,
 * told as the manifest entry it came from: `west.yml:40: projects[12]
 * (babblesim_base): path ... `. Other errors come back as they are.
 */
export function inManifestTerms(error: unknown, siblings: readonly SiblingAnswer[]): unknown {
  if (!(error instanceof ConfigError)) return error;
  const m = /^[^:]+(?::\d+)?: siblings\[(\d+)\]\.(\w+): (.*)$/s.exec(error.message);
  const from = m ? siblings[Number(m[1])]?.at : undefined;
  if (!m || !from) return error;
  const rest = m[3].replace(
    /\(siblings\[(\d+)\]\)/g,
    (all, i) => siblings[Number(i)]?.at ? `(${siblings[Number(i)].at})` : all,
  );
  return new ConfigError(`${from}: ${m[2]}: ${rest}`);
}
