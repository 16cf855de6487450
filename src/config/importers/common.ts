/**
 * What every importer shares: one-line errors that name the file and place,
 * safe sibling names, URL checks and relative URL resolution.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import { formatKeyPath, type KeyPath } from "../locate.ts";
import { checkRepoUrl } from "../url.ts";
import type { ImportOptions } from "./types.ts";

/** One warning, before like ones are grouped. */
export interface Warning {
  /** Where, as `line 12: label: ` (empty when nowhere in particular). */
  where: string;
  /** What, the same words for the same thing in every entry. */
  message: string;
}

/** The file being read, and where warnings go. */
export interface Context {
  /** The file's base name, as messages show it. */
  file: string;
  /** Warnings, in order. */
  warnings: Warning[];
  /** Entries whose relative URL has nothing to resolve against. */
  unresolved: { where: string; url: string }[];
  /** The caller's options. */
  options: ImportOptions;
}

/** Where in the file a problem is: a label (a key path, an element) and, when known, a line. */
export interface Where {
  /** `projects[2]`, `submodule "core"`, ... */
  label?: string;
  /** 1-based line. */
  line?: number;
  /** The file, when it is not the one given (an included manifest). */
  file?: string;
}

/** `west.yml:12: projects[2]` for a message. */
export function describeWhere(ctx: Context, where: Where): string {
  const file = where.file ?? ctx.file;
  const loc = where.line ? `${file}:${where.line}` : file;
  return where.label ? `${loc}: ${where.label}` : loc;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** True when `s` holds a control character (a newline included). */
export function hasControl(s: string): boolean {
  return CONTROL.test(s);
}

/** Throw `file:line: label: message` (line and label when known). */
export function fail(ctx: Context, where: Where, message: string): never {
  throw new ConfigError(`${describeWhere(ctx, where)}: ${message}`);
}

/** Add `label: message` to the warnings. */
export function warn(ctx: Context, where: Where, message: string): void {
  const file = where.file && where.file !== ctx.file ? `${where.file} ` : "";
  const loc = where.line ? `${file}line ${where.line}: ` : file ? `${file}: ` : "";
  ctx.warnings.push({ where: `${loc}${where.label ? `${where.label}: ` : ""}`, message });
}

/**
 * The warnings as lines: one that occurs once keeps its place
 * (`line 12: submodule "x": ...`); like ones are one line with a count and
 * the first places, `172 × branch "." not imported (line 3, line 7, ...)`.
 */
export function groupWarnings(warnings: readonly Warning[]): string[] {
  const byMessage = new Map<string, Warning[]>();
  for (const w of warnings) {
    const list = byMessage.get(w.message);
    if (list) list.push(w);
    else byMessage.set(w.message, [w]);
  }
  return [...byMessage.entries()].map(([message, list]) => {
    if (list.length === 1) return `${list[0].where}${message}`;
    const places = list.map((w) => w.where.replace(/: $/, "")).filter((p) => p !== "");
    const shown = places.slice(0, 3).join(", ") + (places.length > 3 ? ", ..." : "");
    return `${list.length} × ${message}${shown ? ` (${shown})` : ""}`;
  });
}

/**
 * A revision as git names it for a clone: `refs/heads/X` is the branch X,
 * `refs/tags/Y` the tag Y (repo writes both); anything else as written
 * (`pull/104/head`, a commit). Undefined for none.
 */
export function normalizeRevision(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const m = /^refs\/(heads|tags)\/(.+)$/.exec(revision);
  return m ? m[2] : revision;
}

/**
 * Note a relative URL that nothing resolves (no base URL): the whole import
 * is refused at the end with one line naming how many and the first.
 */
export function unresolvedUrl(ctx: Context, where: Where, url: string): void {
  ctx.unresolved.push({ where: describeWhere(ctx, where), url });
}

/** A key path for messages: `projects[2]`, `repositories."src/core"`. */
export function keyLabel(path: KeyPath): string {
  return formatKeyPath(path);
}

/**
 * The last component of a path or URL, without a trailing `.git`:
 * `src/lib/foo` → `foo`, `git@host:org/bar.git` → `bar`, `host:baz` → `baz`.
 */
export function lastComponent(pathOrUrl: string, options: { url?: boolean } = {}): string {
  const trimmed = pathOrUrl.replace(/[/\\]+$/, "");
  const parts = trimmed.split(options.url ? /[/\\:]/ : /[/\\]/);
  return (parts.pop() ?? "").replace(/\.git$/i, "");
}

/**
 * A sibling name from `raw` (a path's or URL's last component, or a tool's
 * own name): refused when it holds `/`, `\`, `..` or a control character or
 * is empty; otherwise characters outside `A-Za-z0-9._-` become `-` (with a
 * warning) so the name is valid in wrknv.toml.
 */
export function safeName(ctx: Context, where: Where, raw: string): string {
  if (
    raw === "" || raw === "." || raw.includes("..") || raw.includes("/") || raw.includes("\\") ||
    hasControl(raw)
  ) {
    fail(ctx, where, `cannot make a safe sibling name from ${JSON.stringify(raw)}`);
  }
  const name = raw.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").replace(
    /[-.]+$/,
    "",
  );
  if (name === "") fail(ctx, where, `cannot make a safe sibling name from ${JSON.stringify(raw)}`);
  if (name !== raw) warn(ctx, where, `name ${JSON.stringify(raw)} imported as "${name}"`);
  return name;
}

/**
 * A path as written, checked: no control characters, not empty. Returns
 * undefined for an empty path (the caller's default applies).
 */
export function checkPath(
  ctx: Context,
  where: Where,
  path: string | undefined,
): string | undefined {
  if (path === undefined || path === "") return undefined;
  if (hasControl(path)) fail(ctx, where, `path ${JSON.stringify(path)} holds a control character`);
  return path;
}

/**
 * A clone URL, checked. A URL git could take for an option, or one holding a
 * control character, is refused outright (an error); a URL with a transport
 * wrknv does not allow (`ext::`, `ftp://`) gives a warning and `undefined`, so
 * the caller skips that entry.
 */
export function checkUrl(ctx: Context, where: Where, url: string): string | undefined {
  if (url.startsWith("-") || hasControl(url)) {
    const r = checkRepoUrl(url);
    fail(ctx, where, `url ${"error" in r ? r.error : JSON.stringify(url)}`);
  }
  const r = checkRepoUrl(url);
  if ("error" in r) {
    warn(ctx, where, `url ${r.error}; skipped`);
    return undefined;
  }
  return url;
}

/** The value as a string when it is a non-empty string (YAML failsafe gives only strings). */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** True for a plain object (a YAML or JSON mapping). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when `url` is relative in git's sense for submodules: `./x` or `../x`. */
export function isRelativeUrl(url: string): boolean {
  return url.startsWith("./") || url.startsWith("../") || url === "." || url === "..";
}

/** Split a URL into the part that `..` cannot strip (scheme and host) and its path. */
function splitUrl(url: string): { prefix: string; path: string } {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(url);
  if (scheme) return { prefix: scheme[0], path: url.slice(scheme[0].length) };
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  // git's rule: a colon before any slash makes it scp-like (host:path).
  if (colon > 0 && (slash === -1 || colon < slash)) {
    return { prefix: url.slice(0, colon + 1), path: url.slice(colon + 1) };
  }
  return { prefix: "", path: url };
}

/**
 * Resolve a relative submodule URL the way git does: `../x.git` against
 * `https://host/org/super.git` is `https://host/org/x.git` (each `../`
 * strips one component of the base, `./` none). Returns undefined when the
 * `../`s would strip the host away.
 */
export function resolveRelativeUrl(rel: string, base: string): string | undefined {
  const { prefix, path } = splitUrl(base.replace(/\/+$/, ""));
  const segments = path === "" ? [] : path.split("/");
  let rest = rel === ".." ? "../" : rel === "." ? "./" : rel;
  while (rest.startsWith("./") || rest.startsWith("../")) {
    if (rest.startsWith("./")) {
      rest = rest.slice(2);
      continue;
    }
    rest = rest.slice(3);
    // An absolute path's leading "" (before its first "/") cannot be stripped.
    if (segments.length === 0 || (segments.length === 1 && segments[0] === "")) return undefined;
    segments.pop();
  }
  rest = rest.replace(/^\/+/, "");
  const joined = [...segments, ...(rest ? [rest] : [])].join("/");
  if (prefix.endsWith(":") && !prefix.includes("://")) return prefix + joined;
  if (prefix && joined && !joined.startsWith("/")) return `${prefix}/${joined}`;
  return prefix + joined;
}

/**
 * Resolve a URL reference against a base URL as a URL join does (RFC 3986;
 * repo resolves a remote's `fetch` against the manifest's URL this way): the
 * base's last component is dropped first, so `..` against
 * `https://host/platform/manifest` is `https://host/`. Absolute references
 * are returned as they are.
 */
export function joinUrl(ref: string, base: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(ref) || splitUrl(ref).prefix !== "") return ref;
  const { prefix, path } = splitUrl(base);
  const merged = ref.startsWith("/") ? ref : path.slice(0, path.lastIndexOf("/") + 1) + ref;
  const rooted = merged.startsWith("/");
  const out: string[] = [];
  const segments = merged.split("/");
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "." || segment === "..") {
      // Above the root, ".." stays at the root, as in a URL join.
      if (segment === ".." && out.length > (rooted ? 1 : 0)) out.pop();
      if (last) out.push("");
      return;
    }
    out.push(segment);
  });
  return prefix + out.join("/");
}

/**
 * Group names, made valid for wrknv.toml the way names are (characters
 * outside `A-Za-z0-9._-` become `-`); unusable ones are dropped with a
 * warning, duplicates once.
 */
export function safeGroups(ctx: Context, where: Where, raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const g of raw) {
    const group = g.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").replace(
      /[-.]+$/,
      "",
    );
    if (group === "" || hasControl(g)) {
      warn(ctx, where, `group ${JSON.stringify(g)} dropped: not a usable group name`);
      continue;
    }
    if (group !== g) warn(ctx, where, `group ${JSON.stringify(g)} imported as "${group}"`);
    if (!out.includes(group)) out.push(group);
  }
  return out;
}
