/**
 * The shapes that every importer returns.
 *
 * @module
 */

/** The manifest formats that wrknv can read. */
export type ManifestFormat =
  | "repos"
  | "gitmodules"
  | "gita"
  | "mani"
  | "meta"
  | "west"
  | "repo";

/** A sibling as another tool's manifest declares it. */
export interface ImportedSibling {
  /** A safe sibling name, from the last component of the path or URL (or the tool's own name). */
  name: string;
  /** Clone URL, relative URLs resolved where a base URL was given. */
  repo: string;
  /** Path as written in the manifest (see {@link ImportResult.topDir} for what it is relative to). */
  path?: string;
  /** Branch, tag or commit. */
  revision?: string;
  /** Groups or tags. */
  groups?: string[];
  /** Shallow clone depth the manifest asks for (repo's `clone-depth`, west's `clone-depth`). */
  depth?: number;
  /** Where the manifest declares it, for messages: `west.yml:40: projects[12] (hal_nordic)`. */
  at?: string;
}

/** What an import found. */
export interface ImportResult {
  /** The format detected (or forced). */
  format: ManifestFormat;
  /** The siblings, in the manifest's order. */
  siblings: ImportedSibling[];
  /** Entries skipped, values kept as written, names changed: one line each. */
  warnings: string[];
  /**
   * The directory that the siblings' paths are relative to, as a path
   * relative to the manifest's directory; absent when that is the manifest's
   * directory itself. west and repo write paths relative to the workspace's
   * top directory, which holds the manifest repository: `..` when the
   * manifest repository sits directly in it.
   */
  topDir?: string;
  /**
   * Groups whose siblings the tool leaves out by default (west's
   * `group-filter: [-NAME]`, repo's `notdefault`), for `inactive_groups`.
   */
  inactiveGroups?: string[];
  /** True for a file written by `wrknv export`: its paths are relative to the workspace root. */
  rootRelative?: boolean;
}

/** Options for `importManifest`. */
export interface ImportOptions {
  /**
   * The URL of the repository that holds the manifest (a superproject's
   * origin, a repo manifest repository), for relative URLs.
   */
  baseUrl?: string;
  /** Read the file as this format instead of detecting it. */
  format?: ManifestFormat;
  /**
   * Read a file the manifest refers to (repo's `<include name>`, west's
   * `self: import:`), by the name it gives; undefined when there is none.
   * Without it such references are reported as not read.
   */
  readFile?: (name: string) => string | undefined;
  /** For a west `import:` of a directory: the `.yml` files in it, by name. */
  listDir?: (name: string) => string[] | undefined;
}
