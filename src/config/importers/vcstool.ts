/**
 * vcstool's `.repos` files (`vcs export`, `vcs import`):
 *
 * ```yaml
 * repositories:
 *   src/core:            # the path, relative to where `vcs import` runs
 *     type: git          # git, hg, svn, bzr, tar, zip
 *     url: https://github.com/org/core.git
 *     version: main      # branch, tag or commit; optional
 * ```
 *
 * and the older rosinstall list that vcstool also reads (ROS 2's
 * `*.rosinstall`):
 *
 * ```yaml
 * - git:
 *     local-name: src/core
 *     uri: https://github.com/org/core.git
 *     version: main
 * - other: {local-name: notes}      # not a repository: skipped
 * ```
 *
 * An empty `repositories:` is no error (vcstool warns and goes on).
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
  safeName,
  str,
  warn,
  type Where,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";
import { parseYaml, type YamlFile } from "./yaml_file.ts";

/** One entry, whichever the format: its path, type, URL and version. */
interface Entry {
  path: string;
  type: string;
  url: unknown;
  version: unknown;
  where: Where;
  urlWhere: Where;
}

function sibling(ctx: Context, e: Entry): ImportedSibling | undefined {
  if (e.type !== "git") {
    warn(ctx, e.where, `type ${e.type} is not git; skipped`);
    return undefined;
  }
  const url = str(e.url);
  if (!url) fail(ctx, e.where, 'missing "url"');
  const repo = checkUrl(ctx, e.urlWhere, url);
  if (repo === undefined) return undefined;
  const revision = normalizeRevision(str(e.version));
  return {
    name: safeName(ctx, e.where, lastComponent(e.path)),
    repo,
    path: checkPath(ctx, e.where, e.path),
    ...(revision ? { revision } : {}),
    at: describeWhere(ctx, e.where),
  };
}

function rosinstall(ctx: Context, yaml: YamlFile, list: unknown[]): ImportedSibling[] {
  const out: ImportedSibling[] = [];
  list.forEach((item, i) => {
    const at = (...keys: string[]) => ({
      label: keyLabel([i, ...keys]),
      line: yaml.lineOf([i, ...keys]),
    });
    if (!isMapping(item) || Object.keys(item).length !== 1) {
      fail(ctx, at(), "expected one mapping such as git: {local-name: ..., uri: ...}");
    }
    const [type, value] = Object.entries(item)[0];
    if (!isMapping(value)) fail(ctx, at(type), 'expected a mapping with "local-name" and "uri"');
    const path = str(value["local-name"]);
    if (!path) fail(ctx, at(type), 'missing "local-name"');
    if (type === "other") {
      warn(ctx, at(type), "not a repository (other); skipped");
      return;
    }
    const s = sibling(ctx, {
      path,
      type,
      url: value.uri,
      version: value.version,
      where: { ...at(type), label: `${keyLabel([i])} (${path})` },
      urlWhere: at(type, "uri"),
    });
    if (s) out.push(s);
  });
  return out;
}

/** Siblings from a vcstool `.repos` or rosinstall file; entries of other types are skipped. */
export function parseVcstool(ctx: Context, text: string): ImportedSibling[] {
  const yaml = parseYaml(ctx, text);
  if (Array.isArray(yaml.data)) return rosinstall(ctx, yaml, yaml.data);
  const doc = isMapping(yaml.data) ? yaml.data : undefined;
  const repos = doc?.repositories;
  if (doc && "repositories" in doc && (repos === "" || repos === null || repos === undefined)) {
    warn(ctx, { line: yaml.lineOf(["repositories"]) }, "no repositories listed");
    return [];
  }
  if (!isMapping(repos)) {
    fail(ctx, { line: yaml.lineOf(["repositories"]) }, 'expected a "repositories:" mapping');
  }
  const out: ImportedSibling[] = [];
  for (const [path, value] of Object.entries(repos)) {
    const at = (...keys: string[]) => ({
      label: keyLabel(["repositories", path, ...keys]),
      line: yaml.lineOf(["repositories", path, ...keys]),
    });
    if (!isMapping(value)) fail(ctx, at(), 'expected a mapping with "type" and "url"');
    const type = str(value.type);
    if (!type) fail(ctx, at(), 'missing "type"');
    const s = sibling(ctx, {
      path,
      type,
      url: value.url,
      version: value.version,
      where: at(),
      urlWhere: at("url"),
    });
    if (s) out.push(s);
  }
  if (Object.keys(repos).length === 0) warn(ctx, {}, "no repositories listed");
  return out;
}
