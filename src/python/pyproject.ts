/**
 * What a pyproject.toml declares (PEP 517/518 build system, PEP 621
 * `[project]`, PEP 735 `[dependency-groups]`), read from its text: pure.
 *
 * @module
 */
import { parse, TomlError } from "smol-toml";
import { parseSpecifierSet } from "./pep440.ts";
import { normalizeName, parseRequirement, type Requirement } from "./pep508.ts";

/** What a pyproject.toml declares. */
export interface Pyproject {
  /** `[project].name`, or null when there is none (no `[project]`, or a setup.py project). */
  name: string | null;
  /** The name, PEP 503 normalized, or null. */
  normalized: string | null;
  /** `[project].version`, when the file gives it (not when it is dynamic). */
  version?: string;
  /** `requires-python`, when given. */
  requiresPython?: string;
  /** `[project].dependencies`: the base dependencies. */
  dependencies: Requirement[];
  /** The keys of `[project.optional-dependencies]`, as written. */
  extrasAvailable: string[];
  /** The asked-for extras the project has, spelled as the project spells them. */
  extrasUsed: string[];
  /** The asked-for extras the project lacks, spelled as asked. */
  extrasMissing: string[];
  /**
   * The dependencies of the used extras, without repeats. An extra that
   * names the project itself (`all = ["pkg[cli,docs]"]`) is expanded.
   */
  optional: Requirement[];
  /** `[dependency-groups]` (PEP 735) by name as written, `{include-group = "..."}` resolved. */
  groups: Record<string, Requirement[]>;
  /** `[project].dynamic`: fields the build backend computes (their values here are unknown). */
  dynamic: string[];
  /** `[build-system].build-backend`, when given. */
  buildBackend?: string;
  /** `[build-system].requires` (PEP 518's setuptools default when there is no table). */
  buildRequires: string[];
}

/** A pyproject.toml that cannot be read: bad TOML (with its position) or a malformed table. */
export class PyprojectError extends Error {
  /** 1-based line of a TOML syntax error. */
  readonly line?: number;
  /** 1-based column of a TOML syntax error. */
  readonly column?: number;

  /** Make the error; `position` for a TOML syntax error. */
  constructor(message: string, position?: { line: number; column: number }) {
    super(position ? `line ${position.line}, column ${position.column}: ${message}` : message);
    this.name = "PyprojectError";
    this.line = position?.line;
    this.column = position?.column;
  }
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

function table(value: unknown, key: string): Table {
  if (value === undefined) return {};
  if (!isTable(value)) throw new PyprojectError(`${key} must be a table`);
  return value;
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new PyprojectError(`${key} must be a string`);
  return value;
}

function strings(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new PyprojectError(`${key} must be an array of strings`);
  }
  return value as string[];
}

function requirements(value: unknown, key: string): Requirement[] {
  return strings(value, key).map((text, i) => {
    try {
      return parseRequirement(text);
    } catch (error) {
      throw new PyprojectError(`${key}[${i}]: ${(error as Error).message}`);
    }
  });
}

function quotedKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function andMarkers(a: string | undefined, b: string | undefined): string | undefined {
  if (!a || !b) return a || b;
  return `(${a}) and (${b})`;
}

/** Requirements without repeats (same name, extras, specifier, URL and marker), in order. */
export function dedupe(reqs: Requirement[]): Requirement[] {
  const seen = new Set<string>();
  return reqs.filter((r) => {
    const key = JSON.stringify([r.normalized, r.extras, r.specifier, r.url, r.marker]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function parseToml(text: string): Table {
  try {
    return parse(text) as Table;
  } catch (error) {
    const first = (error as Error).message.split("\n")[0].replace(/^Invalid TOML document: /, "");
    if (error instanceof TomlError) {
      throw new PyprojectError(first, { line: error.line, column: error.column });
    }
    throw new PyprojectError(first);
  }
}

/**
 * Read a pyproject.toml from its text. `extras` are the extras the workspace
 * asks for; they match the project's by normalized name (PEP 685). A file
 * without `[project]` (a setup.py project, or only `[tool]` tables) reads
 * with a null name and no dependencies.
 *
 * @throws {PyprojectError} for a TOML syntax error (`line L, column C: ...`)
 *   or a malformed table or requirement (naming its key, such as
 *   `project.dependencies[2]`)
 */
export function readPyproject(text: string, options: { extras: readonly string[] }): Pyproject {
  const doc = parseToml(text);
  const project = table(doc.project, "project");
  const name = optionalString(project.name, "project.name") ?? null;
  const version = optionalString(project.version, "project.version");
  const requiresPython = optionalString(project["requires-python"], "project.requires-python");
  if (requiresPython !== undefined) {
    try {
      parseSpecifierSet(requiresPython);
    } catch (error) {
      throw new PyprojectError(`project.requires-python: ${(error as Error).message}`);
    }
  }
  const normalized = name === null ? null : normalizeName(name);
  const dependencies = requirements(project.dependencies, "project.dependencies");
  const dynamic = strings(project.dynamic, "project.dynamic");

  // Extras.
  const optionalTable = table(project["optional-dependencies"], "project.optional-dependencies");
  const extrasAvailable = Object.keys(optionalTable);
  const extraKey = new Map(extrasAvailable.map((e) => [normalizeName(e), e]));
  const extraReqs = new Map(extrasAvailable.map((e) => [
    e,
    requirements(optionalTable[e], `project.optional-dependencies.${quotedKey(e)}`),
  ]));
  const extrasUsed: string[] = [];
  const extrasMissing: string[] = [];
  for (const e of options.extras) {
    const found = extraKey.get(normalizeName(e));
    if (found === undefined) extrasMissing.push(e);
    else if (!extrasUsed.includes(found)) extrasUsed.push(found);
  }
  // An extra may name the project itself with other extras: expand those instead.
  const expand = (extra: string, marker: string | undefined, seen: Set<string>): Requirement[] => {
    if (seen.has(extra)) return [];
    seen.add(extra);
    return (extraReqs.get(extra) ?? []).flatMap((r) => {
      const m = andMarkers(marker, r.marker);
      if (normalized === null || r.normalized !== normalized || r.url) {
        return [{ ...r, ...(m ? { marker: m } : {}) }];
      }
      return r.extras.flatMap((x) => {
        const key = extraKey.get(normalizeName(x));
        return key === undefined ? [] : expand(key, m, seen);
      });
    });
  };
  const seenExtras = new Set<string>();
  const optional = dedupe(extrasUsed.flatMap((e) => expand(e, undefined, seenExtras)));

  // Dependency groups (PEP 735).
  const rawGroups = table(doc["dependency-groups"], "dependency-groups");
  const groupKey = new Map(Object.keys(rawGroups).map((k) => [normalizeName(k), k]));
  const resolveGroup = (group: string, chain: string[]): Requirement[] => {
    const key = groupKey.get(normalizeName(group));
    if (key === undefined) {
      throw new PyprojectError(
        `dependency-groups.${quotedKey(chain.at(-1)!)}: no group "${group}" to include`,
      );
    }
    if (chain.includes(key)) {
      throw new PyprojectError(
        `dependency-groups: ${[...chain, key].join(" -> ")} includes itself`,
      );
    }
    const where = `dependency-groups.${quotedKey(key)}`;
    const items = rawGroups[key];
    if (!Array.isArray(items)) throw new PyprojectError(`${where} must be an array`);
    return items.flatMap((item, i) => {
      if (typeof item === "string") {
        try {
          return [parseRequirement(item)];
        } catch (error) {
          throw new PyprojectError(`${where}[${i}]: ${(error as Error).message}`);
        }
      }
      if (isTable(item) && typeof item["include-group"] === "string") {
        return resolveGroup(item["include-group"], [...chain, key]);
      }
      throw new PyprojectError(
        `${where}[${i}]: expected a requirement string or {include-group = "..."}`,
      );
    });
  };
  const groups: Record<string, Requirement[]> = {};
  for (const key of Object.keys(rawGroups)) groups[key] = dedupe(resolveGroup(key, []));

  // Build system (PEP 517/518).
  const build = doc["build-system"] === undefined
    ? undefined
    : table(doc["build-system"], "build-system");
  const buildRequires = build
    ? strings(build.requires, "build-system.requires")
    : ["setuptools>=40.8.0", "wheel"];
  const buildBackend = optionalString(build?.["build-backend"], "build-system.build-backend");

  return {
    name,
    normalized,
    ...(version !== undefined ? { version } : {}),
    ...(requiresPython !== undefined ? { requiresPython } : {}),
    dependencies,
    extrasAvailable,
    extrasUsed,
    extrasMissing,
    optional,
    groups,
    dynamic,
    ...(buildBackend !== undefined ? { buildBackend } : {}),
    buildRequires,
  };
}
