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
 *   <include name="other.xml" />                      <!-- not followed -->
 * </manifest>
 * ```
 *
 * A project's URL is its remote's `fetch` (resolved against the manifest
 * repository's URL when relative, as a URL join does) + `/` + its name. Its
 * revision is its own, else its remote's, else the default's. Paths are
 * relative to the repo client's top directory.
 *
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ConfigError } from "../../errors.ts";
import {
  checkPath,
  checkUrl,
  type Context,
  fail,
  joinUrl,
  lastComponent,
  safeGroups,
  safeName,
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
  where: Where;
}

/** Siblings from a repo manifest, and the client's top relative to the manifest's directory. */
export function parseRepoManifest(
  ctx: Context,
  text: string,
): { siblings: ImportedSibling[]; topDir: string } {
  if (/<!ENTITY/i.test(text)) {
    fail(ctx, {}, "entity declarations are not allowed in a manifest");
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ConfigError(
      `${ctx.file}:${valid.err.line}:${valid.err.col}: not valid XML: ${valid.err.msg}`,
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
  if (!root) fail(ctx, {}, "expected a <manifest> root element");
  const children = childrenOf(root);

  const remotes = new Map<string, { fetch: string; revision?: string; where: Where }>();
  let defaults: Record<string, string> = {};
  children.forEach((node, i) => {
    const a = attrsOf(node);
    if (tagOf(node) === "remote") {
      const where = {
        label: a.name ? `remote "${a.name}"` : `remote[${i}]`,
        line: lineOf.get(node),
      };
      if (!a.name) fail(ctx, where, 'missing "name"');
      if (!a.fetch) fail(ctx, where, 'missing "fetch"');
      remotes.set(a.name, { fetch: a.fetch, revision: a.revision || undefined, where });
    } else if (tagOf(node) === "default") defaults = a;
  });

  let projects: Project[] = [];
  let index = 0;
  const addProject = (node: XmlNode, parent?: Project) => {
    const a = attrsOf(node);
    const i = index++;
    const where: Where = {
      label: a.name ? `project "${a.name}"` : `project[${i}]`,
      line: lineOf.get(node),
    };
    if (!a.name) fail(ctx, where, 'missing "name"');
    const path = checkPath(ctx, where, a.path) ?? a.name;
    const project: Project = {
      name: parent ? `${parent.name}/${a.name}` : a.name,
      path: parent ? `${parent.path}/${path}` : path,
      remote: a.remote || undefined,
      revision: a.revision || undefined,
      groups: (a.groups ?? "").split(/[\s,]+/).filter((g) => g),
      where,
    };
    projects.push(project);
    for (const child of childrenOf(node)) {
      if (tagOf(child) === "project") addProject(child, project);
    }
  };
  for (const node of children) {
    const a = attrsOf(node);
    const where = { label: `<${tagOf(node)}>`, line: lineOf.get(node) };
    switch (tagOf(node)) {
      case "project":
        addProject(node);
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
      case "include":
        warn(ctx, where, `the included manifest ${a.name ?? ""} is not read`);
        break;
    }
  }

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
        warn(
          ctx,
          remote.where,
          `fetch="${fetch}" is relative to the manifest repository's URL; kept as written (give that URL to resolve it)`,
        );
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
    const repo = checkUrl(ctx, p.where, `${fetch}${fetch.endsWith(":") ? "" : "/"}${p.name}`);
    if (repo === undefined) continue;
    const revision = p.revision ?? remote.revision ?? (defaults.revision || undefined);
    const groups = safeGroups(ctx, p.where, p.groups);
    siblings.push({
      name: safeName(ctx, p.where, lastComponent(p.path)),
      repo,
      path: p.path,
      ...(revision ? { revision } : {}),
      ...(groups.length ? { groups } : {}),
    });
  }
  return { siblings, topDir: ".." };
}
