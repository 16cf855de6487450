/**
 * west's `west.yml` (Zephyr, nRF Connect):
 *
 * ```yaml
 * manifest:
 *   remotes:
 *     - name: upstream
 *       url-base: https://github.com/zephyrproject-rtos
 *   defaults:
 *     remote: upstream
 *     revision: main
 *   group-filter: [-babblesim]     # projects only in these groups are not cloned by default
 *   projects:
 *     - name: hal_nordic
 *       repo-path: hal-nordic      # instead of the name, after url-base
 *       path: modules/hal/nordic   # relative to the workspace's top; default: name
 *       revision: v3.5.0           # also pull/104/head; default: defaults.revision
 *       groups: [hal]
 *       clone-depth: 1
 *     - name: direct
 *       url: https://example.org/direct.git   # instead of remote
 *   self:
 *     path: zephyr                 # where the manifest repository sits in the top
 *     import: submanifests         # a file or a directory of .yml files in it: read
 * ```
 *
 * A project's URL is its remote's `url-base` + `/` + (`repo-path` or
 * `name`). Paths are relative to the west workspace's top directory, which
 * holds the manifest repository: {@link parseWest} returns that directory
 * relative to the manifest's (`..` unless `self.path` is deeper). The
 * manifests that `self: import:` names are read when the caller can read
 * files; a project's `import:` needs that project cloned, so it is reported.
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

/** What one manifest file gives. */
interface WestFile {
  siblings: (ImportedSibling & { westName: string })[];
  /** group-filter entries, in order: `-x` off, `+x` on. */
  filter: string[];
  selfPath?: string;
}

const MAX_IMPORTS = 50;

function parseFile(
  ctx: Context,
  file: string,
  text: string,
  state: { read: Set<string>; noRevision: string[] },
): WestFile {
  const yaml = parseYaml({ ...ctx, file }, text);
  const m = isMapping(yaml.data) ? yaml.data.manifest : undefined;
  if (!isMapping(m)) {
    fail(ctx, { file, line: yaml.lineOf(["manifest"]) }, 'expected a "manifest:" mapping');
  }
  const at = (...path: (string | number)[]) => ({
    label: keyLabel(path),
    line: yaml.lineOf(["manifest", ...path]),
    file,
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
  const filter = Array.isArray(m["group-filter"]) ? m["group-filter"].map(String) : [];

  const projects = m.projects === undefined || m.projects === "" ? [] : m.projects;
  if (!Array.isArray(projects)) fail(ctx, at("projects"), "expected a list");
  const siblings: WestFile["siblings"] = [];
  projects.forEach((p: unknown, i: number) => {
    if (!isMapping(p)) fail(ctx, at("projects", i), "expected a mapping");
    const name = str(p.name);
    if (!name) fail(ctx, at("projects", i), 'missing "name"');
    const where = { ...at("projects", i), label: `${keyLabel(["projects", i])} (${name})` };
    let url = str(p.url);
    if (url) {
      if (p.remote !== undefined) fail(ctx, where, 'has both "url" and "remote"');
      if (p["repo-path"] !== undefined) fail(ctx, where, 'has both "url" and "repo-path"');
    } else {
      const remote = str(p.remote) ?? defaultRemote;
      if (!remote) fail(ctx, where, 'no "url" or "remote", and no defaults.remote');
      const base = remotes.get(remote);
      if (base === undefined) {
        fail(
          ctx,
          { ...where, line: at("projects", i, "remote").line },
          `unknown remote "${remote}"`,
        );
      }
      url = `${base}/${str(p["repo-path"]) ?? name}`;
    }
    const repo = checkUrl(ctx, where, url);
    if (repo === undefined) return;
    if (p.import !== undefined && p.import !== "false") {
      warn(ctx, where, "the manifest it imports is not read (it needs the project cloned)");
    }
    if (p.submodules !== undefined && p.submodules !== "false") {
      warn(ctx, where, "submodules not imported (clone them with git submodule update --init)");
    }
    const path = checkPath(ctx, at("projects", i, "path"), str(p.path)) ?? name;
    const revision = normalizeRevision(str(p.revision) ?? defaultRevision);
    if (!revision) state.noRevision.push(name);
    const groups = Array.isArray(p.groups)
      ? safeGroups(ctx, at("projects", i, "groups"), p.groups.map(String))
      : [];
    const depth = Number(str(p["clone-depth"]));
    // The manifest's own name where it can be a sibling name (hal_nordic), else the path's.
    const own = name.includes("/") ? lastComponent(path) : name;
    siblings.push({
      westName: name,
      name: safeName(ctx, where, own),
      repo,
      path,
      ...(revision ? { revision } : {}),
      ...(groups.length ? { groups } : {}),
      ...(Number.isInteger(depth) && depth > 0 ? { depth } : {}),
      at: describeWhere(ctx, where),
    });
  });

  const self = isMapping(m.self) ? m.self : {};
  const imports = self.import;
  if (imports !== undefined && imports !== "false") {
    const names = typeof imports === "string"
      ? [imports]
      : Array.isArray(imports)
      ? imports.map((x) => isMapping(x) ? str(x.file) : str(x)).filter((x) => x !== undefined)
      : isMapping(imports) && str(imports.file)
      ? [str(imports.file)!]
      : [];
    const read = ctx.options.readFile;
    if (!read || names.length === 0) {
      warn(ctx, at("self", "import"), "the manifests that self imports are not read");
    }
    for (const name of names) {
      if (!read) break;
      const files = ctx.options.listDir?.(name)?.map((f) => `${name}/${f}`) ?? [name];
      for (const f of files) {
        if (state.read.has(f) || state.read.size >= MAX_IMPORTS) continue;
        state.read.add(f);
        const inner = read(f);
        if (inner === undefined) {
          warn(ctx, at("self", "import"), `the imported manifest ${f} is not there; not read`);
          continue;
        }
        const sub = parseFile(ctx, f, inner, state);
        // The importing manifest's projects win over imported ones of the same name.
        for (const s of sub.siblings) {
          if (!siblings.some((o) => o.westName === s.westName)) siblings.push(s);
        }
        filter.push(...sub.filter);
      }
    }
  }
  return { siblings, filter, selfPath: str(self.path) };
}

/** Siblings from a west manifest, and the workspace's top relative to the manifest's directory. */
export function parseWest(
  ctx: Context,
  text: string,
): { siblings: ImportedSibling[]; topDir: string; inactiveGroups: string[] } {
  const state = { read: new Set<string>(), noRevision: [] as string[] };
  const { siblings, filter, selfPath } = parseFile(ctx, ctx.file, text, state);
  if (state.noRevision.length) {
    warn(
      ctx,
      {},
      `no revision for ${
        state.noRevision.join(", ")
      } (west would check out "master"); they stay on their default branch`,
    );
  }
  // group-filter: later entries win; "-x" turns x off, "+x" on.
  const off = new Set<string>();
  for (const entry of filter) {
    const [group] = safeGroups(ctx, {}, [entry.replace(/^[-+]/, "")]);
    if (!group) continue;
    if (entry.startsWith("-")) off.add(group);
    else off.delete(group);
  }
  // west keeps a project active when any of its groups is on; in wrknv any
  // inactive group leaves a sibling out. So such a project loses its off groups.
  for (const s of siblings) {
    const on = (s.groups ?? []).filter((g) => !off.has(g));
    if (on.length && on.length < (s.groups?.length ?? 0)) {
      const dropped = s.groups!.filter((g) => off.has(g));
      warn(
        ctx,
        {},
        `${s.name} is in ${dropped.join(", ")}, off by default, and in ${
          on.join(", ")
        }: west clones it, so it is imported without ${dropped.join(", ")}`,
      );
      s.groups = on;
    }
  }
  const inactiveGroups = [...off].filter((g) => siblings.some((s) => s.groups?.includes(g)));
  const parts = selfPath?.split("/").filter((s) => s && s !== ".") ?? [];
  const topDir = parts.length > 1 ? parts.map(() => "..").join("/") : "..";
  return {
    siblings: siblings.map(({ westName: _, ...s }) => s),
    topDir,
    inactiveGroups,
  };
}
