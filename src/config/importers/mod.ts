/**
 * `wrknv init --from FILE`: siblings from another tool's manifest. Pure: the
 * file's name and text in, siblings out; nothing is read, cloned or written.
 *
 * Formats: vcstool `.repos`, `.gitmodules`, gita's freeze CSV, mani's
 * `mani.yaml`, meta's `.meta`, west's `west.yml` and repo's XML manifest,
 * detected from the file name, else from the content.
 *
 * @example
 * ```ts
 * import { importManifest } from "./src/config/importers/mod.ts";
 * const text = "repositories:\n  core:\n    type: git\n    url: https://h/org/core.git\n";
 * const { siblings } = importManifest("deps.repos", text);
 * // [{ name: "core", repo: "https://h/org/core.git", path: "core" }]
 * ```
 *
 * @module
 */
import { type Context, fail, groupWarnings, safeName, warn } from "./common.ts";
import { EXPORT_MARK } from "../export.ts";
import { parseGita } from "./gita.ts";
import { parseGitmodules } from "./gitmodules.ts";
import { parseMani } from "./mani.ts";
import { parseMeta } from "./meta.ts";
import { parseRepoManifest } from "./repo_manifest.ts";
import type { ImportedSibling, ImportOptions, ImportResult, ManifestFormat } from "./types.ts";
import { parseVcstool } from "./vcstool.ts";
import { parseWest } from "./west.ts";

export type { ImportedSibling, ImportOptions, ImportResult, ManifestFormat } from "./types.ts";
export { joinUrl, lastComponent, resolveRelativeUrl } from "./common.ts";
export { parseGitConfig } from "./gitmodules.ts";

/** Every format, with what a person would call it. */
export const MANIFEST_FORMATS: Readonly<Record<ManifestFormat, string>> = {
  repos: "vcstool .repos",
  gitmodules: ".gitmodules",
  gita: "gita freeze CSV",
  mani: "mani.yaml",
  meta: "meta .meta",
  west: "west.yml",
  repo: "repo XML manifest",
};

function baseName(fileName: string): string {
  return fileName.split(/[/\\]/).pop() ?? fileName;
}

/**
 * The format of a manifest, from its file name (`.gitmodules`, `*.repos`,
 * `.meta`, `west.yml`, `mani.yaml`, `*.csv`, `*.xml`), else from its content;
 * null when neither tells.
 */
export function detectFormat(fileName: string, text: string): ManifestFormat | null {
  const base = baseName(fileName).toLowerCase();
  if (base === ".gitmodules" || base.endsWith(".gitmodules")) return "gitmodules";
  if (base.endsWith(".repos") || base.endsWith(".rosinstall")) return "repos";
  if (base === ".meta" || base === ".meta.json") return "meta";
  if (base === "west.yml" || base === "west.yaml") return "west";
  if (/^\.?mani\.ya?ml$/.test(base)) return "mani";
  if (base.endsWith(".csv")) return "gita";
  if (base.endsWith(".xml")) return "repo";
  const t = text.replace(/^\uFEFF/, "").trimStart();
  if (t.startsWith("<")) return "repo";
  if (/^\s*\[submodule[\s."]/im.test(text)) return "gitmodules";
  if (t.startsWith("{")) return "meta";
  if (/^repositories\s*:/m.test(text)) return "repos";
  // rosinstall: a list of `- git: {local-name: ..., uri: ...}`.
  if (/^-\s+(git|hg|svn|bzr|tar)\s*:/m.test(text)) return "repos";
  if (/^manifest\s*:/m.test(text)) return "west";
  if (/^projects\s*:/m.test(text)) return "mani";
  const rows = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  // gita: every row has at least url,name,path; some row starts with a URL.
  if (
    rows.length && rows.every((r) => (r.match(/,/g)?.length ?? 0) >= 2) &&
    rows.some((r) => /^[^,\s]*[:/][^,\s]*,/.test(r))
  ) return "gita";
  return null;
}

/** True for `.`, `./`, `` and the like: the manifest's own directory. */
function isOwnDirectory(path: string): boolean {
  return path.split("/").every((part) => part === "" || part === ".");
}

/**
 * Give every sibling a distinct name: siblings that share one are named
 * after their whole paths instead (`hal/nordic` → `hal-nordic`), with a
 * warning; a clash that remains is an error.
 */
function distinctNames(ctx: Context, siblings: ImportedSibling[]): void {
  const count = new Map<string, number>();
  for (const s of siblings) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  for (const [name, n] of count) {
    if (n < 2) continue;
    const renamed: string[] = [];
    for (const s of siblings) {
      if (s.name !== name || !s.path) continue;
      const parts = s.path.split("/").filter((p) => p && p !== "." && p !== "..");
      const whole = parts.join("-").replace(/\.git$/i, "");
      if (whole && whole !== name) {
        s.name = safeName(ctx, {}, whole);
        renamed.push(`${s.path} → ${s.name}`);
      }
    }
    if (renamed.length) {
      warn(
        ctx,
        {},
        `${n} entries would be named "${name}"; named after their paths: ${renamed.join(", ")}`,
      );
    }
  }
  const seen = new Map<string, ImportedSibling>();
  for (const s of siblings) {
    const other = seen.get(s.name);
    if (other) {
      fail(
        ctx,
        {},
        `two entries make the sibling name "${s.name}" (${other.path ?? other.repo} and ${
          s.path ?? s.repo
        })`,
      );
    }
    seen.set(s.name, s);
  }
}

/**
 * Read another tool's manifest into siblings.
 *
 * `fileName` may be a bare name or a path: its last component picks the
 * format (with the content as a fallback) and names the file in messages.
 * Paths come back as the manifest writes them; `topDir` says what they are
 * relative to when it is not the manifest's directory (west, repo).
 *
 * @throws {ConfigError} for an unknown format or a malformed manifest, as
 * one line naming the file and, where it can, the line and entry:
 * `west.yml:12: projects[2]: missing "name"`
 */
export function importManifest(
  fileName: string,
  text: string,
  options: ImportOptions = {},
): ImportResult {
  const ctx: Context = { file: baseName(fileName), warnings: [], unresolved: [], options };
  const format = options.format ?? detectFormat(fileName, text);
  if (!format) {
    fail(
      ctx,
      {},
      `unknown manifest format; expected ${Object.values(MANIFEST_FORMATS).join(", ")}`,
    );
  }
  let siblings: ImportedSibling[];
  let topDir: string | undefined;
  let inactiveGroups: string[] | undefined;
  switch (format) {
    case "repos":
      siblings = parseVcstool(ctx, text);
      break;
    case "gitmodules":
      siblings = parseGitmodules(ctx, text);
      break;
    case "gita":
      siblings = parseGita(ctx, text);
      break;
    case "mani":
      siblings = parseMani(ctx, text);
      break;
    case "meta":
      siblings = parseMeta(ctx, text);
      break;
    case "west":
      ({ siblings, topDir, inactiveGroups } = parseWest(ctx, text));
      break;
    case "repo":
      ({ siblings, topDir, inactiveGroups } = parseRepoManifest(ctx, text));
      break;
  }
  siblings = siblings.filter((s) => {
    if (topDir === undefined && s.path !== undefined && isOwnDirectory(s.path)) {
      warn(ctx, {}, `${s.name} is the manifest's own directory; skipped`);
      return false;
    }
    return true;
  });
  if (ctx.unresolved.length) {
    const [first] = ctx.unresolved;
    const n = ctx.unresolved.length;
    fail(
      ctx,
      {},
      `${n} ${n === 1 ? "entry has a relative URL" : "entries have relative URLs"} (${
        n === 1 ? "" : "the first: "
      }${first.where}: ${first.url}) and there is no URL to resolve ${
        n === 1 ? "it" : "them"
      } against (the manifest's repository has no origin); give the URL of the repository that holds the manifest with --base-url URL`,
    );
  }
  distinctNames(ctx, siblings);
  return {
    format,
    siblings,
    warnings: groupWarnings(ctx.warnings),
    ...(topDir ? { topDir } : {}),
    ...(inactiveGroups?.length ? { inactiveGroups } : {}),
    ...(text.replace(/^\uFEFF/, "").startsWith(EXPORT_MARK) ? { rootRelative: true } : {}),
  };
}
