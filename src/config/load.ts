/**
 * Find, parse, validate and resolve wrknv.toml into a {@link Workspace}.
 *
 * Order of checks: TOML syntax (file:line:column), then the schema (key path,
 * with the nearest known key for a typo), then the meaning (names, paths, URLs,
 * dependencies, layers, the Python specifier). The first error found is
 * reported as one line; nothing is ever written.
 *
 * @module
 */
import { nameProblem } from "./names.ts";
import { parse, TomlError } from "smol-toml";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { CONFIG_FILE, displayPath, isInside, venvPlacementProblem } from "./paths.ts";

export { CONFIG_FILE, displayPath, isInside };
import { configSchema, type RawConfig } from "./schema.ts";
import { formatKeyPath, type KeyPath, locateKey } from "./locate.ts";
import { didYouMean } from "./suggest.ts";
import { checkRepoUrl } from "./url.ts";
import type { Sibling, Workspace } from "./types.ts";
import { parseSpecifierSet } from "../python/pep.ts";
import { hidingCharacter } from "../text.ts";

/** Where a config problem is, for the one-line message. */
interface Where {
  /** The file as shown to the user. */
  file: string;
  /** The file's text, to find lines in. */
  text: string;
}

/** The one-line text of a problem: `file:line: key.path: message`. */
function problem(where: Where, path: KeyPath, message: string, line?: number): string {
  const at = line ?? (path.length ? locateKey(where.text, path) : undefined);
  const loc = at ? `${where.file}:${at}` : where.file;
  const key = path.length ? `${formatKeyPath(path)}: ` : "";
  return `${loc}: ${key}${message}`;
}

function fail(where: Where, path: KeyPath, message: string, line?: number): never {
  throw new ConfigError(problem(where, path, message, line));
}

/** At most this many problems are reported from one file. */
const MAX_PROBLEMS = 20;

/** The line a problem names (`file:12: ...`), for sorting; files without one first. */
function lineOf(text: string): number {
  return Number(/^[^:]*:(\d+)[:]/.exec(text)?.[1] ?? 0);
}

/** Throw the problems found, sorted by line, as one ConfigError (the first is its message). */
function throwAll(problems: string[]): void {
  if (problems.length === 0) return;
  const sorted = [...new Set(problems)].sort((a, b) => lineOf(a) - lineOf(b));
  const shown = sorted.slice(0, MAX_PROBLEMS);
  if (sorted.length > shown.length) {
    shown.push(`(and ${sorted.length - shown.length} more problems in the same file)`);
  }
  throw new ConfigError(shown[0], { problems: shown });
}

/**
 * Run `check`; a ConfigError it throws is added to `problems` instead of
 * ending the load, so that independent checks all report.
 */
function collect(problems: string[], check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Reported) return;
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
}

/** Thrown where the problems are already collected: stop this unit, add nothing. */
class Reported extends Error {}

/** Keys people write for a key wrknv names otherwise (other tools' words). */
const SYNONYMS: Record<string, string> = {
  url: "repo",
  uri: "repo",
  git: "repo",
  remote: "repo",
  repository: "repo",
  branch: "revision",
  version: "revision",
  rev: "revision",
  ref: "revision",
  dir: "path",
  directory: "path",
  "local-name": "path",
  depends: "depends_on",
  deps: "depends_on",
  group: "groups",
};

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
    case "bigint":
      return Number.isInteger(value) ? "an integer" : "a float";
    case "boolean":
      return "a boolean";
    case "object":
      return "a table";
    default:
      return typeof value;
  }
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  boolean: "a boolean (true or false)",
  array: "an array",
  object: "a table",
  number: "a number",
};

function valueAt(root: unknown, path: KeyPath): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

function knownKeys(shape: z.ZodType, path: KeyPath): string[] {
  // Walk the schema along the path to list the keys allowed at that point.
  // deno-lint-ignore no-explicit-any
  let cur: any = shape;
  const unwrap = () => {
    while (cur?.def && ["default", "optional", "nullable", "pipe"].includes(cur.def.type)) {
      cur = cur.def.innerType ?? cur.def.in;
    }
  };
  unwrap();
  for (const part of path) {
    if (typeof part === "number") cur = cur?.def?.element;
    else cur = cur?.def?.shape?.[part];
    unwrap();
  }
  return cur?.def?.shape ? Object.keys(cur.def.shape) : [];
}

/**
 * A copy of `data` without the keys the schema does not know, a synonym's
 * value moved to the key it stands for where that key is missing (`url` to
 * `repo`), so the rest of the file can still be checked.
 */
function withoutUnknownKeys(data: unknown, issues: z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(data);
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const at = valueAt(copy, issue.path as KeyPath);
    if (!at || typeof at !== "object") continue;
    const table = at as Record<string, unknown>;
    for (const key of issue.keys) {
      const meant = SYNONYMS[key.toLowerCase()];
      const known = knownKeys(configSchema, issue.path as KeyPath);
      if (meant && known.includes(meant) && !(meant in table)) table[meant] = table[key];
      delete table[key];
    }
  }
  return copy;
}

/** The nearest known key to `key` at `path`: a synonym (`url` for `repo`), else by spelling. */
function suggestKey(key: string, path: KeyPath): string {
  const known = knownKeys(configSchema, path);
  const synonym = SYNONYMS[key.toLowerCase()];
  if (synonym && known.includes(synonym)) return ` (did you mean "${synonym}"?)`;
  return didYouMean(key, known);
}

/**
 * Every schema issue as a problem. A required key that is missing where an
 * unknown key suggests it (`url =` for `repo =`) is one problem, told at the
 * unknown key, not two.
 */
function schemaProblems(where: Where, data: unknown, issues: z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const path = issue.path as KeyPath;
    for (const key of issue.keys) {
      const hint = suggestKey(key, path);
      const m = /did you mean "([^"]+)"/.exec(hint);
      if (m) suggested.add(formatKeyPath([...path, m[1]]));
      out.push(problem(where, [...path, key], `unknown key${hint}`));
    }
  }
  for (const issue of issues) {
    const path = issue.path as KeyPath;
    switch (issue.code) {
      case "unrecognized_keys":
        break;
      case "invalid_type": {
        const got = valueAt(data, path);
        if (got === undefined) {
          if (!suggested.has(formatKeyPath(path))) out.push(problem(where, path, "is required"));
          break;
        }
        const want = EXPECTED[issue.expected] ?? issue.expected;
        out.push(problem(where, path, `expected ${want}, got ${describeValue(got)}`));
        break;
      }
      case "invalid_value": {
        const options = issue.values.map((v) => JSON.stringify(v)).join(", ");
        const got = valueAt(data, path);
        out.push(problem(where, path, `expected one of ${options}, got ${JSON.stringify(got)}`));
        break;
      }
      default:
        out.push(problem(where, path, issue.message.toLowerCase()));
    }
  }
  return out;
}

const IMPORT_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function checkName(where: Where, path: KeyPath, name: string, what: string): void {
  const problem = nameProblem(name, what);
  if (problem) fail(where, path, problem);
}

function findCycle(siblings: readonly { name: string; dependsOn: string[] }[]): string[] | null {
  const deps = new Map(siblings.map((s) => [s.name, s.dependsOn]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    state.set(name, 1);
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      if (state.get(dep) === 1) return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 2);
    return null;
  };
  for (const s of siblings) {
    if (!state.has(s.name)) {
      const found = visit(s.name);
      if (found) return found;
    }
  }
  return null;
}

/** Options for {@link parseConfig}. */
export interface ParseOptions {
  /** How the file is named in messages; default: its base name. */
  displayName?: string;
}

/**
 * Parse and validate the text of a wrknv.toml found at `configPath` (absolute)
 * and resolve it into a workspace. Pure: it reads nothing from disk.
 *
 * @throws {ConfigError} naming the file, and the line or key path, of the first problem
 */
export function parseConfig(
  text: string,
  configPath: string,
  options: ParseOptions = {},
): Workspace {
  const where: Where = { file: options.displayName ?? basename(configPath), text };
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      let what = error.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
      // A string whose closing quote is missing runs into the line's end,
      // which the parser calls a control character.
      const line = text.split("\n")[error.line - 1] ?? "";
      if (/control character/.test(what) && /^[^#]*=\s*(["'])[^"']*$/.test(line)) {
        what = "unterminated string: the closing quote is missing";
      }
      throw new ConfigError(`${where.file}:${error.line}:${error.column}: ${what}`);
    }
    throw new ConfigError(`${where.file}: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const found = schemaProblems(where, data, parsed.error.issues);
    // Unknown keys alone do not hide the other problems: check the file without them too.
    const again = configSchema.safeParse(withoutUnknownKeys(data, parsed.error.issues));
    if (again.success) collect(found, () => resolveConfig(again.data, configPath, where));
    throwAll(found);
    throw new ConfigError(`${where.file}: does not match the schema`); // (never reached: there is an issue)
  }
  return resolveConfig(parsed.data, configPath, where);
}

function resolveConfig(raw: RawConfig, configPath: string, where: Where): Workspace {
  const configDir = dirname(configPath);
  const ws = raw.workspace;
  const name = ws.name ?? basename(configDir);
  // Every check that does not depend on another reports: a file with three
  // mistakes shows all three in one run (up to MAX_PROBLEMS, sorted by line).
  const problems: string[] = [];
  const check = (fn: () => void) => collect(problems, fn);
  if (ws.name !== undefined) check(() => checkName(where, ["workspace", "name"], ws.name!, "name"));

  const layers = ws.layers;
  layers.forEach((layer, i) =>
    check(() => {
      checkName(where, ["workspace", "layers", i], layer, "layer");
      if (layers.indexOf(layer) !== i) {
        fail(where, ["workspace", "layers", i], `duplicate layer "${layer}"`);
      }
    })
  );

  ws.inactive_groups.forEach((group, i) =>
    check(() => checkName(where, ["workspace", "inactive_groups", i], group, "group"))
  );

  check(() => {
    try {
      parseSpecifierSet(ws.python.version);
    } catch (error) {
      fail(
        where,
        ["workspace", "python", "version"],
        `invalid Python version specifier ${JSON.stringify(ws.python.version)}: ${
          (error as Error).message
        }`,
      );
    }
  });
  ws.python.extras.forEach((extra, i) =>
    check(() => {
      if (!/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(extra)) {
        fail(
          where,
          ["workspace", "python", "extras", i],
          `invalid extra name ${JSON.stringify(extra)}`,
        );
      }
    })
  );
  for (const key of ["pre_install", "post_install"] as const) {
    ws.hooks[key].forEach((cmd, i) =>
      check(() => {
        if (cmd.trim() === "") fail(where, ["workspace", "hooks", key, i], "empty command");
        // `wrknv trust` shows hooks to be approved: a carriage return or an escape
        // sequence could show a harmless command in place of the one that runs.
        const hidden = hidingCharacter(cmd);
        if (hidden) {
          fail(
            where,
            ["workspace", "hooks", key, i],
            `hook holds a control character (${hidden}), which could hide what it runs; write it on one line without one`,
          );
        }
      })
    );
  }

  // A newline in root or venv would reach every sibling's path, and files made from them.
  for (const [key, value] of [["root", ws.root], ["venv", ws.python.venv]] as const) {
    if (hidingCharacter(value)) {
      const at: KeyPath = key === "root" ? ["workspace", "root"] : ["workspace", "python", "venv"];
      check(() => fail(where, at, `invalid path ${JSON.stringify(value)}`));
    }
  }
  // Paths made from a broken root or venv would only repeat the problem.
  if (problems.some((p) => /workspace\.(root|python\.venv):/.test(p))) throwAll(problems);
  const root = resolve(configDir, ws.root);
  const venv = resolve(configDir, ws.python.venv);

  const names = new Map<string, number>();
  const allNames = new Set(raw.siblings.map((s) => s.name));
  const resolved = raw.siblings.map((s, index): Sibling | null => {
    let made: Sibling | null = null;
    check(() => made = resolveSibling(s, index));
    return made;
  });
  function resolveSibling(s: RawConfig["siblings"][number], index: number): Sibling {
    const at = (key: string): KeyPath => ["siblings", index, key];
    // Each field is checked on its own, so a sibling with two mistakes shows both.
    const before = problems.length;
    check(() => {
      checkName(where, at("name"), s.name, "name");
      const seen = names.get(s.name);
      if (seen !== undefined) {
        fail(where, at("name"), `duplicate sibling name "${s.name}" (also siblings[${seen}])`);
      }
      names.set(s.name, index);
    });

    const url = checkRepoUrl(s.repo);
    if ("error" in url) check(() => fail(where, at("repo"), `repository URL ${url.error}`));
    const repo = "transport" in url && url.transport === "local"
      ? resolve(configDir, s.repo)
      : s.repo;

    check(() => {
      if (s.revision === undefined) return;
      if (
        s.revision === "" || s.revision.startsWith("-") || hidingCharacter(s.revision) ||
        /[\s~^:?*[\\]/.test(s.revision) || s.revision.includes("..")
      ) {
        fail(where, at("revision"), `invalid revision ${JSON.stringify(s.revision)}`);
      }
    });
    if (s.layer !== undefined && !layers.includes(s.layer)) {
      const hint = didYouMean(s.layer, layers);
      check(() =>
        fail(
          where,
          at("layer"),
          layers.length
            ? `unknown layer "${s.layer}"${hint}; workspace.layers has ${
              layers.map((l) => `"${l}"`).join(", ")
            }`
            : `layer "${s.layer}" is set but workspace.layers is empty`,
        )
      );
    }
    s.groups.forEach((g, i) =>
      check(() => checkName(where, ["siblings", index, "groups", i], g, "group"))
    );
    s.import?.forEach((name, i) =>
      check(() => {
        // Import names reach a suggested command (`python -c "import NAME"`).
        if (!IMPORT_NAME.test(name)) {
          fail(
            where,
            ["siblings", index, "import", i],
            `invalid import name ${
              JSON.stringify(name)
            } (expected a dotted Python name such as pkg.sub)`,
          );
        }
      })
    );
    if (problems.length > before) throw new Reported();
    if (s.path !== undefined) {
      if (s.path.trim() === "" || hidingCharacter(s.path)) {
        fail(where, at("path"), `invalid path ${JSON.stringify(s.path)}`);
      }
    }
    const path = s.path !== undefined ? resolve(configDir, s.path) : join(root, s.name);
    const shown = s.path ?? join(ws.root, s.name);
    if (!isInside(path, root)) {
      fail(
        where,
        at(s.path !== undefined ? "path" : "name"),
        `path "${shown}" is outside the workspace root "${ws.root}"`,
      );
    }
    if (path === root) fail(where, at("path"), `path "${shown}" is the workspace root itself`);
    if (isInside(configDir, path)) {
      fail(
        where,
        at(s.path !== undefined ? "path" : "name"),
        path === configDir
          ? `path "${shown}" is the directory holding ${basename(configPath)}`
          : `path "${shown}" holds the directory of ${basename(configPath)}`,
      );
    }
    return {
      name: s.name,
      repo,
      path,
      revision: s.revision,
      ...(s.depth !== undefined ? { depth: s.depth } : {}),
      layer: s.layer,
      dependsOn: s.depends_on,
      groups: s.groups,
      install: s.install,
      imports: s.import,
      index,
    };
  }
  const siblings = resolved.filter((s): s is Sibling => s !== null);

  // Two siblings never share a path. One may lie inside another (west and
  // repo allow it: zephyr/modules/x inside zephyr): it is its own repository,
  // cloned after the outer one. Its nearest enclosing sibling is found by
  // walking up its parents, so neighbours in sort order are not enough
  // (`zephyr-lang-rust` sorts between `zephyr` and `zephyr/modules`).
  const byPath = new Map<string, Sibling>();
  for (const s of siblings) {
    const first = byPath.get(s.path);
    if (first) {
      check(() =>
        fail(
          where,
          ["siblings", s.index, "path"],
          `"${s.name}" has the same path as "${first.name}" (siblings[${first.index}])`,
        )
      );
      continue;
    }
    byPath.set(s.path, s);
  }
  for (const s of siblings) {
    for (
      let dir = dirname(s.path);
      dir !== dirname(dir) && isInside(dir, root);
      dir = dirname(dir)
    ) {
      const outer = byPath.get(dir);
      if (!outer) continue;
      const inGitDir = relative(outer.path, s.path).split(sep)[0].toLowerCase() === ".git";
      if (inGitDir) {
        check(() =>
          fail(
            where,
            ["siblings", s.index, raw.siblings[s.index].path !== undefined ? "path" : "name"],
            `"${s.name}" lies inside the .git directory of "${outer.name}" (siblings[${outer.index}])`,
          )
        );
      }
      s.within = outer.name;
      break;
    }
  }
  const venvProblem = venvPlacementProblem(venv, { root, configDir, siblings });
  if (venvProblem) {
    check(() =>
      fail(where, ["workspace", "python", "venv"], `venv "${ws.python.venv}" ${venvProblem}`)
    );
  }

  for (const s of siblings) {
    s.dependsOn.forEach((dep, i) =>
      check(() => {
        if (!allNames.has(dep)) {
          fail(
            where,
            ["siblings", s.index, "depends_on", i],
            `unknown sibling "${dep}"${didYouMean(dep, allNames)}`,
          );
        }
        if (dep === s.name) {
          fail(where, ["siblings", s.index, "depends_on", i], `"${dep}" depends on itself`);
        }
      })
    );
  }
  // A cycle is looked for once the names are right: a wrong name is not a cycle.
  if (problems.length === 0) {
    const cycle = findCycle(siblings);
    if (cycle) {
      const first = siblings.find((s) => s.name === cycle[0])!;
      check(() =>
        fail(
          where,
          ["siblings", first.index, "depends_on"],
          `dependency cycle: ${cycle.join(" -> ")}`,
        )
      );
    }
  }
  throwAll(problems);

  return {
    name,
    configPath,
    configDir,
    root,
    layers,
    inactiveGroups: ws.inactive_groups,
    python: {
      version: ws.python.version,
      venv,
      installer: ws.python.installer,
      extras: ws.python.extras,
    },
    hooks: { preInstall: ws.hooks.pre_install, postInstall: ws.hooks.post_install },
    siblings,
  };
}
