/**
 * The workspace's siblings read as Python projects, for setup, validate and
 * graph alike: what each one is (`loadProject`), the backend metadata that
 * setup cached for `setup.py` and dynamic dependencies, and which sibling
 * owns which distribution name.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { surelyAbsent } from "../fs.ts";
import type { Sibling, Workspace } from "../config/types.ts";
import { readUserState, writeUserState } from "../config/user_state.ts";
import { normalizeName } from "../python/pep.ts";
import {
  type LoadedProject,
  loadProject,
  metadataFromCore,
  type ProjectFiles,
} from "../python/metadata.ts";

/** A sibling and what its directory holds (null for `install = false`). */
export interface SiblingProject {
  /** The sibling. */
  sibling: Sibling;
  /** What is there; null when the sibling is not to be installed. */
  project: LoadedProject | null;
}

/**
 * Backend metadata setup cached, by sibling. It lives in the user's state
 * directory (keyed by the workspace), not in `.wrknv/`: a record committed
 * there by someone else would be believed.
 */
export interface MetadataCache {
  /** By sibling name: the key (files and Python) and the METADATA text. */
  entries: Record<string, { key: string; metadata: string }>;
}

/** Read the metadata cache; empty when there is none. */
export async function readMetadataCache(ws: Pick<Workspace, "configPath">): Promise<MetadataCache> {
  const doc = await readUserState("metadata", ws.configPath);
  return doc && typeof doc.entries === "object" && doc.entries !== null
    ? { entries: doc.entries as MetadataCache["entries"] }
    : { entries: {} };
}

/** Write the metadata cache. */
export async function writeMetadataCache(
  ws: Pick<Workspace, "configPath">,
  cache: MetadataCache,
): Promise<void> {
  await writeUserState("metadata", ws.configPath, { entries: cache.entries });
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The key under which a sibling's backend metadata is cached: its files and the Python. */
export function metadataKey(files: ProjectFiles, python: string): Promise<string> {
  return sha256(`${python}\0${JSON.stringify([files.pyproject, files.setupCfg, files.setupPy])}`);
}

/**
 * Read every sibling of `siblings`. Where setup cached backend metadata for
 * the same files (any Python, unless `python` is given), it replaces what
 * the files alone could say.
 */
export async function readSiblingProjects(
  ws: Workspace,
  siblings: readonly Sibling[],
  options: { python?: string } = {},
): Promise<SiblingProject[]> {
  const cache = await readMetadataCache(ws);
  const absent = await surelyAbsent(siblings.map((s) => s.path));
  return await Promise.all(siblings.map(async (sibling) => {
    if (!sibling.install) return { sibling, project: null };
    if (absent.has(sibling.path)) return { sibling, project: { kind: "absent" } };
    const project = await loadProject(sibling.path, { extras: ws.python.extras });
    const hit = cache.entries[sibling.name];
    if (project.kind === "ok" && project.metadata.needsBackend && hit) {
      const fresh = options.python === undefined
        ? true
        : hit.key === await metadataKey(project.files, options.python);
      if (fresh) {
        project.metadata = metadataFromCore(project.metadata, hit.metadata, {
          extras: ws.python.extras,
        });
      }
    }
    return { sibling, project };
  }));
}

/**
 * Which sibling each distribution name (PEP 503 normalized) means: its
 * project's name, or for a sibling that is not on disk or has no name, its
 * own name.
 *
 * @throws {ConfigError} naming both siblings when two have one distribution name
 */
export function distributionOwners(projects: readonly SiblingProject[]): Map<string, Sibling> {
  const owners = new Map<string, Sibling>();
  for (const { sibling, project } of projects) {
    if (project?.kind !== "ok" || !project.metadata.normalized) continue;
    const had = owners.get(project.metadata.normalized);
    if (had && had.name !== sibling.name) {
      throw new ConfigError(
        `siblings "${had.name}" and "${sibling.name}" are both the distribution "${project.metadata.name}" (${had.path} and ${sibling.path}); rename one of the projects, or set install = false on one`,
      );
    }
    owners.set(project.metadata.normalized, sibling);
  }
  const owning = new Set(owners.values());
  for (const { sibling } of projects) {
    const own = normalizeName(sibling.name);
    if (!owning.has(sibling) && !owners.has(own)) owners.set(own, sibling);
  }
  return owners;
}
