/**
 * PEP 503 names and PEP 508 requirements and environment markers, pure.
 *
 * @module
 */
import { parseSpecifierSet, parseVersion, satisfies } from "./pep440.ts";

/** PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

// ----------------------------------------------------------------- markers

/**
 * Marker variables by name (`python_version`, `sys_platform`, `extra`, ...).
 * Missing ones take the values of CPython 3.11 on x86_64 Linux; give
 * `python_full_version` alone and `python_version` follows from it.
 */
export type MarkerEnv = Partial<Record<string, string>>;

const DEFAULT_ENV: Record<string, string> = {
  python_version: "3.11",
  python_full_version: "3.11.0",
  sys_platform: "linux",
  platform_system: "Linux",
  os_name: "posix",
  implementation_name: "cpython",
  implementation_version: "3.11.0",
  platform_python_implementation: "CPython",
  platform_machine: "x86_64",
  platform_release: "",
  platform_version: "",
  extra: "",
};

/** Variables compared as PEP 440 versions (falling back to strings when a side is not one). */
const VERSION_VARS = new Set([
  "python_version",
  "python_full_version",
  "implementation_version",
  "platform_release",
]);

/** Old spellings (PEP 345 and setuptools) that PEP 508 still accepts. */
const ALIASES: Record<string, string> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  "python_implementation": "platform_python_implementation",
};

/** A parsed marker. */
export type Marker =
  | { kind: "and" | "or"; left: Marker; right: Marker }
  | { kind: "compare"; left: MarkerValue; op: string; right: MarkerValue };

/** One side of a marker comparison: a variable or a quoted string. */
export type MarkerValue = { variable: string } | { literal: string };

type Token = { kind: "var" | "str" | "op" | "and" | "or" | "(" | ")"; value: string };

function tokenize(marker: string): Token[] {
  const tokens: Token[] = [];
  const rules: [RegExp, (m: RegExpExecArray) => Token | null][] = [
    [/^\s+/, () => null],
    [/^(?:"([^"]*)"|'([^']*)')/, (m) => ({ kind: "str", value: m[1] ?? m[2] })],
    [/^(?:===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)/, (m) => ({
      kind: "op",
      value: m[0].replace(/\s+/, " "),
    })],
    [/^(?:and|or)\b/, (m) => ({ kind: m[0] as "and" | "or", value: m[0] })],
    [/^[()]/, (m) => ({ kind: m[0] as "(" | ")", value: m[0] })],
    [/^[A-Za-z_][A-Za-z0-9_.]*/, (m) => ({ kind: "var", value: m[0] })],
  ];
  let i = 0;
  outer: while (i < marker.length) {
    const rest = marker.slice(i);
    for (const [re, make] of rules) {
      const m = re.exec(rest);
      if (!m) continue;
      const t = make(m);
      if (t) tokens.push(t);
      i += m[0].length;
      continue outer;
    }
    throw new Error(`marker "${marker}": cannot read "${rest}"`);
  }
  return tokens;
}

/**
 * Parse a PEP 508 marker such as `python_version >= "3.8" and sys_platform != "win32"`.
 *
 * @throws {Error} naming the marker when it cannot be read
 */
export function parseMarker(marker: string): Marker {
  const tokens = tokenize(marker);
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`marker "${marker}": ${why}`);
  };
  const value = (): MarkerValue => {
    const t = tokens[pos++];
    if (!t) return fail("it ends too early");
    if (t.kind === "str") return { literal: t.value };
    if (t.kind === "var") return { variable: ALIASES[t.value] ?? t.value };
    return fail(`expected a variable or a quoted string, got "${t.value}"`);
  };
  const atom = (): Marker => {
    if (tokens[pos]?.kind === "(") {
      pos++;
      const inner = or();
      if (tokens[pos]?.kind !== ")") fail("a ( is not closed");
      pos++;
      return inner;
    }
    const left = value();
    const op = tokens[pos++];
    if (!op) fail("it ends too early");
    if (op.kind !== "op") {
      fail(`expected an operator such as == after the value, got "${op.value}"`);
    }
    const right = value();
    return { kind: "compare", left, op: op.value, right };
  };
  const and = (): Marker => {
    let m = atom();
    while (tokens[pos]?.kind === "and") {
      pos++;
      m = { kind: "and", left: m, right: atom() };
    }
    return m;
  };
  const or = (): Marker => {
    let m = and();
    while (tokens[pos]?.kind === "or") {
      pos++;
      m = { kind: "or", left: m, right: and() };
    }
    return m;
  };
  if (tokens.length === 0) fail("it is empty");
  const result = or();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos].value}"`);
  return result;
}

function lookup(name: string, env: MarkerEnv): string | undefined {
  const given = env[name];
  if (given !== undefined) return given;
  if (name === "python_version" && env.python_full_version !== undefined) {
    return env.python_full_version.split(".").slice(0, 2).join(".");
  }
  if (name === "python_full_version" && env.python_version !== undefined) {
    return env.python_version;
  }
  return DEFAULT_ENV[name];
}

function compare(left: string, op: string, right: string, versions: boolean): boolean {
  if (op === "in") return right.includes(left);
  if (op === "not in") return !right.includes(left);
  if (versions && op !== "===" && parseVersion(left)) {
    try {
      return satisfies(left, `${op}${right}`);
    } catch {
      // not versions after all: compare as strings
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
  return true; // ~= between strings means nothing: do not exclude
}

function evaluate(m: Marker, env: MarkerEnv): boolean {
  if (m.kind !== "compare") {
    return m.kind === "and"
      ? evaluate(m.left, env) && evaluate(m.right, env)
      : evaluate(m.left, env) || evaluate(m.right, env);
  }
  const sides = [m.left, m.right].map((side) => {
    if ("literal" in side) return { text: side.literal, known: true, version: false, extra: false };
    const text = lookup(side.variable, env);
    return {
      text: text ?? "",
      known: text !== undefined,
      version: VERSION_VARS.has(side.variable),
      extra: side.variable === "extra",
    };
  });
  const [l, r] = sides;
  if (!l.known || !r.known) return true; // an unknown variable does not exclude
  // Extras compare as normalized names (PEP 685).
  const isExtra = l.extra || r.extra;
  return compare(
    isExtra ? normalizeName(l.text) : l.text,
    m.op,
    isExtra ? normalizeName(r.text) : r.text,
    l.version || r.version,
  );
}

/**
 * Evaluate a PEP 508 marker against `env` (see {@link MarkerEnv} for the
 * defaults). Version variables compare as PEP 440 versions, the others as
 * strings; `extra` compares as a normalized name. A comparison with a
 * variable PEP 508 does not define is true, so an unknown marker never
 * excludes a dependency.
 *
 * @throws {Error} naming the marker when it cannot be read
 */
export function evaluateMarker(marker: string, env: MarkerEnv): boolean {
  return evaluate(parseMarker(marker), env);
}

// ------------------------------------------------------------ requirements

/** A PEP 508 requirement. */
export interface Requirement {
  /** The name as written. */
  name: string;
  /** PEP 503 normalized. */
  normalized: string;
  /** Extras asked for, as written. */
  extras: string[];
  /** The version specifier without spaces or parentheses ("" when none). */
  specifier: string;
  /** A direct URL (`name @ url`). */
  url?: string;
  /** The environment marker, after `;`. */
  marker?: string;
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;
const EXTRA = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * Parse a PEP 508 requirement such as `Foo_Bar[extra]>=1; python_version>="3"`,
 * `pkg (>=1,<2)` or `pkg @ https://host/pkg.whl ; sys_platform == "linux"`.
 *
 * @throws {Error} naming the string and what is wrong with it
 */
export function parseRequirement(text: string): Requirement {
  const bad = (why: string) => new Error(`invalid requirement "${text}": ${why}`);
  const m = NAME.exec(text);
  if (!m) throw bad(text.trim() === "" ? "it is empty" : "it does not start with a package name");
  const name = m[1];
  let rest = text.slice(m[0].length);
  let extras: string[] = [];
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0) throw bad("a [ is not closed");
    extras = rest.slice(1, end).split(",").map((e) => e.trim());
    if (extras.length === 1 && extras[0] === "") extras = [];
    for (const e of extras) if (!EXTRA.test(e)) throw bad(`"${e}" is not an extra name`);
    rest = rest.slice(end + 1).trimStart();
  }
  let marker: string | undefined;
  let url: string | undefined;
  let specifier = "";
  if (rest.startsWith("@")) {
    // name @ url ; marker  (the ; of a marker must follow whitespace, as a URL may hold one)
    const semi = rest.search(/\s;/);
    url = (semi >= 0 ? rest.slice(1, semi) : rest.slice(1)).trim();
    if (!url) throw bad("no URL after @");
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(url)) throw bad(`"${url}" is not a URL`);
    if (semi >= 0) marker = rest.slice(semi).trim().slice(1).trim();
  } else {
    const semi = rest.indexOf(";");
    let spec = (semi >= 0 ? rest.slice(0, semi) : rest).trim();
    if (semi >= 0) marker = rest.slice(semi + 1).trim();
    if (spec.startsWith("(")) {
      if (!spec.endsWith(")")) throw bad("a ( is not closed");
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
    if (marker === "") throw bad("nothing after ;");
    try {
      parseMarker(marker);
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

/** A requirement as PEP 508 text again (`name[extras]specifier; marker`). */
export function formatRequirement(r: Requirement): string {
  const extras = r.extras.length ? `[${r.extras.join(",")}]` : "";
  const what = r.url ? ` @ ${r.url}${r.marker ? " " : ""}` : r.specifier;
  return `${r.name}${extras}${what}${r.marker ? `; ${r.marker}` : ""}`;
}
