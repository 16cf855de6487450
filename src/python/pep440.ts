/**
 * PEP 440 versions and specifier sets, pure: enough to check an interpreter
 * version against `requires-python` and to validate the specifiers found in
 * requirements and in wrknv.toml.
 *
 * Pre-releases: `satisfies` orders them as PEP 440 does (`3.13.0rc1` is below
 * `3.13`) but does not exclude them from a set that does not name one, since
 * the version it checks is an interpreter already installed, not a candidate
 * to pick from an index. `<V` still refuses a pre-release of `V` itself, and
 * `>V` a post-release or local version of `V`, as PEP 440 says.
 *
 * @module
 */

/** A parsed PEP 440 version. */
export interface Version {
  /** The epoch (`1!` in `1!2.0`), 0 when absent. */
  epoch: number;
  /** The release numbers, as written (`3.11.0` is `[3, 11, 0]`). */
  release: number[];
  /** A pre-release: `a`, `b` or `rc` and its number. */
  pre?: ["a" | "b" | "rc", number];
  /** A post-release number. */
  post?: number;
  /** A development release number. */
  dev?: number;
  /** The local label after `+`, lowercased. */
  local?: string;
}

const VERSION = new RegExp(
  "^\\s*v?" +
    "(?:(?<epoch>\\d+)!)?" +
    "(?<release>\\d+(?:\\.\\d+)*)" +
    "(?:[-_.]?(?<pre>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>\\d+)?)?" +
    "(?:-(?<postImplicit>\\d+)|[-_.]?(?<post>post|rev|r)[-_.]?(?<postN>\\d+)?)?" +
    "(?:[-_.]?(?<dev>dev)[-_.]?(?<devN>\\d+)?)?" +
    "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*)|\\+)?" + // a bare + ends CPython dev builds
    "\\s*$",
  "i",
);

const PRE_KIND: Record<string, "a" | "b" | "rc"> = {
  a: "a",
  alpha: "a",
  b: "b",
  beta: "b",
  c: "rc",
  rc: "rc",
  pre: "rc",
  preview: "rc",
};

/** Parse a PEP 440 version (any spelling PEP 440 normalizes), or null. */
export function parseVersion(text: string): Version | null {
  const g = VERSION.exec(text)?.groups;
  if (!g) return null;
  const v: Version = { epoch: Number(g.epoch ?? 0), release: g.release.split(".").map(Number) };
  if (g.pre) v.pre = [PRE_KIND[g.pre.toLowerCase()], Number(g.preN ?? 0)];
  if (g.postImplicit !== undefined) v.post = Number(g.postImplicit);
  else if (g.post) v.post = Number(g.postN ?? 0);
  if (g.dev) v.dev = Number(g.devN ?? 0);
  if (g.local) v.local = g.local.toLowerCase().replace(/[-_]/g, ".");
  return v;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = compareNumbers(a[i] ?? 0, b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Pre-release rank: a dev release of a final sorts before its pre-releases, a final after them. */
function preKey(v: Version): [number, number] {
  if (v.pre) return [["a", "b", "rc"].indexOf(v.pre[0]), v.pre[1]];
  if (v.dev !== undefined && v.post === undefined) return [-1, 0];
  return [3, 0];
}

function compareLocal(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const as = a.split("."), bs = b.split(".");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const an = /^\d+$/.test(as[i]), bn = /^\d+$/.test(bs[i]);
    if (an && bn) {
      const d = compareNumbers(Number(as[i]), Number(bs[i]));
      if (d) return d;
    } else if (an !== bn) return an ? 1 : -1; // numbers sort after words
    else if (as[i] !== bs[i]) return as[i] < bs[i] ? -1 : 1;
  }
  return compareNumbers(as.length, bs.length);
}

/** Order two parsed versions as PEP 440 does: -1, 0 or 1. */
export function compareParsed(a: Version, b: Version): number {
  const [ap, bp] = [preKey(a), preKey(b)];
  return compareNumbers(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    compareNumbers(ap[0], bp[0]) || compareNumbers(ap[1], bp[1]) ||
    compareNumbers(a.post ?? -1, b.post ?? -1) ||
    compareNumbers(a.dev ?? Infinity, b.dev ?? Infinity) ||
    compareLocal(a.local, b.local);
}

/**
 * Order two version strings as PEP 440 does: -1, 0 or 1.
 *
 * @throws {Error} when either is not a version
 */
export function compareVersions(a: string, b: string): number {
  const [va, vb] = [parseVersion(a), parseVersion(b)];
  if (!va) throw new Error(`"${a}" is not a version`);
  if (!vb) throw new Error(`"${b}" is not a version`);
  return compareParsed(va, vb);
}

/** One clause of a specifier set, e.g. `>=3.11`. */
export interface Clause {
  /** The operator. */
  op: "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";
  /** The version text (for `==` and `!=` it may end in `.*`). */
  version: string;
}

const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*(\S+)$/;
/** Operators people type by mistake, and what they meant. */
const TYPOS: Record<string, string> = { "=>": ">=", "=<": "<=", "=": "==", "~": "~=", "=~": "~=" };

/**
 * Parse and validate a PEP 440 specifier set such as `>=3.11,<3.14`. An
 * empty string is the empty set (anything satisfies it).
 *
 * @throws {Error} naming the clause that is not valid, and why
 */
export function parseSpecifierSet(spec: string): Clause[] {
  if (spec.trim() === "") return [];
  return spec.split(",").map((raw) => {
    const part = raw.trim();
    if (part === "") throw new Error(`empty clause in "${spec.trim()}"`);
    const m = CLAUSE.exec(part);
    if (!m) {
      const typo = /^([=~<>!]+)\s*(.*)$/.exec(part);
      const meant = typo && TYPOS[typo[1]];
      throw new Error(
        `"${part}" is not a version clause such as >=3.11` +
          (meant ? ` (did you mean "${meant}${typo[2]}"?)` : ""),
      );
    }
    const op = m[1] as Clause["op"];
    const version = m[2];
    if (op === "===") return { op, version };
    const wildcard = version.endsWith(".*");
    if (wildcard) {
      if (op !== "==" && op !== "!=") {
        throw new Error(`"${part}": only == and != take a .* wildcard`);
      }
      if (!/^v?(\d+!)?\d+(\.\d+)*$/i.test(version.slice(0, -2))) {
        throw new Error(`"${part}": a .* wildcard follows release numbers only, as in ==3.11.*`);
      }
      return { op, version };
    }
    const v = parseVersion(version);
    if (!v) throw new Error(`"${version}" is not a version`);
    if (v.local !== undefined && op !== "==" && op !== "!=") {
      throw new Error(`"${part}": only == and != take a local version (+${v.local})`);
    }
    if (op === "~=" && v.release.length < 2) {
      throw new Error(`"${part}": ~= needs at least two numbers, as in ~=3.11`);
    }
    return { op, version };
  });
}

function publicOf(v: Version): Version {
  const { local: _, ...rest } = v;
  return rest;
}

function prefixMatches(v: Version, prefix: Version): boolean {
  if (v.epoch !== prefix.epoch) return false;
  return prefix.release.every((n, i) => (v.release[i] ?? 0) === n);
}

function sameBase(a: Version, b: Version): boolean {
  return a.epoch === b.epoch && compareRelease(a.release, b.release) === 0;
}

function clauseHolds(v: Version, text: string, c: Clause): boolean {
  if (c.op === "===") return text.trim().toLowerCase() === c.version.toLowerCase();
  if (c.version.endsWith(".*")) {
    const match = prefixMatches(v, parseVersion(c.version.slice(0, -2))!);
    return c.op === "==" ? match : !match;
  }
  const w = parseVersion(c.version)!;
  // Without a local label in the clause, the candidate's own is ignored.
  const cand = w.local === undefined ? publicOf(v) : v;
  const cmp = compareParsed(cand, w);
  switch (c.op) {
    case "==":
      return cmp === 0;
    case "!=":
      return cmp !== 0;
    case "<=":
      return cmp <= 0;
    case ">=":
      return cmp >= 0;
    case "<":
      // `<3.13` does not let in 3.13.0rc1 (unless the clause is itself a pre-release).
      return cmp < 0 && !(!w.pre && w.dev === undefined && (v.pre || v.dev !== undefined) &&
        sameBase(v, w));
    case ">":
      // `>3.11` does not let in 3.11.post1 or 3.11+local.
      return cmp > 0 && !(w.post === undefined && v.post !== undefined && sameBase(v, w)) &&
        !(v.local !== undefined && sameBase(v, w));
    case "~=": {
      const prefix = { epoch: w.epoch, release: w.release.slice(0, -1) };
      return cmp >= 0 && prefixMatches(v, prefix);
    }
  }
}

/**
 * Whether `version` (such as `3.11.7`) satisfies the specifier set `spec`
 * (such as `>=3.11,<3.14`). A version that cannot be read satisfies nothing
 * but the empty set.
 *
 * @throws {Error} when `spec` is not a valid specifier set
 */
export function satisfies(version: string, spec: string): boolean {
  const clauses = parseSpecifierSet(spec);
  if (clauses.length === 0) return true;
  const v = parseVersion(version);
  if (!v) return clauses.every((c) => c.op === "===" && c.version === version.trim());
  return clauses.every((c) => clauseHolds(v, version, c));
}

/** The lowest version a specifier set allows, as far as its clauses say; null when unbounded. */
function lowerBound(clauses: readonly Clause[]): { v: Version; strict: boolean } | null {
  let best: { v: Version; strict: boolean } | null = null;
  for (const c of clauses) {
    if (c.op === "<" || c.op === "<=" || c.op === "!=") continue;
    const text = c.version.endsWith(".*") ? c.version.slice(0, -2) : c.version;
    const v = parseVersion(text);
    if (!v) continue;
    const strict = c.op === ">";
    const d = best ? compareParsed(v, best.v) : 1;
    if (d > 0 || (d === 0 && strict)) best = { v, strict };
  }
  return best;
}

/**
 * Of several `requires-python` specifiers, the one with the highest lower
 * bound (`>3.11` counts above `>=3.11`; the first wins a tie). Specifiers
 * that cannot be read are passed over; one without a lower bound (`<4`)
 * is chosen only when none has one.
 */
export function strictest(specs: readonly string[]): string | undefined {
  let best: { spec: string; bound: ReturnType<typeof lowerBound> } | undefined;
  for (const spec of specs) {
    let bound: ReturnType<typeof lowerBound>;
    try {
      bound = lowerBound(parseSpecifierSet(spec));
    } catch {
      continue;
    }
    if (!best) {
      best = { spec, bound };
      continue;
    }
    if (!bound) continue;
    const d = best.bound ? compareParsed(bound.v, best.bound.v) : 1;
    if (d > 0 || (d === 0 && bound.strict && !best.bound!.strict)) best = { spec, bound };
  }
  return best?.spec.trim();
}

/**
 * A Python version as a person types it, read as a specifier: a bare version
 * (`3.11`, as uv takes it) means that release series (`==3.11.*`), said in
 * `note`; anything else must be a valid specifier set (`>=3.11`,
 * `>=3.11,<3.13`).
 */
export function readPythonSpec(text: string): { spec: string; note?: string } | { error: string } {
  const v = text.trim();
  if (v === "") return { error: "give a version, e.g. >=3.11 or 3.11" };
  if (/^\d+(\.\d+)?$/.test(v)) {
    return { spec: `==${v}.*`, note: `"${v}" read as "==${v}.*" (any ${v} release)` };
  }
  try {
    parseSpecifierSet(v);
    return { spec: v };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
