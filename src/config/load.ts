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
import { CONFIG_FILE, displayPath, isInside } from "./paths.ts";

export { CONFIG_FILE, displayPath, isInside };
import { configSchema, type RawConfig } from "./schema.ts";
import { formatKeyPath, type KeyPath, locateKey } from "./locate.ts";
import { didYouMean } from "./suggest.ts";
import { checkRepoUrl } from "./url.ts";
import type { Sibling, Workspace } from "./types.ts";
import { parseSpecifierSet } from "../python/pep.ts";

/** Where a config problem is, for the one-line message. */
interface Where {
  /** The file as shown to the user. */
  file: string;
  /** The file's text, to find lines in. */
  text: string;
}

function fail(where: Where, path: KeyPath, message: string, line?: number): never {
  const at = line ?? (path.length ? locateKey(where.text, path) : undefined);
  const loc = at ? `${where.file}:${at}` : where.file;
  const key = path.length ? `${formatKeyPath(path)}: ` : "";
  throw new ConfigError(`${loc}: ${key}${message}`);
}

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

function schemaError(where: Where, data: unknown, issue: z.core.$ZodIssue): never {
  const path = issue.path as KeyPath;
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0];
      const hint = didYouMean(key, knownKeys(configSchema, path));
      const more = issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : "";
      return fail(where, [...path, key], `unknown key${hint}${more}`);
    }
    case "invalid_type": {
      const got = valueAt(data, path);
      if (got === undefined) return fail(where, path, "is required");
      const want = EXPECTED[issue.expected] ?? issue.expected;
      return fail(where, path, `expected ${want}, got ${describeValue(got)}`);
    }
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v)).join(", ");
      const got = valueAt(data, path);
      return fail(where, path, `expected one of ${options}, got ${JSON.stringify(got)}`);
    }
    default:
      return fail(where, path, issue.message.toLowerCase());
  }
}

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
      const what = error.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
      throw new ConfigError(`${where.file}:${error.line}:${error.column}: ${what}`);
    }
    throw new ConfigError(`${where.file}: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) schemaError(where, data, parsed.error.issues[0]);
  return resolveConfig(parsed.data, configPath, where);
}

function resolveConfig(raw: RawConfig, configPath: string, where: Where): Workspace {
  const configDir = dirname(configPath);
  const ws = raw.workspace;
  const name = ws.name ?? basename(configDir);
  if (ws.name !== undefined) checkName(where, ["workspace", "name"], ws.name, "name");

  const layers = ws.layers;
  layers.forEach((layer, i) => {
    checkName(where, ["workspace", "layers", i], layer, "layer");
    if (layers.indexOf(layer) !== i) {
      fail(where, ["workspace", "layers", i], `duplicate layer "${layer}"`);
    }
  });

  ws.inactive_groups.forEach((group, i) =>
    checkName(where, ["workspace", "inactive_groups", i], group, "group")
  );

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
  ws.python.extras.forEach((extra, i) => {
    if (!/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(extra)) {
      fail(
        where,
        ["workspace", "python", "extras", i],
        `invalid extra name ${JSON.stringify(extra)}`,
      );
    }
  });
  for (const key of ["pre_install", "post_install"] as const) {
    ws.hooks[key].forEach((cmd, i) => {
      if (cmd.trim() === "") fail(where, ["workspace", "hooks", key, i], "empty command");
    });
  }

  // A newline in root or venv would reach every sibling's path, and files made from them.
  for (const [key, value] of [["root", ws.root], ["venv", ws.python.venv]] as const) {
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x1f\x7f]/.test(value)) {
      const at: KeyPath = key === "root" ? ["workspace", "root"] : ["workspace", "python", "venv"];
      fail(where, at, `invalid path ${JSON.stringify(value)}`);
    }
  }
  const root = resolve(configDir, ws.root);
  const venv = resolve(configDir, ws.python.venv);

  const names = new Map<string, number>();
  const siblings: Sibling[] = raw.siblings.map((s, index) => {
    const at = (key: string): KeyPath => ["siblings", index, key];
    checkName(where, at("name"), s.name, "name");
    const seen = names.get(s.name);
    if (seen !== undefined) {
      fail(where, at("name"), `duplicate sibling name "${s.name}" (also siblings[${seen}])`);
    }
    names.set(s.name, index);

    const url = checkRepoUrl(s.repo);
    if ("error" in url) fail(where, at("repo"), `repository URL ${url.error}`);
    const repo = url.transport === "local" ? resolve(configDir, s.repo) : s.repo;

    if (s.revision !== undefined) {
      if (
        s.revision === "" || s.revision.startsWith("-") ||
        // deno-lint-ignore no-control-regex
        /[\s\x00-\x1f\x7f~^:?*[\\]/.test(s.revision) || s.revision.includes("..")
      ) {
        fail(where, at("revision"), `invalid revision ${JSON.stringify(s.revision)}`);
      }
    }
    if (s.layer !== undefined && !layers.includes(s.layer)) {
      const hint = didYouMean(s.layer, layers);
      fail(
        where,
        at("layer"),
        layers.length
          ? `unknown layer "${s.layer}"${hint}; workspace.layers has ${
            layers.map((l) => `"${l}"`).join(", ")
          }`
          : `layer "${s.layer}" is set but workspace.layers is empty`,
      );
    }
    s.groups.forEach((g, i) => checkName(where, ["siblings", index, "groups", i], g, "group"));
    if (s.path !== undefined) {
      // deno-lint-ignore no-control-regex
      if (s.path.trim() === "" || /[\x00-\x1f\x7f]/.test(s.path)) {
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
  });

  // Two siblings never share a path. One may lie inside another (west and
  // repo allow it: zephyr/modules/x inside zephyr): it is its own repository,
  // cloned after the outer one. Its nearest enclosing sibling is found by
  // walking up its parents, so neighbours in sort order are not enough
  // (`zephyr-lang-rust` sorts between `zephyr` and `zephyr/modules`).
  const byPath = new Map<string, Sibling>();
  for (const s of siblings) {
    const first = byPath.get(s.path);
    if (first) {
      fail(
        where,
        ["siblings", s.index, "path"],
        `"${s.name}" has the same path as "${first.name}" (siblings[${first.index}])`,
      );
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
        fail(
          where,
          ["siblings", s.index, raw.siblings[s.index].path !== undefined ? "path" : "name"],
          `"${s.name}" lies inside the .git directory of "${outer.name}" (siblings[${outer.index}])`,
        );
      }
      s.within = outer.name;
      break;
    }
  }
  if (siblings.some((s) => isInside(venv, s.path))) {
    const s = siblings.find((s) => isInside(venv, s.path))!;
    fail(
      where,
      ["workspace", "python", "venv"],
      `venv "${ws.python.venv}" lies inside sibling "${s.name}"`,
    );
  }

  for (const s of siblings) {
    s.dependsOn.forEach((dep, i) => {
      if (!names.has(dep)) {
        fail(
          where,
          ["siblings", s.index, "depends_on", i],
          `unknown sibling "${dep}"${didYouMean(dep, names.keys())}`,
        );
      }
      if (dep === s.name) {
        fail(where, ["siblings", s.index, "depends_on", i], `"${dep}" depends on itself`);
      }
    });
  }
  const cycle = findCycle(siblings);
  if (cycle) {
    const first = siblings.find((s) => s.name === cycle[0])!;
    fail(where, ["siblings", first.index, "depends_on"], `dependency cycle: ${cycle.join(" -> ")}`);
  }

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
