/**
 * The resolved, typed workspace that every operation works on.
 *
 * @module
 */

/** Which tool creates the venv and installs packages. */
export type Installer = "auto" | "uv" | "pip";

/** One sibling repository, resolved: absolute path, defaults filled in. */
export interface Sibling {
  /** Unique name; also the default directory name under the root. */
  name: string;
  /** Clone URL, as written in wrknv.toml (relative local paths made absolute). */
  repo: string;
  /** Absolute path of the sibling's working tree. */
  path: string;
  /** Branch, tag or commit to check out, when set. */
  revision?: string;
  /** Shallow clone depth, when set. */
  depth?: number;
  /** Layer name, when set (one of `Workspace.layers`). */
  layer?: string;
  /** Names of siblings that must be installed first (declared, not discovered). */
  dependsOn: string[];
  /** Group names, for `--group` selection. */
  groups: string[];
  /** False for a non-Python sibling. */
  install: boolean;
  /** Import names that override the ones discovered from the package layout. */
  imports?: string[];
  /** Position in the file, 0-based; ties in ordering break by it. */
  index: number;
  /**
   * The sibling whose working tree holds this one (the nearest), when it is
   * nested: cloned first, and told to ignore this one.
   */
  within?: string;
}

/** The `[workspace.python]` table, resolved. */
export interface PythonSettings {
  /** PEP 440 specifier set such as `>=3.11`. */
  version: string;
  /** Absolute path of the shared venv. */
  venv: string;
  /** Which installer to use. */
  installer: Installer;
  /** Default extras. */
  extras: string[];
}

/** The `[workspace.hooks]` table. */
export interface Hooks {
  /** Shell commands run before installing. */
  preInstall: string[];
  /** Shell commands run after installing. */
  postInstall: string[];
}

/** A loaded, validated and resolved wrknv.toml. */
export interface Workspace {
  /** Workspace name. */
  name: string;
  /** Absolute path of wrknv.toml. */
  configPath: string;
  /** Absolute path of the directory holding wrknv.toml (the meta-repository). */
  configDir: string;
  /** Absolute path of the root that siblings live under. */
  root: string;
  /** Layer names, bottom-up; empty when not used. */
  layers: string[];
  /**
   * Groups whose siblings are left out unless a selection asks for them
   * (`--group NAME`, `--all`); a sibling in any of them is inactive.
   */
  inactiveGroups: string[];
  /** Python settings. */
  python: PythonSettings;
  /** Hooks. */
  hooks: Hooks;
  /** Siblings in file order. */
  siblings: Sibling[];
}
