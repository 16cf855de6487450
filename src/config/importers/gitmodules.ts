/**
 * `.gitmodules`, in git-config syntax:
 *
 * ```ini
 * [submodule "libs/core"]
 * 	path = libs/core
 * 	url = ../core.git        ; relative to the superproject's own URL
 * 	branch = develop
 * ```
 *
 * The reader follows git-config's rules: `#` and `;` comments (also after a
 * value), case-insensitive section and key names, quoted values with `\"`,
 * `\\`, `\n` and `\t` escapes, a trailing `\` continuing a value on the next
 * line, and the old `[submodule.name]` header form.
 *
 * @module
 */
import {
  checkPath,
  checkUrl,
  type Context,
  describeWhere,
  fail,
  isRelativeUrl,
  lastComponent,
  resolveRelativeUrl,
  safeName,
  unresolvedUrl,
  warn,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";

/** One `key = value` of a git-config file. */
export interface ConfigEntry {
  /** Section name, lower-cased (`submodule`). */
  section: string;
  /** Subsection (`libs/core`), case kept; undefined for `[section]`. */
  subsection?: string;
  /** Key, lower-cased. */
  key: string;
  /** Value, unquoted and unescaped; `true` for a bare key. */
  value: string;
  /** 1-based line of the key. */
  line: number;
  /** 1-based line of the section header. */
  sectionLine: number;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", b: "\b", "\\": "\\", '"': '"' };

/** Parse git-config text into its entries, or throw a ConfigError naming the line. */
export function parseGitConfig(ctx: Context, text: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  let i = 0;
  let line = 1;
  let section: { name: string; sub?: string; line: number } | undefined;
  const eol = () =>
    i >= text.length || text[i] === "\n" || (text[i] === "\r" && text[i + 1] === "\n");
  const skipToEol = () => {
    while (!eol()) i++;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\uFEFF") {
      i++;
      continue;
    }
    if (c === "#" || c === ";") {
      skipToEol();
      continue;
    }
    if (c === "[") {
      i++;
      const start = i;
      while (i < text.length && /[A-Za-z0-9.-]/.test(text[i])) i++;
      let name = text.slice(start, i).toLowerCase();
      let sub: string | undefined;
      while (text[i] === " " || text[i] === "\t") i++;
      if (text[i] === '"') {
        i++;
        sub = "";
        while (text[i] !== '"') {
          if (eol()) bad("a section header's quoted name is not closed");
          if (text[i] === "\\") i++;
          if (eol()) bad("a section header's quoted name is not closed");
          sub += text[i++];
        }
        i++;
      } else if (name.includes(".")) {
        // The old form: [section.subsection], subsection lower-cased.
        sub = name.slice(name.indexOf(".") + 1);
        name = name.slice(0, name.indexOf("."));
      }
      if (text[i] !== "]" || name === "") {
        bad(`cannot read the section header "${text.slice(start - 1, i + 1)}"`);
      }
      i++;
      section = { name, sub, line };
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9-]/.test(text[i])) i++;
      const key = text.slice(start, i).toLowerCase();
      const keyLine = line;
      while (text[i] === " " || text[i] === "\t") i++;
      let value = "true";
      if (text[i] === "=") {
        i++;
        value = readValue();
      } else if (!eol() && text[i] !== "#" && text[i] !== ";") {
        bad(`expected "=" after the key "${key}"`);
      }
      if (!section) bad(`the key "${key}" is outside any section`);
      entries.push({
        section: section.name,
        subsection: section.sub,
        key,
        value,
        line: keyLine,
        sectionLine: section.line,
      });
      continue;
    }
    const rest = text.slice(i, text.indexOf("\n", i) === -1 ? undefined : text.indexOf("\n", i));
    bad(`cannot read ${JSON.stringify(rest.trimEnd())}`);
  }
  return entries;

  function bad(message: string): never {
    fail(ctx, { line }, message);
  }

  function readValue(): string {
    while (text[i] === " " || text[i] === "\t") i++;
    let out = "";
    let pending = "";
    let quoted = false;
    while (true) {
      if (eol()) {
        if (quoted) bad("a quoted value is not closed");
        return out;
      }
      const c = text[i];
      if (!quoted && (c === "#" || c === ";")) {
        skipToEol();
        return out;
      }
      if (!quoted && (c === " " || c === "\t")) {
        pending += c;
        i++;
        continue;
      }
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "\n" || (next === "\r" && text[i + 2] === "\n")) {
          i += next === "\n" ? 2 : 3;
          line++;
          continue;
        }
        if (next === undefined || !(next in ESCAPES)) bad("a value holds an unknown escape");
        out += pending + ESCAPES[next];
        pending = "";
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = !quoted;
        out += pending;
        pending = "";
        i++;
        continue;
      }
      out += pending + c;
      pending = "";
      i++;
    }
  }
}

/** Siblings from a `.gitmodules` file; relative URLs resolve against `options.baseUrl`. */
export function parseGitmodules(ctx: Context, text: string): ImportedSibling[] {
  const modules = new Map<string, { line: number; keys: Map<string, ConfigEntry> }>();
  for (const entry of parseGitConfig(ctx, text)) {
    if (entry.section !== "submodule" || entry.subsection === undefined) continue;
    let m = modules.get(entry.subsection);
    if (!m) modules.set(entry.subsection, m = { line: entry.sectionLine, keys: new Map() });
    m.keys.set(entry.key, entry);
  }
  const out: ImportedSibling[] = [];
  for (const [name, m] of modules) {
    const label = `submodule ${JSON.stringify(name)}`;
    const at = (key?: string) => ({ label, line: (key && m.keys.get(key)?.line) || m.line });
    const path = checkPath(ctx, at("path"), m.keys.get("path")?.value);
    if (path === undefined) fail(ctx, at(), 'missing "path"');
    let url = m.keys.get("url")?.value;
    if (!url) fail(ctx, at(), 'missing "url"');
    if (isRelativeUrl(url)) {
      const base = ctx.options.baseUrl;
      if (base) {
        const resolved = resolveRelativeUrl(url, base);
        if (resolved === undefined) {
          fail(ctx, at("url"), `cannot resolve the relative URL ${url} against ${base}`);
        }
        url = resolved;
      } else {
        unresolvedUrl(ctx, at("url"), url);
        continue;
      }
    }
    const repo = checkUrl(ctx, at("url"), url);
    if (repo === undefined) continue;
    const branch = m.keys.get("branch")?.value;
    if (branch === ".") {
      warn(ctx, at("branch"), 'branch "." not imported (it follows the superproject\'s branch)');
    }
    out.push({
      name: safeName(ctx, at("path"), lastComponent(path)),
      repo,
      path,
      ...(branch && branch !== "." && branch !== "true" ? { revision: branch } : {}),
      at: describeWhere(ctx, at()),
    });
  }
  return out;
}
