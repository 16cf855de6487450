/**
 * `wrknv init --from FILE`: siblings from another tool's manifest. Pure:
 * the file's name and text in, siblings out. Formats: vcstool `.repos`,
 * `.gitmodules`, gita's CSV (`gita freeze`), mani's `mani.yaml`, meta's
 * `.meta`, west's `west.yml`, and repo's XML manifest.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";

/** The formats understood. */
export type ManifestFormat = "repos" | "gitmodules" | "gita" | "mani" | "meta" | "west" | "repo";

/** A sibling as another tool declares it. */
export interface ImportedSibling {
  /** Name: from the path's or URL's last component. */
  name: string;
  /** Clone URL. */
  repo: string;
  /** Path relative to the manifest's directory, as written. */
  path?: string;
  /** Branch, tag or commit. */
  revision?: string;
  /** Groups or tags. */
  groups?: string[];
}

/** What an import found. */
export interface ImportResult {
  /** The format detected. */
  format: ManifestFormat;
  /** The siblings, in the manifest's order. */
  siblings: ImportedSibling[];
  /** Things skipped or guessed. */
  warnings: string[];
}

/** Options for {@link importManifest}. */
export interface ImportOptions {
  /** The URL the manifest's own repository was cloned from, for relative URLs. */
  baseUrl?: string;
}

/** Resolve a relative URL (`../x.git`) against a base repository URL. */
export function resolveRelativeUrl(rel: string, base: string): string {
  let b = base.replace(/\/+$/, "");
  let r = rel === ".." ? "../" : rel === "." ? "./" : rel;
  while (r.startsWith("../") || r.startsWith("./")) {
    if (r.startsWith("./")) {
      r = r.slice(2);
      continue;
    }
    r = r.slice(3);
    const cut = Math.max(b.lastIndexOf("/"), b.lastIndexOf(":"));
    if (cut > 0) b = b.slice(0, cut + (b[cut] === ":" ? 1 : 0));
  }
  if (r === ".." || r === "") return b;
  return b.endsWith(":") ? b + r : `${b}/${r}`;
}

/** The name a sibling gets from its path or URL: the last component, without `.git`. */
export function siblingName(pathOrUrl: string): string {
  return pathOrUrl.replace(/[/\\]+$/, "").replace(/\.git$/, "").split(/[/\\:]/).filter((p) => p)
    .pop() ?? "";
}

function fail(file: string, where: string, message: string): never {
  throw new ConfigError(`${file}: ${where ? `${where}: ` : ""}${message}`);
}

function checkName(file: string, where: string, name: string): string {
  // deno-lint-ignore no-control-regex
  if (!name || /[\x00-\x1f\x7f/\\]/.test(name) || name === "." || name.includes("..")) {
    fail(file, where, `cannot make a safe sibling name from ${JSON.stringify(name)}`);
  }
  return name.replace(/[^A-Za-z0-9._-]+/g, "-");
}

function checkPath(file: string, where: string, path: string): string {
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) fail(file, where, "the path holds a control character");
  return path;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** Detect the format from the file name, then from the content. */
export function detectFormat(fileName: string, text: string): ManifestFormat | null {
  const base = fileName.split(/[/\\]/).pop()!.toLowerCase();
  if (base === ".gitmodules" || base.endsWith(".gitmodules")) return "gitmodules";
  if (base.endsWith(".repos")) return "repos";
  if (base === ".meta" || base.endsWith(".meta.json")) return "meta";
  if (base === "west.yml" || base === "west.yaml") return "west";
  if (base === "mani.yaml" || base === "mani.yml") return "mani";
  if (base.endsWith(".csv")) return "gita";
  if (base.endsWith(".xml")) return "repo";
  const t = text.trimStart();
  if (t.startsWith("<")) return "repo";
  if (/^\[submodule\s+"/m.test(text)) return "gitmodules";
  if (t.startsWith("{")) return "meta";
  if (/^repositories\s*:/m.test(text)) return "repos";
  if (/^manifest\s*:/m.test(text)) return "west";
  if (/^projects\s*:/m.test(text)) return "mani";
  if (/^[^,\s]+,[^,]+,[^,]+/m.test(text)) return "gita";
  return null;
}

async function yamlParse(file: string, text: string): Promise<unknown> {
  const YAML = await import("yaml");
  try {
    return YAML.parse(text);
  } catch (error) {
    const e = error as { linePos?: { line: number; col: number }[]; message: string };
    const at = e.linePos?.[0] ? `${e.linePos[0].line}:${e.linePos[0].col}` : "";
    fail(file, at, `not valid YAML: ${e.message.split("\n")[0]}`);
  }
}

function parseRepos(file: string, doc: unknown, warnings: string[]): ImportedSibling[] {
  const repos = (doc as Record<string, unknown>)?.repositories;
  if (!repos || typeof repos !== "object" || Array.isArray(repos)) {
    fail(file, "", 'expected a "repositories:" mapping');
  }
  const out: ImportedSibling[] = [];
  for (const [path, value] of Object.entries(repos as Record<string, unknown>)) {
    const v = value as Record<string, unknown>;
    if (!v || typeof v !== "object") {
      fail(file, `repositories.${path}`, "expected a mapping with type and url");
    }
    if (v.type !== undefined && v.type !== "git") {
      warnings.push(`repositories.${path}: type ${String(v.type)} is not git; skipped`);
      continue;
    }
    const url = str(v.url);
    if (!url) fail(file, `repositories.${path}`, 'missing "url"');
    out.push({
      name: checkName(file, `repositories.${path}`, siblingName(path)),
      repo: url,
      path: checkPath(file, `repositories.${path}`, path),
      ...(str(v.version) ? { revision: str(v.version) } : {}),
    });
  }
  return out;
}

function parseGitmodules(
  file: string,
  text: string,
  options: ImportOptions,
  warnings: string[],
): ImportedSibling[] {
  const sections: { name: string; keys: Record<string, string>; line: number }[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) return;
    const head = /^\[submodule\s+"(.*)"\s*\]$/.exec(line);
    if (head) {
      sections.push({ name: head[1], keys: {}, line: i + 1 });
      return;
    }
    if (/^\[/.test(line)) {
      sections.push({ name: "", keys: {}, line: i + 1 });
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/.exec(line);
    if (!kv) fail(file, String(i + 1), `cannot read "${line}"`);
    const s = sections[sections.length - 1];
    if (!s) fail(file, String(i + 1), "a key outside any [submodule] section");
    s.keys[kv[1].toLowerCase()] = kv[2].replace(/^"(.*)"$/, "$1");
  });
  const out: ImportedSibling[] = [];
  for (const s of sections) {
    if (!s.name) continue;
    const where = `submodule "${s.name}" (line ${s.line})`;
    let url = s.keys.url;
    const path = s.keys.path;
    if (!url) fail(file, where, 'missing "url"');
    if (!path) fail(file, where, 'missing "path"');
    if (url.startsWith("./") || url.startsWith("../")) {
      if (options.baseUrl) url = resolveRelativeUrl(url, options.baseUrl);
      else {warnings.push(
          `${where}: relative URL ${url} kept as written (pass the superproject's URL to resolve it)`,
        );}
    }
    out.push({
      name: checkName(file, where, siblingName(path)),
      repo: url,
      path: checkPath(file, where, path),
      ...(s.keys.branch && s.keys.branch !== "." ? { revision: s.keys.branch } : {}),
    });
  }
  return out;
}

function parseGita(file: string, text: string): ImportedSibling[] {
  // gita freeze: one line per repo, "url,name,path" (later gita versions add flags after).
  const out: ImportedSibling[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const cells = line.split(",");
    if (cells.length < 2) fail(file, String(i + 1), "expected url,name,path");
    const [url, name, path] = cells.map((c) => c.trim());
    if (!url) fail(file, String(i + 1), "missing url");
    out.push({
      name: checkName(file, String(i + 1), name || siblingName(url)),
      repo: url,
      ...(path ? { path: checkPath(file, String(i + 1), path) } : {}),
    });
  });
  return out;
}

function parseMani(file: string, doc: unknown, warnings: string[]): ImportedSibling[] {
  const projects = (doc as Record<string, unknown>)?.projects;
  if (!projects || typeof projects !== "object" || Array.isArray(projects)) {
    fail(file, "", 'expected a "projects:" mapping');
  }
  const out: ImportedSibling[] = [];
  for (const [name, value] of Object.entries(projects as Record<string, unknown>)) {
    const v = (value ?? {}) as Record<string, unknown>;
    const url = str(v.url);
    if (!url) {
      warnings.push(`projects.${name}: no url (a local project); skipped`);
      continue;
    }
    const tags = Array.isArray(v.tags) ? v.tags.map(String) : undefined;
    out.push({
      name: checkName(file, `projects.${name}`, siblingName(name)),
      repo: url,
      ...(str(v.path) ? { path: checkPath(file, `projects.${name}`, str(v.path)!) } : {}),
      ...(str(v.branch) ? { revision: str(v.branch) } : {}),
      ...(tags?.length ? { groups: tags } : {}),
    });
  }
  return out;
}

function parseMeta(file: string, text: string): ImportedSibling[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    fail(file, "", `not valid JSON: ${(error as Error).message}`);
  }
  const projects = (doc as Record<string, unknown>)?.projects;
  if (!projects || typeof projects !== "object" || Array.isArray(projects)) {
    fail(file, "", 'expected "projects": {path: url}');
  }
  return Object.entries(projects as Record<string, unknown>).map(([path, url]) => {
    if (typeof url !== "string" || !url) fail(file, `projects.${path}`, "expected a URL string");
    return {
      name: checkName(file, `projects.${path}`, siblingName(path)),
      repo: url,
      path: checkPath(file, `projects.${path}`, path),
    };
  });
}

function parseWest(file: string, doc: unknown, options: ImportOptions): ImportedSibling[] {
  const m = (doc as Record<string, unknown>)?.manifest as Record<string, unknown> | undefined;
  if (!m || typeof m !== "object") fail(file, "", 'expected a "manifest:" mapping');
  const remotes = new Map<string, string>();
  for (const [i, r] of ((m.remotes ?? []) as Record<string, unknown>[]).entries()) {
    const name = str(r?.name);
    const base = str(r?.["url-base"]);
    if (!name || !base) fail(file, `remotes[${i}]`, 'needs "name" and "url-base"');
    remotes.set(name, base.replace(/\/+$/, ""));
  }
  const defaults = (m.defaults ?? {}) as Record<string, unknown>;
  if (!Array.isArray(m.projects)) fail(file, "", 'expected "manifest.projects" to be a list');
  return (m.projects as Record<string, unknown>[]).map((p, i) => {
    const where = `projects[${i}]`;
    const name = str(p?.name);
    if (!name) fail(file, where, 'missing "name"');
    let url = str(p.url);
    if (!url) {
      const remote = str(p.remote) ?? str(defaults.remote);
      if (!remote) fail(file, where, 'no "url", "remote" or default remote');
      const base = remotes.get(remote);
      if (base === undefined) fail(file, where, `unknown remote "${remote}"`);
      url = `${base}/${str(p["repo-path"]) ?? name}`;
    }
    if (url.startsWith("../") && options.baseUrl) url = resolveRelativeUrl(url, options.baseUrl);
    const revision = str(p.revision) ?? str(defaults.revision);
    const groups = Array.isArray(p.groups) ? p.groups.map(String) : undefined;
    return {
      name: checkName(file, where, siblingName(str(p.path) ?? name)),
      repo: url,
      path: checkPath(file, where, str(p.path) ?? name),
      ...(revision ? { revision } : {}),
      ...(groups?.length ? { groups } : {}),
    };
  });
}

async function parseRepoXml(
  file: string,
  text: string,
  options: ImportOptions,
  warnings: string[],
): Promise<ImportedSibling[]> {
  const { XMLParser, XMLValidator } = await import("fast-xml-parser");
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    fail(file, `${valid.err.line}:${valid.err.col}`, `not valid XML: ${valid.err.msg}`);
  }
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    isArray: (n, _path, _leaf, attribute) => !attribute && ["remote", "project"].includes(n),
  })
    .parse(text) as Record<string, Record<string, unknown>>;
  const m = doc.manifest;
  if (!m) fail(file, "", "expected a <manifest> element");
  const remotes = new Map<string, Record<string, string>>();
  for (const r of (m.remote ?? []) as Record<string, string>[]) {
    if (!r.name || !r.fetch) fail(file, "<remote>", 'needs "name" and "fetch"');
    remotes.set(r.name, r);
  }
  const def = (m.default ?? {}) as Record<string, string>;
  return ((m.project ?? []) as Record<string, string>[]).map((p, i) => {
    const where = `<project> ${i + 1}`;
    if (!p.name) fail(file, where, 'missing "name"');
    const remoteName = p.remote ?? def.remote;
    const remote = remoteName ? remotes.get(remoteName) : undefined;
    if (!remote) {
      fail(
        file,
        where,
        remoteName ? `unknown remote "${remoteName}"` : "no remote and no <default remote>",
      );
    }
    let fetch = remote.fetch;
    if (fetch.startsWith(".")) {
      // repo joins fetch to the manifest's URL as a URL join does: relative to its directory.
      const dir = options.baseUrl?.replace(/\/+$/, "").replace(/\/[^/]*$/, "");
      if (dir) fetch = resolveRelativeUrl(fetch, dir);
      else {warnings.push(
          `${where}: fetch="${remote.fetch}" is relative to the manifest's repository; kept as written`,
        );}
    }
    const revision = p.revision ?? remote.revision ?? def.revision;
    const groups = p.groups ? p.groups.split(/[,\s]+/).filter((g) => g) : undefined;
    return {
      name: checkName(file, where, siblingName(p.path ?? p.name)),
      repo: `${fetch.replace(/\/+$/, "")}/${p.name}`,
      path: checkPath(file, where, p.path ?? p.name),
      ...(revision ? { revision } : {}),
      ...(groups?.length ? { groups } : {}),
    };
  });
}

/**
 * Read another tool's manifest.
 *
 * @throws {ConfigError} for an unknown format or a malformed file (naming the file and where)
 */
export async function importManifest(
  fileName: string,
  text: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const file = fileName.split(/[/\\]/).pop()!;
  const format = detectFormat(fileName, text);
  if (!format) {
    fail(
      file,
      "",
      "unknown manifest format (expected .repos, .gitmodules, gita CSV, mani.yaml, .meta, west.yml or a repo XML manifest)",
    );
  }
  const warnings: string[] = [];
  let siblings: ImportedSibling[];
  switch (format) {
    case "repos":
      siblings = parseRepos(file, await yamlParse(file, text), warnings);
      break;
    case "gitmodules":
      siblings = parseGitmodules(file, text, options, warnings);
      break;
    case "gita":
      siblings = parseGita(file, text);
      break;
    case "mani":
      siblings = parseMani(file, await yamlParse(file, text), warnings);
      break;
    case "meta":
      siblings = parseMeta(file, text);
      break;
    case "west":
      siblings = parseWest(file, await yamlParse(file, text), options);
      break;
    case "repo":
      siblings = await parseRepoXml(file, text, options, warnings);
      break;
  }
  const seen = new Set<string>();
  for (const s of siblings) {
    if (seen.has(s.name)) {
      fail(
        file,
        "",
        `two entries make the sibling name "${s.name}"; rename one in wrknv.toml after importing the other`,
      );
    }
    seen.add(s.name);
  }
  return { format, siblings, warnings };
}
