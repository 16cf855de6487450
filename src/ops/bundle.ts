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
  /** Bytes by part: repos, wheels, other. */
  sizes: { repos: number; wheels: number; other: number; total: number };
}

async function sha256File(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function walkFiles(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, rel))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await walkFiles(dir, r));
    else if (e.isFile) out.push(r);
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

  // Repositories: a git bundle of every ref, and the commit to check out.
  const lock: LockEntry[] = [];
  const made = await pool(siblings, async (s) => {
    const head = await git.headCommit(s.path);
    if (!head) throw new WrknvError(`${s.name} has no commit to bundle`);
    const r = await run([
      "git",
      "bundle",
      "create",
      "--quiet",
      join(outAbs, "repos", `${s.name}.bundle`),
      "--all",
    ], {
      cwd: s.path,
      env: git.gitEnv(),
      signal: options.signal,
    });
    if (r.code !== 0) {
      throw new WrknvError(
        `git bundle failed for ${s.name}: ${git.lastErrorLine(r.stderr) ?? r.stderr.trim()}`,
      );
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
    missing.push(
      `wheels of the siblings' dependencies: no working venv at ${ws.python.venv} (run wrknv setup first)`,
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
 * Open a bundle (a directory, or a .tar.gz that is unpacked beside it) and
 * verify every file against the manifest before anything is cloned from it.
 *
 * @throws {ConfigError} naming the first file that does not match
 */
export async function openBundle(path: string, cwd: string): Promise<OpenedBundle> {
  let dir = resolve(cwd, path);
  if (dir.endsWith(".tar.gz") || dir.endsWith(".tgz")) {
    const into = await Deno.makeTempDir({ prefix: "wrknv-bundle-" });
    const r = await run(["tar", "-xzf", dir, "-C", into]);
    if (r.code !== 0) throw new ConfigError(`${path}: cannot unpack: ${r.stderr.trim()}`);
    const [top] = await Array.fromAsync(Deno.readDir(into));
    dir = join(into, top?.name ?? "");
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(dir, MANIFEST)));
  } catch {
    throw new ConfigError(`${path}: not a wrknv bundle (no readable ${MANIFEST})`);
  }
  if (manifest.version !== 1 || !Array.isArray(manifest.files)) {
    throw new ConfigError(`${path}: unknown bundle format`);
  }
  for (const f of manifest.files) {
    const full = resolve(dir, f.path);
    if (relative(dir, full).startsWith("..")) {
      throw new ConfigError(`${path}: the manifest names a file outside the bundle: ${f.path}`);
    }
    let sum: string;
    try {
      sum = await sha256File(full);
    } catch {
      throw new ConfigError(`${path}: ${f.path} is missing from the bundle`);
    }
    if (sum !== f.sha256) {
      throw new ConfigError(
        `${path}: ${f.path} does not match the manifest (sha256 ${sum.slice(0, 12)}…, expected ${
          f.sha256.slice(0, 12)
        }…); the bundle is damaged or was changed`,
      );
    }
  }
  const lock = parseLock(await Deno.readTextFile(join(dir, "wrknv.lock")), `${path}/wrknv.lock`);
  return {
    dir,
    lock: new Map(lock.map((e) => [e.name, e])),
    wheels: join(dir, "wheels"),
    repo: (name) => join(dir, "repos", `${name}.bundle`),
  };
}

/** Remember, for `wrknv setup`, that this workspace came from a bundle. */
export async function rememberBundle(
  ws: Pick<Workspace, "configDir">,
  bundle: OpenedBundle,
): Promise<void> {
  const { ensureStateDir } = await import("./run_lock.ts");
  const dir = await ensureStateDir(ws);
  await Deno.writeTextFile(
    join(dir, "bundle.json"),
    JSON.stringify({ dir: bundle.dir, wheels: bundle.wheels }) + "\n",
  );
}

/** The wheel directory of the bundle this workspace was bootstrapped from, when it is still there. */
export async function rememberedWheels(ws: Pick<Workspace, "configDir">): Promise<string | null> {
  try {
    const { stateDir } = await import("./run_lock.ts");
    const doc = JSON.parse(await Deno.readTextFile(join(stateDir(ws), "bundle.json")));
    if (typeof doc.wheels === "string" && (await Deno.stat(doc.wheels)).isDirectory) {
      return doc.wheels;
    }
  } catch {
    // none
  }
  return null;
}
