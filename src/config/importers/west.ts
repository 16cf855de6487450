/**
 * west's `west.yml` (Zephyr):
 *
 * ```yaml
 * manifest:
 *   remotes:
 *     - name: upstream
 *       url-base: https://github.com/zephyrproject-rtos
 *   defaults:
 *     remote: upstream
 *     revision: main
 *   projects:
 *     - name: hal_nordic
 *       repo-path: hal-nordic      # instead of the name, after url-base
 *       path: modules/hal/nordic   # relative to the workspace's top; default: name
 *       revision: v3.5.0
 *       groups: [hal]
 *     - name: direct
 *       url: https://example.org/direct.git   # instead of remote
 *   self:
 *     path: zephyr                 # where the manifest repository sits in the top
 * ```
 *
 * A project's URL is its remote's `url-base` + `/` + (`repo-path` or
 * `name`). Paths are relative to the west workspace's top directory, which
 * holds the manifest repository: {@link parseWest} returns that directory
 * relative to the manifest's (`..` unless `self.path` is deeper).
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
  safeGroups,
  safeName,
  str,
  warn,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";
import { parseYaml } from "./yaml_file.ts";

/** Siblings from a west manifest, and the workspace's top relative to the manifest's directory. */
export function parseWest(
  ctx: Context,
  text: string,
): { siblings: ImportedSibling[]; topDir: string } {
  const yaml = parseYaml(ctx, text);
  const m = isMapping(yaml.data) ? yaml.data.manifest : undefined;
  if (!isMapping(m)) {
    fail(ctx, { line: yaml.lineOf(["manifest"]) }, 'expected a "manifest:" mapping');
  }
  const at = (...path: (string | number)[]) => ({
    label: keyLabel(path),
    line: yaml.lineOf(["manifest", ...path]),
  });

  const remotes = new Map<string, string>();
  if (m.remotes !== undefined && m.remotes !== "") {
    if (!Array.isArray(m.remotes)) fail(ctx, at("remotes"), "expected a list");
    m.remotes.forEach((r: unknown, i: number) => {
      if (!isMapping(r)) fail(ctx, at("remotes", i), "expected a mapping");
      const name = str(r.name);
      if (!name) fail(ctx, at("remotes", i), 'missing "name"');
      const base = str(r["url-base"]);
      if (!base) fail(ctx, at("remotes", i), 'missing "url-base"');
      remotes.set(name, base.replace(/\/+$/, ""));
    });
  }
  const defaults = isMapping(m.defaults) ? m.defaults : {};
  const defaultRemote = str(defaults.remote);
  const defaultRevision = str(defaults.revision);
  if (defaultRemote && !remotes.has(defaultRemote)) {
    fail(ctx, at("defaults", "remote"), `unknown remote "${defaultRemote}"`);
  }

  const projects = m.projects === undefined || m.projects === "" ? [] : m.projects;
  if (!Array.isArray(projects)) fail(ctx, at("projects"), "expected a list");
  const siblings: ImportedSibling[] = [];
  const noRevision: string[] = [];
  projects.forEach((p: unknown, i: number) => {
    const where = at("projects", i);
    if (!isMapping(p)) fail(ctx, where, "expected a mapping");
    const name = str(p.name);
    if (!name) fail(ctx, where, 'missing "name"');
    let url = str(p.url);
    if (url) {
      if (p.remote !== undefined) fail(ctx, where, 'has both "url" and "remote"');
      if (p["repo-path"] !== undefined) fail(ctx, where, 'has both "url" and "repo-path"');
    } else {
      const remote = str(p.remote) ?? defaultRemote;
      if (!remote) fail(ctx, where, 'no "url" or "remote", and no defaults.remote');
      const base = remotes.get(remote);
      if (base === undefined) fail(ctx, at("projects", i, "remote"), `unknown remote "${remote}"`);
      url = `${base}/${str(p["repo-path"]) ?? name}`;
    }
    const repo = checkUrl(ctx, where, url);
    if (repo === undefined) return;
    if (p.import !== undefined && p.import !== "false") {
      warn(ctx, at("projects", i, "import"), `the manifest that ${name} imports is not read`);
    }
    const path = checkPath(ctx, at("projects", i, "path"), str(p.path)) ?? name;
    const revision = str(p.revision) ?? defaultRevision;
    if (!revision) noRevision.push(name);
    const groups = Array.isArray(p.groups)
      ? safeGroups(ctx, at("projects", i, "groups"), p.groups.map(String))
      : [];
    siblings.push({
      name: safeName(ctx, where, lastComponent(path)),
      repo,
      path,
      ...(revision ? { revision } : {}),
      ...(groups.length ? { groups } : {}),
    });
  });
  if (noRevision.length) {
    warn(
      ctx,
      {},
      `no revision for ${
        noRevision.join(", ")
      } (west would check out "master"); they stay on their default branch`,
    );
  }

  const self = isMapping(m.self) ? m.self : {};
  if (self.import !== undefined && self.import !== "false") {
    warn(ctx, at("self", "import"), "the manifests that self imports are not read");
  }
  const selfPath = str(self.path)?.split("/").filter((s) => s && s !== ".") ?? [];
  const topDir = selfPath.length > 1 ? selfPath.map(() => "..").join("/") : "..";
  return { siblings, topDir };
}
