/**
 * Google repo's XML manifest (`default.xml`):
 *
 * ```xml
 * <manifest>
 *   <remote name="aosp" fetch=".." revision="main" />   <!-- fetch relative to the manifest's URL -->
 *   <default remote="aosp" revision="refs/tags/v1" />
 *   <project name="platform/build" path="build/make" groups="pdk,tradefed">
 *     <project name="nested" path="sub" />             <!-- name platform/build/nested, path build/make/sub -->
 *   </project>
 *   <remove-project name="platform/old" />
 *   <extend-project name="platform/build" groups="extra" revision="dev" />
 *   <include name="snippets/other.xml" />             <!-- read, relative to the manifest repository -->
 * </manifest>
 * ```
 *
 * A project's URL is its remote's `fetch` (resolved against the manifest
 * repository's URL when relative, as a URL join does) + `/` + its name. Its
 * revision is its own, else its remote's, else the default's, with
 * `refs/heads/X` read as the branch X and `refs/tags/Y` as the tag Y. Paths
 * are relative to the repo client's top directory. Projects in the group
 * `notdefault` are not synced by default: that group is returned as
 * inactive. `clone-depth` becomes the sibling's depth; `<linkfile>` and
 * `<copyfile>` are reported as not imported.
 *
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ConfigError } from "../../errors.ts";
import {
  checkPath,
  checkUrl,
  type Context,
  describeWhere,
  fail,
  joinUrl,
  lastComponent,
  normalizeRevision,
  safeGroups,
  safeName,
  unresolvedUrl,
  warn,
  type Where,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";

/** A node of fast-xml-parser's ordered output: `{ tag: children, ":@": attributes }`. */
type XmlNode = Record<string, unknown>;

function tagOf(node: XmlNode): string {
  return Object.keys(node).find((k) => k !== ":@") ?? "";
}

function childrenOf(node: XmlNode): XmlNode[] {
  const c = node[tagOf(node)];
  return Array.isArray(c) ? c as XmlNode[] : [];
}

function attrsOf(node: XmlNode): Record<string, string> {
  return (node[":@"] ?? {}) as Record<string, string>;
}

/** The line of every element's start tag, in document order. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  const tokens =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>|<\?[\s\S]*?\?>|<\/|<([A-Za-z_:][\w.:-]*)/g;
  let line = 1;
  let last = 0;
  for (const m of text.matchAll(tokens)) {
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    if (m[1]) lines.push(line);
  }
  return lines;
}

interface Project {
  name: string;
  path: string;
  remote?: string;
  revision?: string;
  groups: string[];
  depth?: number;
  where: Where;
}

/** A parsed manifest file: its root's children, and the line of every element. */
interface XmlFile {
  file: string;
  children: XmlNode[];
  lineOf: Map<XmlNode, number>;
}

const MAX_INCLUDES = 100;

function readXml(ctx: Context, file: string, text: string): XmlFile {
  if (/<!ENTITY/i.test(text)) {
    fail(ctx, { file }, "entity declarations are not allowed in a manifest");
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ConfigError(
      `${file}:${valid.err.line}:${valid.err.col}: not valid XML: ${valid.err.msg}`,
    );
  }
  const tree = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
  }).parse(text) as XmlNode[];

  // Lines for messages: the n-th element in document order starts on the n-th start tag.
  const starts = elementLines(text);
  const lineOf = new Map<XmlNode, number>();
  let counter = 0;
  const number = (nodes: XmlNode[]) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag.startsWith("#") || tag.startsWith("?")) continue;
      lineOf.set(node, starts[counter++]);
      number(childrenOf(node));
    }
  };
  number(tree);

  const root = tree.find((n) => tagOf(n) === "manifest");
  if (!root) fail(ctx, { file }, "expected a <manifest> root element");
  return { file, children: childrenOf(root), lineOf };
}

/** Siblings from a repo manifest, and the client's top relative to the manifest's directory. */
export function parseRepoManifest(
  ctx: Context,
  text: string,
): { siblings: ImportedSibling[]; topDir: string; inactiveGroups: string[] } {
  const remotes = new Map<string, { fetch: string; revision?: string; where: Where }>();
  let defaults: Record<string, string> = {};
  let projects: Project[] = [];
  let index = 0;
  const read = new Set<string>([ctx.file]);

  const addProject = (x: XmlFile, node: XmlNode, parent?: Project) => {
    const a = attrsOf(node);
    const i = index++;
    const where: Where = {
      label: a.name ? `project "${a.name}"` : `project[${i}]`,
      line: x.lineOf.get(node),
      file: x.file,
    };
    if (!a.name) fail(ctx, where, 'missing "name"');
    const path = checkPath(ctx, where, a.path) ?? a.name;
    const depth = Number(a["clone-depth"]);
    const project: Project = {
      name: parent ? `${parent.name}/${a.name}` : a.name,
      path: parent ? `${parent.path}/${path}` : path,
      remote: a.remote || undefined,
      revision: a.revision || undefined,
      groups: (a.groups ?? "").split(/[\s,]+/).filter((g) => g),
      ...(Number.isInteger(depth) && depth > 0 ? { depth } : {}),
      where,
    };
    projects.push(project);
    let links = false;
    for (const child of childrenOf(node)) {
      const tag = tagOf(child);
      if (tag === "project") addProject(x, child, project);
      else if ((tag === "linkfile" || tag === "copyfile") && !links) {
        links = true;
        warn(ctx, where, "linkfile and copyfile not imported (wrknv makes no links or copies)");
      }
    }
  };

  const walk = (x: XmlFile) => {
    for (const node of x.children) {
      const a = attrsOf(node);
      const tag = tagOf(node);
      const where: Where = { label: `<${tag}>`, line: x.lineOf.get(node), file: x.file };
      switch (tag) {
        case "remote": {
          const named = { ...where, label: a.name ? `remote "${a.name}"` : "<remote>" };
          if (!a.name) fail(ctx, named, 'missing "name"');
          if (!a.fetch) fail(ctx, named, 'missing "fetch"');
          remotes.set(a.name, { fetch: a.fetch, revision: a.revision || undefined, where: named });
          break;
        }
        case "default":
          defaults = a;
          break;
        case "project":
          addProject(x, node);
          break;
        case "remove-project":
          if (!a.name && !a.path) fail(ctx, where, 'needs "name" or "path"');
          projects = projects.filter((p) =>
            !((!a.name || p.name === a.name) && (!a.path || p.path === a.path))
          );
          break;
        case "extend-project":
          if (!a.name) fail(ctx, where, 'missing "name"');
          for (const p of projects) {
            if (p.name !== a.name || (a.path && p.path !== a.path)) continue;
            if (a.revision) p.revision = a.revision;
            if (a.remote) p.remote = a.remote;
            if (a.groups) p.groups.push(...a.groups.split(/[\s,]+/).filter((g) => g));
          }
          break;
        case "include": {
          const name = a.name ?? "";
          const text = name && !read.has(name) && read.size < MAX_INCLUDES
            ? ctx.options.readFile?.(name)
            : undefined;
          if (text === undefined) {
            warn(
              ctx,
              where,
              read.has(name)
                ? `${name} is included twice; read once`
                : `the included manifest ${name} is not read${
                  ctx.options.readFile ? " (not found)" : ""
                }`,
            );
            break;
          }
          read.add(name);
          walk(readXml(ctx, name, text));
          break;
        }
      }
    }
  };
  walk(readXml(ctx, ctx.file, text));

  const resolved = new Map<string, string>();
  const fetchOf = (name: string, remote: { fetch: string; where: Where }): string => {
    const known = resolved.get(name);
    if (known !== undefined) return known;
    let fetch = remote.fetch;
    const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(fetch) ||
      /^[^/:]+:/.test(fetch) && !fetch.startsWith(".");
    if (!absolute) {
      // repo strips trailing slashes from both before joining.
      if (ctx.options.baseUrl) {
        fetch = joinUrl(fetch.replace(/\/+$/, ""), ctx.options.baseUrl.replace(/\/+$/, ""));
      } else if (!fetch.startsWith("/")) {
        resolved.set(name, "");
        return "";
      }
    }
    resolved.set(name, fetch);
    return fetch;
  };

  const siblings: ImportedSibling[] = [];
  for (const p of projects) {
    const remoteName = p.remote ?? (defaults.remote || undefined);
    if (!remoteName) fail(ctx, p.where, "no remote and no <default remote>");
    const remote = remotes.get(remoteName);
    if (!remote) fail(ctx, p.where, `unknown remote "${remoteName}"`);
    const fetch = fetchOf(remoteName, remote).replace(/\/+$/, "");
    if (fetch === "") {
      unresolvedUrl(ctx, p.where, `remote ${remoteName}, fetch="${remote.fetch}"`);
      continue;
    }
    const repo = checkUrl(ctx, p.where, `${fetch}${fetch.endsWith(":") ? "" : "/"}${p.name}`);
    if (repo === undefined) continue;
    const revision = normalizeRevision(
      p.revision ?? remote.revision ?? (defaults.revision || undefined),
    );
    const groups = safeGroups(ctx, p.where, p.groups);
    siblings.push({
      name: safeName(ctx, p.where, lastComponent(p.path)),
      repo,
      path: p.path,
      ...(revision ? { revision } : {}),
      ...(groups.length ? { groups } : {}),
      ...(p.depth ? { depth: p.depth } : {}),
      at: describeWhere(ctx, p.where),
    });
  }
  const inactiveGroups = siblings.some((s) => s.groups?.includes("notdefault"))
    ? ["notdefault"]
    : [];
  return { siblings, topDir: "..", inactiveGroups };
}
