/**
 * Reading (and, for a clone wrknv has just made, editing) a repository's own
 * files where that saves starting git: HEAD, loose refs, `packed-refs` and the
 * `config` file, in the layout git writes (the "files" ref backend). Anything
 * else (a reftable repository, a `.git` file pointing elsewhere, a symbolic
 * ref outside `refs/heads/`, a config line this parser does not know) makes
 * these functions answer null, and the caller asks git instead.
 *
 * @module
 */
import { join } from "node:path";

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Where HEAD of a repository points, read from its files. */
export interface HeadFiles {
  /** The commit HEAD resolves to, or null on an unborn branch. */
  head: string | null;
  /** The branch (`main` for `refs/heads/main`), or null when HEAD is detached. */
  branch: string | null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/**
 * The commit `ref` (a full name under `refs/`) names in the repository at
 * `gitDir`: its loose file first, then `packed-refs`; null when there is no
 * such ref, undefined when the answer needs git (a symbolic ref, an odd name).
 */
export async function readRef(gitDir: string, ref: string): Promise<string | null | undefined> {
  if (!/^refs\/[A-Za-z0-9._\/-]+$/.test(ref) || ref.includes("..")) return undefined;
  const loose = await readText(join(gitDir, ref));
  if (loose !== null) {
    const value = loose.trim();
    return SHA.test(value) ? value : undefined; // a symbolic ref: let git follow it
  }
  const packed = await readText(join(gitDir, "packed-refs"));
  if (packed === null) return null;
  for (const line of packed.split("\n")) {
    if (line.startsWith("#") || line.startsWith("^")) continue;
    const space = line.indexOf(" ");
    if (space > 0 && line.slice(space + 1).trimEnd() === ref) {
      const sha = line.slice(0, space);
      return SHA.test(sha) ? sha : undefined;
    }
  }
  return null;
}

/**
 * HEAD and the branch of the work tree `workTree`, read from `.git/HEAD` and
 * the refs, or null when the repository is not in the plain layout (then ask
 * git). A fresh clone always is.
 */
export async function readHead(workTree: string): Promise<HeadFiles | null> {
  const gitDir = join(workTree, ".git");
  try {
    if (!(await Deno.lstat(gitDir)).isDirectory) return null;
    await Deno.lstat(join(gitDir, "reftable"));
    return null; // the reftable backend
  } catch {
    // no reftable: the files backend
  }
  const text = await readText(join(gitDir, "HEAD"));
  if (text === null) return null;
  const value = text.trim();
  if (SHA.test(value)) return { head: value, branch: null };
  const m = /^ref: (refs\/heads\/\S+)$/.exec(value);
  if (!m) return null;
  const head = await readRef(gitDir, m[1]);
  if (head === undefined) return null;
  return { head, branch: m[1].slice("refs/heads/".length) };
}

/** One `key = value` line of a git config file. */
export interface ConfigEntry {
  /** `section` or `section "subsection"`, as `section.subsection` (section lower-cased). */
  section: string;
  /** The key, lower-cased. */
  key: string;
  /** The value, unquoted. */
  value: string;
  /** Its line number (0-based). */
  line: number;
}

/** Parse the subset of git's config syntax git itself writes; null for anything else. */
export function parseConfig(text: string): ConfigEntry[] | null {
  const out: ConfigEntry[] = [];
  let section: string | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      const m = /^\[([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\]\s*(?:[#;].*)?$/.exec(line);
      if (!m) return null;
      section = m[1].toLowerCase() + (m[2] === undefined ? "" : `.${m[2].replace(/\\(.)/g, "$1")}`);
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv || section === null) return null;
    const value = kv[2] === undefined ? "true" : unquote(kv[2]);
    if (value === null) return null;
    out.push({ section, key: kv[1].toLowerCase(), value, line: i });
  }
  return out;
}

function unquote(raw: string): string | null {
  let out = "";
  let quoted = false;
  let pendingSpace = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\") {
      const next = raw[i + 1];
      const escapes: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", t: "\t", b: "\b" };
      if (next === undefined || !(next in escapes)) return null; // a continuation line: ask git
      out += pendingSpace + escapes[next];
      pendingSpace = "";
      i++;
    } else if (c === '"') {
      out += pendingSpace;
      pendingSpace = "";
      quoted = !quoted;
    } else if (!quoted && (c === "#" || c === ";")) {
      break;
    } else if (!quoted && (c === " " || c === "\t")) {
      pendingSpace += c;
    } else {
      out += pendingSpace + c;
      pendingSpace = "";
    }
  }
  return quoted ? null : out;
}

/** A config value as git writes it: quoted when it must be, `\` and `"` escaped. */
export function formatConfigValue(value: string): string {
  const quote = value.startsWith(" ") || value.endsWith(" ") || /[;#]/.test(value) ? '"' : "";
  const escaped = value.replace(
    /[\\"\n\t\b]/g,
    (c) => c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\b" ? "\\b" : `\\${c}`,
  );
  return `${quote}${escaped}${quote}`;
}

/**
 * `remote.<name>.url` from the repository's own config file (`gitDir/config`),
 * or null when it is not there or the file is not in the plain form git
 * writes (then ask git).
 */
export async function readRemoteUrl(gitDir: string, name = "origin"): Promise<string | null> {
  const text = await readText(join(gitDir, "config"));
  const entries = text === null ? null : parseConfig(text);
  const url = entries?.filter((e) => e.section === `remote.${name}` && e.key === "url");
  return url && url.length === 1 ? url[0].value : null;
}

/**
 * In a clone wrknv has just made (and no one else can see yet), point
 * `remote.<name>.url` (from `from`, when given) to `to` by editing
 * `.git/config` (written to a temporary file and renamed). Returns false,
 * changing nothing, when the file does not hold exactly one such value in the
 * plain form: then use git.
 */
export async function replaceRemoteUrl(
  workTree: string,
  options: { from?: string; to: string; name?: string },
): Promise<boolean> {
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(options.to)) return false;
  const path = join(workTree, ".git", "config");
  const text = await readText(path);
  const entries = text === null ? null : parseConfig(text);
  if (text === null || entries === null) return false;
  const urls = entries.filter((e) =>
    e.section === `remote.${options.name ?? "origin"}` &&
    e.key === "url"
  );
  if (urls.length !== 1) return false;
  if (options.from !== undefined && urls[0].value !== options.from) return false;
  const lines = text.split("\n");
  lines[urls[0].line] = `\turl = ${formatConfigValue(options.to)}`;
  const temp = `${path}.wrknv-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(temp, lines.join("\n"));
  await Deno.rename(temp, path);
  return true;
}

/** The entries of the repository's own config file (`gitDir/config`), or null (then ask git). */
export async function readConfig(gitDir: string): Promise<ConfigEntry[] | null> {
  const text = await readText(join(gitDir, "config"));
  return text === null ? null : parseConfig(text);
}

/** One line of `packed-refs`: a ref, its commit and (for an annotated tag) the peeled commit. */
export interface PackedRef {
  /** Full ref name. */
  ref: string;
  /** The object it names. */
  sha: string;
  /** The commit an annotated tag peels to (`^` line). */
  peeled?: string;
}

/** `packed-refs` of the repository at `gitDir`: its header line and refs ([] when there is none; null when odd). */
export async function readPackedRefs(
  gitDir: string,
): Promise<{ header: string | null; refs: PackedRef[] } | null> {
  const text = await readText(join(gitDir, "packed-refs"));
  if (text === null) return { header: null, refs: [] };
  let header: string | null = null;
  const refs: PackedRef[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      header = line;
      continue;
    }
    if (line.startsWith("^")) {
      const last = refs.at(-1);
      if (!last || !SHA.test(line.slice(1))) return null;
      last.peeled = line.slice(1);
      continue;
    }
    const space = line.indexOf(" ");
    const sha = line.slice(0, space);
    if (space < 0 || !SHA.test(sha)) return null;
    refs.push({ sha, ref: line.slice(space + 1) });
  }
  return { header, refs };
}
