/**
 * Offline workspaces: `wrknv bundle OUT` writes everything a machine with no
 * network needs (git bundles of every sibling, a wheelhouse, wrknv.toml and a
 * lock), with a manifest of sha256 sums; `bootstrap --from OUT` and
 * `up --from OUT` verify it and bring the workspace up from it.
 *
 * @module
 */
import { basename, dirname, join, relative, resolve } from "node:path";
import { ConfigError, WrknvError } from "../errors.ts";
import type { Workspace } from "../config/types.ts";
import { formatLock, type LockEntry, parseLock } from "../config/lock.ts";
import * as git from "../git/mod.ts";
import { pool, run } from "../proc/mod.ts";
import { inspectVenv, venvPython } from "../python/venv.ts";
import { inspectEnvironment } from "../python/install.ts";
import { SYSTEM_WHEELS } from "./setup.ts";
import { type Selection, selectSiblings } from "./select.ts";
import { exists } from "../fs.ts";
import { sha256File } from "../hash.ts";

/** The manifest's file name inside a bundle. */
export const MANIFEST = "wrknv-bundle.json";

/** The manifest: what a bundle holds. */
export interface Manifest {
  /** Format version. */
  version: 1;
  /** The workspace's name. */
  workspace: string;
  /** When it was made. */
  created: string;
  /** Every file (relative path, forward slashes) with its size and sha256. */
  files: { path: string; size: number; sha256: string }[];
  /** What could not be included, in words. */
  missing: string[];
}

/** What `wrknv bundle` did. */
export interface BundleResult {
  /** The directory written. */
  out: string;
  /** The archive, with --archive. */
  archive?: string;
  /** The lock it holds. */
  lock: LockEntry[];
  /** Wheel files included. */
  wheels: string[];
  /** What could not be included. */
  missing: string[];
  /** Refs of each sibling that were left out (stashes, other branches, remote-tracking refs). */
  omitted: { sibling: string; refs: string[] }[];
  /** Bytes by part: repos, wheels, other. */
  sizes: { repos: number; wheels: number; other: number; total: number };
}

/** Every file under `dir` (relative, forward slashes), and every entry that is neither a file nor a directory. */
async function walkFiles(
  dir: string,
  rel = "",
  odd: string[] = [],
): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, rel))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await walkFiles(dir, r, odd));
    else if (e.isFile) out.push(r);
    else odd.push(r);
  }
  return out.sort();
}

/**
 * Pack an installed distribution back into a wheel from the files its RECORD
 * lists inside site-packages (console scripts are made again by the installer
 * from entry_points.txt). Returns the wheel's path, or null when the
 * distribution cannot be repacked.
 */
const REPACK = String.raw`
import base64, csv, hashlib, io, json, os, sys, zipfile
from importlib import metadata
out_dir, names = sys.argv[1], json.loads(sys.stdin.read())
done, failed = [], []
for name in names:
    try:
        d = metadata.distribution(name)
        info = str(d._path)
        site = os.path.dirname(info)
        infodir = os.path.basename(info)
        tag = "py3-none-any"
        wheel_meta = d.read_text("WHEEL") or ""
        for line in wheel_meta.splitlines():
            if line.startswith("Tag:"):
                tag = line.split(":", 1)[1].strip()
                break
        dist = d.metadata["Name"].replace("-", "_")
        fname = "%s-%s-%s.whl" % (dist, d.version, tag)
        path = os.path.join(out_dir, fname)
        records = []
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for f in d.files or []:
                rel = str(f).replace(os.sep, "/")
                if rel.startswith("../") or rel.startswith("/") or "__pycache__" in rel:
                    continue
                if rel in (infodir + "/RECORD", infodir + "/INSTALLER", infodir + "/REQUESTED", infodir + "/direct_url.json"):
                    continue
                full = os.path.join(site, rel)
                if not os.path.isfile(full):
                    continue
                data = open(full, "rb").read()
                z.writestr(rel, data)
                h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                records.append((rel, "sha256=" + h, str(len(data))))
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            for r in records:
                w.writerow(r)
            w.writerow((infodir + "/RECORD", "", ""))
            z.writestr(infodir + "/RECORD", buf.getvalue())
        done.append(fname)
    except Exception as e:
        failed.append("%s: %s" % (name, e))
print(json.dumps({"done": done, "failed": failed}))
`;

/**
 * What a sibling's git bundle holds: HEAD (the locked commit), the branch it
 * is on, the sibling's `revision` when that is a local branch or tag, and
 * the tags that point at HEAD. Never the stash, other local branches or
 * remote-tracking refs, which may hold what was never meant to leave the
 * machine (`git bundle --all` packed a stashed secret). Returns the refs to
 * pack and those left out.
 */
async function bundleRefs(
  path: string,
  revision: string | undefined,
  head: string,
): Promise<{ packed: string[]; left: string[] }> {
  const refs = await git.refTargets(path);
  const branch = await git.currentBranch(path);
  const wanted = new Set<string>();
  if (branch) wanted.add(`refs/heads/${branch}`);
  if (revision) wanted.add(`refs/heads/${revision}`).add(`refs/tags/${revision}`);
  const packed = ["HEAD"];
  const left: string[] = [];
  for (const { ref, commit } of refs) {
    const atHead = commit === head;
    if (wanted.has(ref) || (ref.startsWith("refs/tags/") && atHead)) packed.push(ref);
    else left.push(ref);
  }
  return { packed, left };
}

/**
 * Write a bundle of the workspace to `out` (which must not exist, or be empty).
 *
 * @throws {ConfigError} when `out` holds anything
 * @throws {WrknvError} when a sibling is missing
 */
export async function makeBundle(
  ws: Workspace,
  out: string,
  options: { selection?: Selection; archive?: boolean; signal?: AbortSignal } = {},
): Promise<BundleResult> {
  const outAbs = resolve(out);
  if (await exists(outAbs)) {
    const entries = await Array.fromAsync(Deno.readDir(outAbs)).catch(() => null);
    if (entries === null || entries.length) {
      throw new ConfigError(`${out} already exists and is not empty; pick a new directory`);
    }
  }
  const siblings = selectSiblings(ws, options.selection);
  const missingSiblings = [];
  for (const s of siblings) if (!(await exists(join(s.path, ".git")))) missingSiblings.push(s.name);
  if (missingSiblings.length) {
    throw new WrknvError(`cannot bundle: ${missingSiblings.join(", ")} not cloned`, {
      hint: "run `wrknv bootstrap` first",
    });
  }
  await Deno.mkdir(join(outAbs, "repos"), { recursive: true });
  await Deno.mkdir(join(outAbs, "wheels"), { recursive: true });
  const missing: string[] = [];

  // Repositories: a git bundle of what the lock needs, and the commit to check out.
  const lock: LockEntry[] = [];
  const omitted: BundleResult["omitted"] = [];
  const made = await pool(siblings, async (s) => {
    const head = await git.headCommit(s.path);
    if (!head) throw new WrknvError(`${s.name} has no commit to bundle`);
    const { packed, left } = await bundleRefs(s.path, s.revision, head);
    if (left.length) omitted.push({ sibling: s.name, refs: left });
    try {
      await git.createBundle(s.path, join(outAbs, "repos", `${s.name}.bundle`), packed, {
        signal: options.signal,
      });
    } catch (error) {
      if (!(error instanceof git.GitError)) throw error;
      throw new WrknvError(`${s.name}: ${error.message}`, { cause: error });
    }
    return { name: s.name, repo: s.repo, commit: head };
  }, { limit: 4, signal: options.signal });
  for (const m of made) {
    if (m.status === "rejected") throw m.reason;
    lock.push(m.value);
  }

  // Wheels: the venv's external distributions repacked, and the build backends.
  const wheelDir = join(outAbs, "wheels");
  const venv = await inspectVenv(ws.python.venv);
  if (venv.kind === "ok") {
    const env = await inspectEnvironment(venvPython(ws.python.venv));
    const ours = new Set<string>();
    for (const [key, d] of env.dists) {
      if (d.editable && d.source && siblings.some((s) => s.path === d.source)) ours.add(key);
    }
    const external = [...env.dists.entries()].filter(([key]) => !ours.has(key) && key !== "pip")
      .map(([, d]) => d.name);
    if (external.length) {
      const r = await run([venvPython(ws.python.venv), "-I", "-c", REPACK, wheelDir], {
        stdin: { data: JSON.stringify(external) },
        timeoutMs: 600_000,
      });
      try {
        const doc = JSON.parse(r.stdout) as { done: string[]; failed: string[] };
        for (const f of doc.failed) missing.push(`wheel for ${f}`);
      } catch {
        missing.push(`wheels from the venv (${r.stderr.trim().split("\n").pop()})`);
      }
    }
  } else {
    // A venv wrknv did not make is never run, so it cannot give its wheels either.
    const fix = venv.kind === "foreign"
      ? "wrknv did not make it; run wrknv setup --recreate first"
      : venv.kind === "not-a-venv" || venv.kind === "tracked"
      ? "wrknv will not run what is there"
      : "run wrknv setup first";
    missing.push(
      `wheels of the siblings' dependencies: no working venv at ${ws.python.venv} (${fix})`,
    );
  }
  // Build backends from the system's wheel directory, where the venv had none.
  const have = new Set(
    (await Array.fromAsync(Deno.readDir(wheelDir))).map((e) => e.name.split("-")[0].toLowerCase()),
  );
  if (await exists(SYSTEM_WHEELS)) {
    for await (const e of Deno.readDir(SYSTEM_WHEELS)) {
      const project = e.name.split("-")[0].toLowerCase();
      if (
        e.name.endsWith(".whl") && ["setuptools", "wheel"].includes(project) && !have.has(project)
      ) {
        await Deno.copyFile(join(SYSTEM_WHEELS, e.name), join(wheelDir, e.name));
        have.add(project);
      }
    }
  }
  for (const backend of ["setuptools", "wheel"]) {
    if (!have.has(backend)) {
      missing.push(
        `a ${backend} wheel (install python3-wheel-whl, or pip install ${backend} into the venv)`,
      );
    }
  }

  // The workspace file and the lock.
  await Deno.copyFile(ws.configPath, join(outAbs, "wrknv.toml"));
  await Deno.writeTextFile(join(outAbs, "wrknv.lock"), formatLock(lock));

  // The manifest, last: it covers every other file.
  const files: Manifest["files"] = [];
  for (const path of await walkFiles(outAbs)) {
    const full = join(outAbs, path);
    files.push({ path, size: (await Deno.stat(full)).size, sha256: await sha256File(full) });
  }
  const manifest: Manifest = {
    version: 1,
    workspace: ws.name,
    created: new Date().toISOString(),
    files,
    missing,
  };
  await Deno.writeTextFile(join(outAbs, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");

  const sum = (prefix: string) =>
    files.filter((f) => f.path.startsWith(prefix)).reduce((n, f) => n + f.size, 0);
  const sizes = {
    repos: sum("repos/"),
    wheels: sum("wheels/"),
    other: 0,
    total: files.reduce((n, f) => n + f.size, 0),
  };
  sizes.other = sizes.total - sizes.repos - sizes.wheels;
  let archive: string | undefined;
  if (options.archive) {
    archive = `${outAbs}.tar.gz`;
    if (await exists(archive)) throw new ConfigError(`${archive} already exists`);
    const r = await run(["tar", "-czf", archive, "-C", dirname(outAbs), "--", basename(outAbs)], {
      signal: options.signal,
    });
    if (r.code !== 0) throw new WrknvError(`tar failed: ${r.stderr.trim()}`);
  }
  return {
    out: outAbs,
    archive,
    lock,
    wheels: files.filter((f) => f.path.startsWith("wheels/")).map((f) => f.path.slice(7)),
    missing,
    omitted: omitted.sort((a, b) => a.sibling < b.sibling ? -1 : 1),
    sizes,
  };
}

/** A verified bundle, ready to clone from. */
export interface OpenedBundle {
  /** Its directory. */
  dir: string;
  /** The lock it holds, by sibling. */
  lock: Map<string, LockEntry>;
  /** The wheel directory. */
  wheels: string;
  /** Bundle file of a sibling. */
  repo(name: string): string;
}

/**
 * Open a bundle (a directory, or a .tar.gz unpacked into the user's cache,
 * keyed by the archive's sha256) and verify it before anything is cloned
 * from it: every file must be listed in the manifest with its size and
 * sha256 (hashed as a stream), and nothing may be in it that the manifest
 * does not list (a file, or a symbolic link).
 *
 * @throws {ConfigError} naming the first file that does not match
 */
export async function openBundle(path: string, cwd: string): Promise<OpenedBundle> {
  const given = resolve(cwd, path);
  let dir = given;
  if (given.endsWith(".tar.gz") || given.endsWith(".tgz")) dir = await unpackArchive(given, path);
  else await verifyBundle(dir, path);
  const lock = parseLock(await Deno.readTextFile(join(dir, "wrknv.lock")), `${path}/wrknv.lock`);
  return {
    dir,
    lock: new Map(lock.map((e) => [e.name, e])),
    wheels: join(dir, "wheels"),
    repo: (name) => join(dir, "repos", `${name}.bundle`),
  };
}

/** Check a bundle directory against its manifest (see {@link openBundle}). */
async function verifyBundle(dir: string, shown: string): Promise<void> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(dir, MANIFEST)));
  } catch {
    throw new ConfigError(`${shown}: not a wrknv bundle (no readable ${MANIFEST})`);
  }
  if (manifest?.version !== 1 || !Array.isArray(manifest.files)) {
    throw new ConfigError(`${shown}: unknown bundle format`);
  }
  const damaged = "the bundle is damaged or was changed";
  const listed = new Map<string, Manifest["files"][number]>();
  for (const f of manifest.files) {
    if (
      typeof f?.path !== "string" || typeof f.size !== "number" ||
      typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256)
    ) {
      throw new ConfigError(`${shown}: the manifest has an entry that is not a file record`);
    }
    const full = resolve(dir, f.path);
    if (relative(dir, full).startsWith("..") || f.path.includes("\\") || f.path.startsWith("/")) {
      throw new ConfigError(`${shown}: the manifest names a file outside the bundle: ${f.path}`);
    }
    listed.set(relative(dir, full).replaceAll("\\", "/"), f);
  }
  const odd: string[] = [];
  const present = (await walkFiles(dir, "", odd)).filter((p) => p !== MANIFEST);
  if (odd.length) {
    throw new ConfigError(`${shown}: ${odd[0]} is not a regular file; ${damaged}`);
  }
  for (const p of present) {
    if (!listed.has(p)) {
      throw new ConfigError(`${shown}: ${p} is not in the manifest; ${damaged}`);
    }
  }
  for (const need of ["wrknv.lock"]) {
    if (!listed.has(need)) throw new ConfigError(`${shown}: the manifest does not list ${need}`);
  }
  for (const [p, f] of listed) {
    const full = join(dir, p);
    let size: number;
    try {
      size = (await Deno.lstat(full)).size;
    } catch {
      throw new ConfigError(`${shown}: ${f.path} is missing from the bundle`);
    }
    if (size !== f.size) {
      throw new ConfigError(
        `${shown}: ${f.path} does not match the manifest (${size} bytes, expected ${f.size}); ${damaged}`,
      );
    }
    const sum = await sha256File(full);
    if (sum !== f.sha256) {
      throw new ConfigError(
        `${shown}: ${f.path} does not match the manifest (sha256 ${sum.slice(0, 12)}…, expected ${
          f.sha256.slice(0, 12)
        }…); ${damaged}`,
      );
    }
  }
}

/**
 * Unpack a bundle archive into `<cache>/bundles/<sha256>/`, verified, and
 * return the bundle directory in it. An archive unpacked before is used
 * again (verified again); a half-unpacked one (a killed run) is removed.
 * Nothing is left in the temporary directory.
 */
async function unpackArchive(archive: string, shown: string): Promise<string> {
  const { userCacheDir } = await import("../config/user_state.ts");
  const base = join(userCacheDir(), "bundles");
  await Deno.mkdir(base, { recursive: true });
  await removeStaleUnpacks(base);
  let sum: string;
  try {
    sum = await sha256File(archive);
  } catch (error) {
    throw new ConfigError(`${shown}: cannot read: ${(error as Error).message}`);
  }
  const final = join(base, sum.slice(0, 32));
  if (!(await exists(final))) {
    const tmp = join(base, `.unpack-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
    await Deno.mkdir(tmp);
    try {
      const r = await run(["tar", "--no-same-owner", "-xzf", archive, "-C", tmp]);
      if (r.code !== 0) throw new ConfigError(`${shown}: cannot unpack: ${r.stderr.trim()}`);
      const top = await Array.fromAsync(Deno.readDir(tmp));
      if (top.length !== 1 || !top[0].isDirectory) {
        throw new ConfigError(
          `${shown}: not a wrknv bundle (expected one directory in the archive)`,
        );
      }
      await verifyBundle(join(tmp, top[0].name), shown);
      await Deno.rename(tmp, final).catch(async (error) => {
        // Another run unpacked the same archive meanwhile: use its copy.
        if (!(await exists(final))) throw error;
      });
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
    return await bundleIn(final);
  }
  try {
    // Unpacked by an earlier run: checked again, as anything on disk may have changed since.
    const dir = await bundleIn(final);
    await verifyBundle(dir, shown);
    return dir;
  } catch (error) {
    await Deno.remove(final, { recursive: true }).catch(() => {});
    throw error;
  }
}

async function bundleIn(unpacked: string): Promise<string> {
  const [top] = await Array.fromAsync(Deno.readDir(unpacked));
  return join(unpacked, top?.name ?? "");
}

/** Remove what runs that were killed while unpacking left behind. */
async function removeStaleUnpacks(base: string): Promise<void> {
  for await (const e of Deno.readDir(base)) {
    const m = /^\.unpack-(\d+)-/.exec(e.name);
    if (!m || Number(m[1]) === Deno.pid) continue;
    try {
      Deno.statSync(`/proc/${m[1]}`);
    } catch {
      await Deno.remove(join(base, e.name), { recursive: true }).catch(() => {});
    }
  }
}

/**
 * Remember, for `wrknv setup`, that this workspace came from a bundle: in the
 * user's state directory, keyed by the workspace's wrknv.toml, never in the
 * workspace (a record committed there could point installs at any wheels).
 */
export async function rememberBundle(
  ws: Pick<Workspace, "configPath">,
  bundle: OpenedBundle,
): Promise<void> {
  const { writeUserState } = await import("../config/user_state.ts");
  await writeUserState("bundle", ws.configPath, { dir: bundle.dir, wheels: bundle.wheels });
}

/** The wheel directory of the bundle this workspace was bootstrapped from, when it is still there. */
export async function rememberedWheels(ws: Pick<Workspace, "configPath">): Promise<string | null> {
  const { readUserState } = await import("../config/user_state.ts");
  const doc = await readUserState("bundle", ws.configPath);
  try {
    if (typeof doc?.wheels === "string" && (await Deno.stat(doc.wheels)).isDirectory) {
      return doc.wheels;
    }
  } catch {
    // gone
  }
  return null;
}

/**
 * On a fresh machine there may be no wrknv.toml yet: with `--from`, take the
 * verified bundle's (for an archive: where it was unpacked), written as a new
 * file in the working directory, never over one, and checked as it would be
 * there before it is written, so a refused file is never left behind. Returns
 * true when it took it, false when a wrknv.toml was found (or `--config` given).
 *
 * @throws {ConfigError} when the bundle has none, or its file is refused
 */
export async function adoptBundleConfig(
  from: string,
  bundleDir: string,
  options: { cwd: string; config?: string },
): Promise<boolean> {
  const { checkSymlinks, findConfig, parseConfig } = await import("../config/mod.ts");
  try {
    await findConfig(options);
    return false;
  } catch {
    // none: take the bundle's
  }
  if (options.config) return false;
  const source = join(bundleDir, "wrknv.toml");
  const target = join(resolve(options.cwd), "wrknv.toml");
  let text: string;
  try {
    text = await Deno.readTextFile(source);
  } catch {
    throw new ConfigError(`${from}: no wrknv.toml in the bundle, and none here`);
  }
  const shown = join(from, "wrknv.toml");
  await checkSymlinks(await parseConfig(text, target, { displayName: shown }), shown);
  await Deno.writeTextFile(target, text, { createNew: true });
  return true;
}
