/**
 * Write wrknv.toml text: readable, commented, in a stable key order. Used by
 * `wrknv init` (the whole file) and `wrknv add` (one sibling).
 *
 * @module
 */
import { SCHEMA_URL } from "../version.ts";
import type { Installer } from "./types.ts";

/** A sibling as written in wrknv.toml (paths relative, as the user gave them). */
export interface SiblingSpec {
  /** Unique name. */
  name: string;
  /** Clone URL. */
  repo: string;
  /** Path relative to the directory holding wrknv.toml; omitted when it is `<root>/<name>`. */
  path?: string;
  /** Branch, tag or commit. */
  revision?: string;
  /** Shallow clone depth. */
  depth?: number;
  /** Layer name. */
  layer?: string;
  /** Extra ordering. */
  dependsOn?: string[];
  /** Groups. */
  groups?: string[];
  /** False for a non-Python sibling. */
  install?: boolean;
}

/** Everything `wrknv init` writes. */
export interface ConfigSpec {
  /** Workspace name. */
  name: string;
  /** Root, relative to the file. */
  root: string;
  /** Layers, bottom-up (may be empty). */
  layers: string[];
  /** Groups off by default (may be empty or absent). */
  inactiveGroups?: string[];
  /** Python settings as written. */
  python: { version: string; venv: string; installer: Installer; extras: string[] };
  /** Siblings, in the order to write them. */
  siblings: SiblingSpec[];
}

/** A TOML basic string. */
export function tomlString(s: string): string {
  // JSON string escapes are valid TOML basic-string escapes, except \/ (never produced).
  return JSON.stringify(s);
}

/** A TOML array of strings on one line. */
export function tomlStrings(xs: readonly string[]): string {
  return `[${xs.map(tomlString).join(", ")}]`;
}

function line(key: string, value: string, comment?: string): string {
  const kv = `${key} = ${value}`;
  return comment ? `${kv.padEnd(32)} # ${comment}\n` : `${kv}\n`;
}

/** One `[[siblings]]` table, with a blank line before it. */
export function renderSibling(s: SiblingSpec): string {
  let out = `\n[[siblings]]\n${line("name", tomlString(s.name))}${
    line("repo", tomlString(s.repo))
  }`;
  if (s.path !== undefined) out += line("path", tomlString(s.path));
  if (s.revision !== undefined) out += line("revision", tomlString(s.revision));
  if (s.depth !== undefined) out += line("depth", String(s.depth));
  if (s.layer !== undefined) out += line("layer", tomlString(s.layer));
  if (s.dependsOn?.length) out += line("depends_on", tomlStrings(s.dependsOn));
  if (s.groups?.length) out += line("groups", tomlStrings(s.groups));
  if (s.install === false) out += line("install", "false", "not a Python package");
  return out;
}

/** The whole wrknv.toml for `wrknv init`. */
export function renderConfig(spec: ConfigSpec): string {
  let out = `#:schema ${SCHEMA_URL}\n` +
    "# A wrknv workspace: `wrknv up` clones the siblings below, installs them into one\n" +
    "# shared virtual environment in dependency order, and checks that they all import.\n" +
    "# Every key: `wrknv schema`. Every command: `wrknv --help`.\n\n" +
    "[workspace]\n" +
    line("name", tomlString(spec.name)) +
    line("root", tomlString(spec.root), "where siblings live, relative to this file");
  if (spec.layers.length) {
    out += line(
      "layers",
      tomlStrings(spec.layers),
      "bottom-up: no layer may depend on a higher one",
    );
  }
  if (spec.inactiveGroups?.length) {
    out += line(
      "inactive_groups",
      tomlStrings(spec.inactiveGroups),
      "left out unless asked for: --group +NAME",
    );
  }
  out += "\n[workspace.python]\n" +
    line("version", tomlString(spec.python.version), "the shared Python must satisfy this") +
    line("venv", tomlString(spec.python.venv), "the one shared environment") +
    line("installer", tomlString(spec.python.installer), "auto: uv when on PATH, else pip") +
    line("extras", tomlStrings(spec.python.extras), "installed where a sibling has them");
  out += "\n# Shell commands run by `wrknv setup`, only once you have run `wrknv trust`:\n" +
    '# [workspace.hooks]\n# post_install = ["pre-commit install"]\n';
  for (const s of spec.siblings) out += renderSibling(s);
  return out;
}
