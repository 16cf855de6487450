/**
 * mani's `mani.yaml`:
 *
 * ```yaml
 * import: [./other/mani.yaml]     # not followed
 * projects:
 *   pinto:                         # the project's name
 *     path: frontend/pinto         # relative to mani.yaml; default: the name, beside mani.yaml
 *     url: git@github.com:alajmo/pinto
 *     branch: main                 # newer mani
 *     tags: [frontend]
 *   notes:                         # no url: a plain directory, skipped
 *     path: notes
 * tasks: ...
 * ```
 *
 * @module
 */
import {
  checkPath,
  checkUrl,
  type Context,
  describeWhere,
  fail,
  isMapping,
  keyLabel,
  lastComponent,
  normalizeRevision,
  safeGroups,
  safeName,
  str,
  warn,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";
import { parseYaml } from "./yaml_file.ts";

/** Siblings from a `mani.yaml`; projects without a URL are skipped with a warning. */
export function parseMani(ctx: Context, text: string): ImportedSibling[] {
  const yaml = parseYaml(ctx, text);
  const root = isMapping(yaml.data) ? yaml.data : undefined;
  const projects = root?.projects;
  if (!isMapping(projects)) {
    fail(ctx, { line: yaml.lineOf(["projects"]) }, 'expected a "projects:" mapping');
  }
  if (root?.import !== undefined && root.import !== "") {
    warn(ctx, { label: "import", line: yaml.lineOf(["import"]) }, "imported files are not read");
  }
  const out: ImportedSibling[] = [];
  for (const [key, value] of Object.entries(projects)) {
    const at = (...keys: string[]) => ({
      label: keyLabel(["projects", key, ...keys]),
      line: yaml.lineOf(["projects", key, ...keys]),
    });
    // An empty entry (`notes:`) is a project at ./notes without a URL.
    const p = value === "" ? {} : value;
    if (!isMapping(p)) fail(ctx, at(), 'expected a mapping with "url" and "path"');
    if (p.url !== undefined && typeof p.url !== "string") fail(ctx, at("url"), "expected a string");
    const url = str(p.url);
    if (!url) {
      warn(ctx, at(), "no url (a plain directory); skipped");
      continue;
    }
    const repo = checkUrl(ctx, at("url"), url);
    if (repo === undefined) continue;
    // mani clones a project without a path next to mani.yaml, under its name.
    const path = checkPath(ctx, at("path"), str(p.path)) ?? key;
    const tags = Array.isArray(p.tags)
      ? p.tags.map(String)
      : typeof p.tags === "string" && p.tags
      ? [p.tags]
      : [];
    const groups = safeGroups(ctx, at("tags"), tags);
    const revision = normalizeRevision(str(p.branch));
    out.push({
      name: safeName(ctx, at(), lastComponent(key)),
      repo,
      path,
      ...(revision ? { revision } : {}),
      ...(groups.length ? { groups } : {}),
      at: describeWhere(ctx, at()),
    });
  }
  return out;
}
