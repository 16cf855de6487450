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
 * @module
 */
import {
  checkPath,
  checkUrl,
  type Context,
  fail,
  isMapping,
  keyLabel,
  lastComponent,
  safeName,
  str,
  warn,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";
import { parseYaml } from "./yaml_file.ts";

/** Siblings from a vcstool `.repos` file; entries of other types are skipped with a warning. */
export function parseVcstool(ctx: Context, text: string): ImportedSibling[] {
  const yaml = parseYaml(ctx, text);
  const repos = isMapping(yaml.data) ? yaml.data.repositories : undefined;
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
    if (type !== "git") {
      warn(ctx, at(), `type ${type} is not git; skipped`);
      continue;
    }
    const url = str(value.url);
    if (!url) fail(ctx, at(), 'missing "url"');
    const repo = checkUrl(ctx, at("url"), url);
    if (repo === undefined) continue;
    const revision = str(value.version);
    out.push({
      name: safeName(ctx, at(), lastComponent(path)),
      repo,
      path: checkPath(ctx, at(), path),
      ...(revision ? { revision } : {}),
    });
  }
  return out;
}
