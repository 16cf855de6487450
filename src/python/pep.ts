/**
 * Python packaging standards, pure: PEP 503 names, PEP 440 versions and
 * specifiers (enough for interpreter versions), PEP 508 requirements and
 * markers, and reading what a pyproject.toml declares.
 *
 * @module
 */
import { parse, TomlError } from "smol-toml";

/** PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

// ---------------------------------------------------------------- versions

/** A parsed version: release numbers and an optional pre-release. */
interface Version {
  release: number[];
  pre?: [string, number];
}

const VERSION =
  /^\s*v?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:[-_.]?(?:post|rev|r)[-_.]?\d*)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9.]+)?\s*$/i;

function parseVersion(text: string): Version | null {
  const m = VERSION.exec(text);
  if (!m) return null;
  const release = m[1].split(".").map(Number);
  if (!m[2]) return { release };
  const kind = m[2].toLowerCase();
  const tag = kind.startsWith("a") ? "a" : kind.startsWith("b") ? "b" : "rc";
  return { release, pre: [tag, Number(m[3] || 0)] };
}

function compareRelease(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

function compareVersions(a: Version, b: Version): number {
  const r = compareRelease(a.release, b.release);
  if (r) return r;
  if (!a.pre && !b.pre) return 0;
  if (!a.pre) return 1; // a final release sorts after its pre-releases
  if (!b.pre) return -1;
  const order = ["a", "b", "rc"];
  const d = order.indexOf(a.pre[0]) - order.indexOf(b.pre[0]) || a.pre[1] - b.pre[1];
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** One clause of a specifier set, e.g. `>=3.11`. */
export interface Clause {
  /** The operator. */
  op: "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";
  /** The version text (for `==`/`!=`, may end in `.*`). */
  version: string;
}

const CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+?)\s*$/;

/**
 * Parse a PEP 440 specifier set such as `>=3.11,<3.14`.
 *
 * @throws {Error} naming the clause that is not valid
 */
export function parseSpecifierSet(spec: string): Clause[] {
  if (spec.trim() === "") return [];
  return spec.split(",").map((part) => {
    const m = CLAUSE.exec(part);
    if (!m) throw new Error(`"${part.trim()}" is not a version clause such as >=3.11`);
    const op = m[1] as Clause["op"];
    const version = m[2];
    if (op === "===") return { op, version };
    const wildcard = version.endsWith(".*");
    if (wildcard && op !== "==" && op !== "!=") {
      throw new Error(`"${part.trim()}": only == and != take a .* wildcard`);
    }
    const v = parseVersion(wildcard ? version.slice(0, -2) : version);
    if (!v) throw new Error(`"${version}" is not a version`);
    if (op === "~=" && v.release.length < 2) {
      throw new Error(`"${part.trim()}": ~= needs at least two numbers, as in ~=3.11`);
    }
    return { op, version };
  });
}

/** Whether `version` (such as `3.11.7`) satisfies the specifier set. Pre-releases compare as PEP 440 orders them. */
export function satisfies(version: string, spec: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  return parseSpecifierSet(spec).every((c) => {
    if (c.op === "===") return version.trim() === c.version;
    if (c.version.endsWith(".*")) {
      const prefix = parseVersion(c.version.slice(0, -2))!.release;
      const match = prefix.every((n, i) => (v.release[i] ?? 0) === n);
      return c.op === "==" ? match : !match;
    }
    const w = parseVersion(c.version)!;
    const cmp = compareVersions(v, w);
    switch (c.op) {
      case "==":
        return cmp === 0;
      case "!=":
        return cmp !== 0;
      case "<":
        return cmp < 0;
      case "<=":
        return cmp <= 0;
      case ">":
        return cmp > 0;
      case ">=":
        return cmp >= 0;
      case "~=": {
        const prefix = w.release.slice(0, -1);
        return cmp >= 0 && prefix.every((n, i) => (v.release[i] ?? 0) === n);
      }
    }
    return false;
  });
}

function lowerBound(spec: string): Version | null {
  let best: Version | null = null;
  for (const c of parseSpecifierSet(spec)) {
    if (!["~=", ">=", ">", "=="].includes(c.op) || c.version.endsWith(".*")) continue;
    const v = parseVersion(c.version);
    if (v && (!best || compareVersions(v, best) > 0)) best = v;
  }
  return best;
}

/** Of several `requires-python` specifiers, the one with the highest lower bound (the first on a tie). */
export function strictest(specs: readonly string[]): string | undefined {
  let best: { spec: string; bound: Version | null } | undefined;
  for (const spec of specs) {
    let bound: Version | null;
    try {
      bound = lowerBound(spec);
    } catch {
      continue;
    }
    if (!best || (bound && (!best.bound || compareVersions(bound, best.bound) > 0))) {
      best = { spec, bound };
    }
  }
  return best?.spec.trim();
}

// ------------------------------------------------------------ requirements

/** A PEP 508 requirement. */
export interface Requirement {
  /** The name as written. */
  name: string;
  /** PEP 503 normalized. */
  normalized: string;
  /** Extras asked for. */
  extras: string[];
  /** The version specifier ("" when none). */
  specifier: string;
  /** A direct URL (`name @ url`). */
  url?: string;
  /** The environment marker, after `;`. */
  marker?: string;
}

const REQ_NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;

/**
 * Parse a PEP 508 requirement such as `Foo_Bar[extra]>=1; python_version>="3"`.
 *
 * @throws {Error} naming the string
 */
export function parseRequirement(text: string): Requirement {
  const bad = (why: string) => new Error(`invalid requirement "${text}": ${why}`);
  const m = REQ_NAME.exec(text);
  if (!m) throw bad("no package name");
  let rest = text.slice(m[0].length);
  const name = m[1];
  let extras: string[] = [];
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0) throw bad("unclosed [");
    extras = rest.slice(1, end).split(",").map((e) => e.trim()).filter((e) => e !== "");
    for (const e of extras) {
      if (!/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(e)) throw bad(`bad extra "${e}"`);
    }
    rest = rest.slice(end + 1).trimStart();
  }
  let marker: string | undefined;
  let url: string | undefined;
  let specifier = "";
  if (rest.startsWith("@")) {
    // name @ url ; marker  (the marker's ; must follow whitespace)
    const semi = rest.search(/\s;/);
    url = (semi >= 0 ? rest.slice(1, semi) : rest.slice(1)).trim();
    if (!url) throw bad("no URL after @");
    if (semi >= 0) marker = rest.slice(semi).trim().slice(1).trim();
  } else {
    const semi = rest.indexOf(";");
    let spec = (semi >= 0 ? rest.slice(0, semi) : rest).trim();
    if (semi >= 0) marker = rest.slice(semi + 1).trim();
    if (spec.startsWith("(")) {
      if (!spec.endsWith(")")) throw bad("unclosed (");
      spec = spec.slice(1, -1).trim();
    }
    if (spec) {
      try {
        parseSpecifierSet(spec);
      } catch (error) {
        throw bad((error as Error).message);
      }
    }
    specifier = spec.replace(/\s+/g, "");
  }
  if (marker !== undefined) {
    if (marker === "") throw bad("empty marker after ;");
    try {
      evaluateMarker(marker, {});
    } catch (error) {
      throw bad((error as Error).message);
    }
  }
  return {
    name,
    normalized: normalizeName(name),
    extras,
    specifier,
    ...(url ? { url } : {}),
    ...(marker ? { marker } : {}),
  };
}

// ----------------------------------------------------------------- markers

/** Marker variables; missing ones take the values of a current CPython on Linux. */
export type MarkerEnv = Partial<Record<string, string>>;

const DEFAULT_ENV: Record<string, string> = {
  python_version: "3.11",
  python_full_version: "3.11.0",
  sys_platform: "linux",
  platform_system: "Linux",
  os_name: "posix",
  implementation_name: "cpython",
  platform_python_implementation: "CPython",
  platform_machine: "x86_64",
  platform_release: "",
  platform_version: "",
  implementation_version: "3.11.0",
  extra: "",
};

const VERSION_VARS = new Set([
  "python_version",
  "python_full_version",
  "implementation_version",
  "platform_release",
]);

type Token = { kind: "var" | "str" | "op" | "and" | "or" | "(" | ")"; value: string };

function tokenize(marker: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < marker.length) {
    const rest = marker.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    const str = /^("([^"]*)"|'([^']*)')/.exec(rest);
    if (str) {
      tokens.push({ kind: "str", value: str[2] ?? str[3] });
      i += str[0].length;
      continue;
    }
    const op = /^(===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)/.exec(rest);
    if (op) {
      tokens.push({ kind: "op", value: op[0].replace(/\s+/, " ") });
      i += op[0].length;
      continue;
    }
    const word = /^(and|or)\b/.exec(rest);
    if (word) {
      tokens.push({ kind: word[1] as "and" | "or", value: word[1] });
      i += word[0].length;
      continue;
    }
    if (rest[0] === "(" || rest[0] === ")") {
      tokens.push({ kind: rest[0], value: rest[0] });
      i++;
      continue;
    }
    const v = /^[a-z_][a-z0-9_.]*/.exec(rest);
    if (v) {
      tokens.push({ kind: "var", value: v[0] });
      i += v[0].length;
      continue;
    }
    throw new Error(`cannot read the marker at "${rest}"`);
  }
  return tokens;
}

function compareMarker(left: string, op: string, right: string, versions: boolean): boolean {
  if (op === "in") return right.includes(left);
  if (op === "not in") return !right.includes(left);
  if (versions && op !== "===") {
    try {
      return satisfies(left, `${op}${right}`);
    } catch {
      // fall through to a string comparison
    }
  }
  switch (op) {
    case "==":
    case "===":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
  }
  return true;
}

/**
 * Evaluate a PEP 508 marker. Unknown variables evaluate as empty strings, so
 * a marker never throws for them; a marker that cannot be read throws.
 */
export function evaluateMarker(marker: string, env: MarkerEnv): boolean {
  const tokens = tokenize(marker);
  let pos = 0;
  const value = (t: Token | undefined): { text: string; version: boolean } => {
    if (!t) throw new Error(`marker "${marker}" ends too early`);
    if (t.kind === "str") return { text: t.value, version: false };
    if (t.kind === "var") {
      const name = t.value;
      const text = name === "extra"
        ? normalizeName(env.extra ?? "")
        : env[name] ?? DEFAULT_ENV[name] ?? "";
      return { text, version: VERSION_VARS.has(name) };
    }
    throw new Error(`marker "${marker}": expected a value, got "${t.value}"`);
  };
  const atom = (): boolean => {
    const t = tokens[pos];
    if (t?.kind === "(") {
      pos++;
      const v = or();
      if (tokens[pos]?.kind !== ")") throw new Error(`marker "${marker}": missing )`);
      pos++;
      return v;
    }
    const leftTok = tokens[pos++];
    const left = value(leftTok);
    const op = tokens[pos++];
    if (!op || op.kind !== "op") throw new Error(`marker "${marker}": expected an operator`);
    const rightTok = tokens[pos++];
    const right = value(rightTok);
    // Extras compare as normalized names.
    const isExtra = (t: Token | undefined) => t?.kind === "var" && t.value === "extra";
    const norm = isExtra(leftTok) || isExtra(rightTok);
    return compareMarker(
      norm ? normalizeName(left.text) : left.text,
      op.value,
      norm ? normalizeName(right.text) : right.text,
      left.version || right.version,
    );
  };
  const and = (): boolean => {
    let v = atom();
    while (tokens[pos]?.kind === "and") {
      pos++;
      const r = atom();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[pos]?.kind === "or") {
      pos++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const result = or();
  if (pos !== tokens.length) {
    throw new Error(`marker "${marker}": unexpected "${tokens[pos].value}"`);
  }
  return result;
}

// --------------------------------------------------------------- pyproject

/** What a pyproject.toml declares. */
export interface Pyproject {
  /** `[project].name`, or null when there is none (dynamic, or a setup.py project). */
  name: string | null;
  /** Normalized name, or null. */
  normalized: string | null;
  /** `requires-python`. */
  requiresPython?: string;
  /** Base dependencies. */
  dependencies: Requirement[];
  /** Keys of `[project.optional-dependencies]`. */
  extrasAvailable: string[];
  /** The asked-for extras it has. */
  extrasUsed: string[];
  /** The asked-for extras it lacks. */
  extrasMissing: string[];
  /** Dependencies of the used extras. */
  optional: Requirement[];
  /** `[dependency-groups]` (PEP 735), includes resolved. */
  groups: Record<string, Requirement[]>;
  /** `[build-system].build-backend`. */
  buildBackend?: string;
  /** `[build-system].requires` (PEP 518's default when there is no table). */
  buildRequires: string[];
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new Error(`${where} must be an array of strings`);
  }
  return value as string[];
}

/**
 * Read a pyproject.toml's text. `extras` are the extras the workspace asks for.
 *
 * @throws {Error} for a syntax error (with line:column) or a malformed table
 */
export function readPyproject(text: string, options: { extras: readonly string[] }): Pyproject {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new Error(
        `${error.line}:${error.column}: ${
          error.message.split("\n")[0].replace(/^Invalid TOML document: /, "")
        }`,
      );
    }
    throw new Error((error as Error).message.split("\n")[0]);
  }
  const project = (doc.project ?? {}) as Record<string, unknown>;
  const name = typeof project.name === "string" ? project.name : null;
  const requiresPython = typeof project["requires-python"] === "string"
    ? project["requires-python"] as string
    : undefined;
  const dependencies = strings(project.dependencies, "project.dependencies").map(parseRequirement);
  const optionalTable = (project["optional-dependencies"] ?? {}) as Record<string, unknown>;
  const extrasAvailable = Object.keys(optionalTable);
  const byNorm = new Map(extrasAvailable.map((e) => [normalizeName(e), e]));
  const extrasUsed: string[] = [];
  const extrasMissing: string[] = [];
  for (const e of options.extras) {
    const found = byNorm.get(normalizeName(e));
    if (found !== undefined) extrasUsed.push(found);
    else extrasMissing.push(e);
  }
  const optional = extrasUsed.flatMap((e) =>
    strings(optionalTable[e], `project.optional-dependencies.${e}`).map(parseRequirement)
  );
  const rawGroups = (doc["dependency-groups"] ?? {}) as Record<string, unknown>;
  const groups: Record<string, Requirement[]> = {};
  const resolveGroup = (g: string, seen: string[]): Requirement[] => {
    if (seen.includes(g)) {
      throw new Error(`dependency-groups: ${[...seen, g].join(" -> ")} includes itself`);
    }
    const key = Object.keys(rawGroups).find((k) => normalizeName(k) === normalizeName(g));
    if (key === undefined) throw new Error(`dependency-groups: no group "${g}" to include`);
    const items = rawGroups[key];
    if (!Array.isArray(items)) throw new Error(`dependency-groups.${key} must be an array`);
    return items.flatMap((item) => {
      if (typeof item === "string") return [parseRequirement(item)];
      if (
        item && typeof item === "object" &&
        typeof (item as Record<string, unknown>)["include-group"] === "string"
      ) {
        return resolveGroup((item as Record<string, string>)["include-group"], [...seen, g]);
      }
      throw new Error(`dependency-groups.${key}: expected strings or {include-group = "..."}`);
    });
  };
  for (const g of Object.keys(rawGroups)) groups[g] = resolveGroup(g, []);
  const build = doc["build-system"] as Record<string, unknown> | undefined;
  const buildRequires = build
    ? strings(build.requires, "build-system.requires")
    : ["setuptools>=40.8.0", "wheel"];
  const buildBackend = typeof build?.["build-backend"] === "string"
    ? build["build-backend"] as string
    : undefined;
  return {
    name,
    normalized: name === null ? null : normalizeName(name),
    ...(requiresPython ? { requiresPython } : {}),
    dependencies,
    extrasAvailable,
    extrasUsed,
    extrasMissing,
    optional,
    groups,
    ...(buildBackend ? { buildBackend } : {}),
    buildRequires,
  };
}

export { discoverImportNames } from "./imports.ts";
