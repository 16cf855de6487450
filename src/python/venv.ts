/**
 * Finding a Python interpreter and making or reusing the shared venv.
 *
 * @module
 */
import { checkpoint } from "../checkpoint.ts";
import { dirname, join } from "node:path";
import { ConfigError, interruption, WrknvError } from "../errors.ts";
import { run, which } from "../proc/mod.ts";
import { GitError, trackedFiles } from "../git/mod.ts";
import { readUserState, writeUserState } from "../config/user_state.ts";
import { exists } from "../fs.ts";
import { satisfies } from "./pep.ts";

/** An interpreter that was found and asked for its version. */
export interface Interpreter {
  /** How to run it (a path). */
  path: string;
  /** `3.11.7` */
  version: string;
  /** Where it was found: "python3", "python3.12", "uv python find", "venv". */
  source: string;
}

const PROBE = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)";

/** Ask an interpreter for its version; null when it does not run. */
export async function probeInterpreter(path: string, source: string): Promise<Interpreter | null> {
  try {
    // -I: no PYTHON* variables, no user site, not the working directory on sys.path.
    const r = await run([path, "-I", "-c", PROBE], {
      timeoutMs: 15_000,
      env: { PYTHONDONTWRITEBYTECODE: "1" },
    });
    if (r.code !== 0) return null;
    const [version] = r.stdout.trim().split("\n");
    return /^\d+\.\d+\.\d+$/.test(version) ? { path, version, source } : null;
  } catch {
    return null;
  }
}

/** The names looked for on PATH, in order. */
export function candidateNames(): string[] {
  const names = ["python3"];
  for (let minor = 14; minor >= 8; minor--) names.push(`python3.${minor}`);
  names.push("python");
  return names;
}

/**
 * Find a Python whose version satisfies `spec`: `python3`, then `python3.X` on
 * PATH (newest first), then `uv python find` where uv is present.
 *
 * @throws {WrknvError} naming everything that was looked at
 */
export async function findInterpreter(
  spec: string,
  options: { uv?: string | null } = {},
): Promise<Interpreter> {
  const seen: string[] = [];
  // python3 first, alone: it is the usual answer, and probing every python3.X
  // costs a process each (through pyenv shims, a slow one).
  for (const name of candidateNames()) {
    const path = await which(name);
    const it = path ? await probeInterpreter(path, name) : null;
    if (!it) continue;
    if (satisfies(it.version, spec)) return it;
    seen.push(`${name} ${it.version}`);
  }
  const uv = options.uv === undefined ? await which("uv") : options.uv;
  if (uv) {
    const r = await run([uv, "python", "find", spec], { timeoutMs: 30_000 });
    if (r.code === 0) {
      const it = await probeInterpreter(r.stdout.trim(), "uv python find");
      if (it && satisfies(it.version, spec)) return it;
    }
    seen.push("uv python find: none");
  }
  throw new WrknvError(
    `no Python satisfies "${spec}" (looked for ${
      candidateNames().slice(0, 2).join(", ")
    }…python3.8${uv ? " and asked uv" : ""}; found ${seen.length ? seen.join(", ") : "none"})`,
    {
      hint: "install a matching Python, or change workspace.python.version in wrknv.toml",
    },
  );
}

/** The python inside a venv. */
export function venvPython(venv: string): string {
  return Deno.build.os === "windows"
    ? join(venv, "Scripts", "python.exe")
    : join(venv, "bin", "python");
}

/** What is at the venv path. */
export type VenvState =
  | { kind: "missing" }
  | { kind: "ok"; python: Interpreter }
  /** A venv (its layout says so) whose python is missing or does not run. */
  | { kind: "broken"; reason: string }
  /** Not a venv, or not one wrknv can prove is one: never run, never deleted. */
  | { kind: "not-a-venv"; reason: string }
  /** Files in it are tracked by git: it came with a repository. Never run, never deleted. */
  | { kind: "tracked"; files: string[] }
  /** A venv wrknv did not make: never run; `--recreate` may replace it. */
  | { kind: "foreign" }
  /** What a wrknv run that was stopped (killed) left while making the venv: made again. */
  | { kind: "unfinished" };

// What `python -m venv`, `uv venv` and the installers put at a venv's top level.
const VENV_ENTRIES = new Set([
  "bin",
  "include",
  "lib",
  "lib64",
  "share",
  "etc",
  "man",
  "src",
  "pyvenv.cfg",
  ".gitignore",
  "CACHEDIR.TAG",
  ".lock",
  "Scripts",
  "Lib",
  "Include",
]);

/**
 * Why the directory at `venv` is not provably a venv, or null when its
 * layout is one that `python -m venv` or `uv venv` makes: `pyvenv.cfg` a
 * regular file with a `home` key, a real `bin` (or `Scripts`) directory, and
 * nothing at the top level that a venv does not hold. Reads only; follows no
 * symbolic link.
 */
export async function venvLayoutProblem(
  venv: string,
  options: { unfinished?: boolean } = {},
): Promise<string | null> {
  const info = await Deno.lstat(venv);
  if (info.isSymlink) {
    const target = await Deno.readLink(venv).catch(() => "?");
    return `it is a symbolic link (to ${target}); wrknv does not follow one`;
  }
  if (!info.isDirectory) return "it is not a directory";
  if (options.unfinished) return await unexpectedEntry(venv);
  let cfg: Deno.FileInfo;
  try {
    cfg = await Deno.lstat(join(venv, "pyvenv.cfg"));
  } catch {
    return "no pyvenv.cfg";
  }
  if (!cfg.isFile) return "its pyvenv.cfg is not a regular file";
  if (cfg.size > 64 * 1024) return "its pyvenv.cfg is too large to be one";
  const text = await Deno.readTextFile(join(venv, "pyvenv.cfg"));
  if (!/^\s*home\s*=/m.test(text)) return "its pyvenv.cfg has no home key";
  const scripts = Deno.build.os === "windows" ? "Scripts" : "bin";
  const bin = await Deno.lstat(join(venv, scripts)).catch(() => null);
  if (!bin?.isDirectory) return `it has no ${scripts} directory`;
  return await unexpectedEntry(venv);
}

async function unexpectedEntry(venv: string): Promise<string | null> {
  for await (const e of Deno.readDir(venv)) {
    if (!VENV_ENTRIES.has(e.name)) {
      return `it holds ${JSON.stringify(e.name)}, which a venv does not`;
    }
  }
  return null;
}

/** A venv's identity on disk: a checkout or a copy made in its place has another. */
async function venvIdentity(venv: string): Promise<{ dev: number; ino: number; cfg: number }> {
  const [dir, cfg] = await Promise.all([
    Deno.lstat(venv),
    Deno.lstat(join(venv, "pyvenv.cfg")),
  ]);
  return { dev: dir.dev ?? 0, ino: dir.ino ?? 0, cfg: cfg.ino ?? 0 };
}

/** Remember, in the user's state directory, that wrknv made the venv at `venv`. */
export async function markVenv(venv: string): Promise<void> {
  await writeUserState("venv", venv, {
    ...(await venvIdentity(venv)),
    made: new Date().toISOString(),
  });
}

/** True when wrknv made the venv at `venv` (the record matches the directory there now). */
export async function madeByWrknv(venv: string): Promise<boolean> {
  const doc = await readUserState("venv", venv);
  if (!doc) return false;
  try {
    const now = await venvIdentity(venv);
    return doc.dev === now.dev && doc.ino === now.ino && doc.cfg === now.cfg;
  } catch {
    return false;
  }
}

/** The venvs this run has found no tracked file in. */
const untrackedVenvs = new Set<string>();

/**
 * Files under `venv` that git tracks (in whichever repository holds it). When
 * git cannot be asked, a `.git` in `venv` or a parent means "unknown", which
 * counts as tracked.
 */
async function trackedInVenv(venv: string): Promise<string[]> {
  // Once found untracked, a venv stays so for the run (`up` asks in setup and again in validate):
  // only a `git add` by hand between the two would change the answer.
  if (untrackedVenvs.has(venv)) return [];
  try {
    const tracked = (await trackedFiles(venv, { limit: 3 })).map((f) => join(venv, f));
    if (tracked.length === 0) untrackedVenvs.add(venv);
    return tracked;
  } catch (error) {
    if (error instanceof GitError) throw error;
    for (let dir = venv;; dir = dirname(dir)) {
      if (await exists(join(dir, ".git"))) {
        return [`(git could not be asked whether ${dir} tracks it: ${(error as Error).message})`];
      }
      if (dirname(dir) === dir) return [];
    }
  }
}

/**
 * What identifies a venv's interpreter on disk, read without running it:
 * the python it runs (followed to the real binary: device, inode, size,
 * modification time) and its `pyvenv.cfg`. A Python upgraded or rebuilt in
 * place, or a venv made again, has another. Null when either is missing.
 */
export async function interpreterStamp(venv: string): Promise<string | null> {
  try {
    const [bin, cfg] = await Promise.all([
      Deno.stat(venvPython(venv)),
      Deno.lstat(join(venv, "pyvenv.cfg")),
    ]);
    return JSON.stringify([
      [bin.dev, bin.ino, bin.size, bin.mtime?.getTime()],
      [cfg.dev, cfg.ino, cfg.size, cfg.mtime?.getTime()],
    ]);
  } catch {
    return null;
  }
}

/**
 * What a venv's `site-packages` holds, read without running anything: each
 * site-packages directory's inode and modification time and the names in
 * it. Installing, uninstalling or reinstalling a distribution (pip or uv)
 * adds, removes or replaces entries there, and so changes it. Null when
 * there is none.
 */
export async function sitePackagesStamp(venv: string): Promise<string | null> {
  const dirs: string[] = [];
  if (Deno.build.os === "windows") dirs.push(join(venv, "Lib", "site-packages"));
  else {
    for (const lib of ["lib", "lib64"]) {
      const info = await Deno.lstat(join(venv, lib)).catch(() => null);
      if (!info?.isDirectory) continue;
      for await (const e of Deno.readDir(join(venv, lib))) {
        if (e.isDirectory && e.name.startsWith("python")) {
          dirs.push(join(venv, lib, e.name, "site-packages"));
        }
      }
    }
  }
  const parts: unknown[] = [];
  for (const dir of dirs.sort()) {
    try {
      const info = await Deno.stat(dir);
      const names: string[] = [];
      for await (const e of Deno.readDir(dir)) names.push(e.name);
      parts.push([dir, info.ino, info.mtime?.getTime(), names.sort()]);
    } catch {
      continue;
    }
  }
  return parts.length ? JSON.stringify(parts) : null;
}

/** An interpreter asked before, and the {@link interpreterStamp} of its venv then. */
export interface KnownInterpreter {
  /** What it said. */
  python: Interpreter;
  /** The venv's interpreter stamp when it said so. */
  stamp: string;
}

/**
 * Look at the venv path, running nothing that is not proven safe: a venv is
 * run (its python asked for its version) only when wrknv made it and git
 * tracks none of its files, as a venv committed to a repository, or put in
 * place by anything but wrknv, could run anything. With `known`, an
 * interpreter whose stamp is unchanged is not asked again. With `probe`,
 * that asks instead (null: it does not run).
 */
export async function inspectVenv(
  venv: string,
  options: {
    known?: KnownInterpreter;
    probe?: (python: string) => Promise<Interpreter | null>;
  } = {},
): Promise<VenvState> {
  try {
    await Deno.lstat(venv);
  } catch {
    return { kind: "missing" };
  }
  const record = await readUserState("venv", venv);
  if (record?.making && !(await venvLayoutProblem(venv, { unfinished: true }))) {
    if (!(await trackedInVenv(venv)).length) return { kind: "unfinished" };
  }
  const problem = await venvLayoutProblem(venv);
  if (problem) return { kind: "not-a-venv", reason: problem };
  const tracked = await trackedInVenv(venv);
  if (tracked.length) return { kind: "tracked", files: tracked };
  const python = venvPython(venv);
  if (!(await exists(python))) {
    return { kind: "broken", reason: `its python (${python}) is missing or does not run` };
  }
  if (!(await madeByWrknv(venv))) return { kind: "foreign" };
  if (options.known && options.known.stamp === await interpreterStamp(venv)) {
    return { kind: "ok", python: options.known.python };
  }
  const it = options.probe ? await options.probe(python) : await probeInterpreter(python, "venv");
  if (!it) return { kind: "broken", reason: `its python (${python}) is missing or does not run` };
  return { kind: "ok", python: it };
}

/** The error for a venv wrknv will not run (and never deletes), or null for one it may use or replace. */
export function refusedVenv(venv: string, state: VenvState): WrknvError | null {
  if (state.kind === "not-a-venv") {
    return new ConfigError(
      `${venv} exists but is not a virtual environment (${state.reason}); move it away or set workspace.python.venv`,
    );
  }
  if (state.kind === "tracked") {
    return new ConfigError(
      `${venv} holds files tracked by git (${
        state.files.join(", ")
      }): a venv that came with a repository could run anything, so wrknv neither runs nor deletes it; set workspace.python.venv to a new path`,
    );
  }
  return null;
}

/** The error for a venv that wrknv did not make. */
export function foreignVenv(venv: string): WrknvError {
  return new WrknvError(
    `the venv at ${venv} was not made by wrknv, so wrknv does not run it (a venv put there by anyone else could run anything)`,
    { hint: "if it is yours, run `wrknv setup --recreate` to make it again in its place" },
  );
}

/** How a venv was made ready. */
export interface VenvReady {
  /** The venv's interpreter. */
  python: Interpreter;
  /** True when this run made it. */
  created: boolean;
}

/**
 * Reuse the venv when wrknv made it and its Python satisfies `spec`; make it
 * when it is missing. A venv that does not match, is broken, or that wrknv
 * did not make is an error suggesting `--recreate`; with `recreate`, a
 * matching interpreter is found first, and only then is the venv (one whose
 * layout proves it is a venv, with no file tracked by git) removed and made
 * again. Anything else at the path is never touched.
 */
export async function ensureVenv(
  venv: string,
  options: {
    spec: string;
    useUv: string | null;
    recreate?: boolean;
    signal?: AbortSignal;
    withPip?: boolean;
    /** The interpreter as a run before saw it: not asked again while its stamp holds. */
    known?: KnownInterpreter;
  },
): Promise<VenvReady> {
  const state = await inspectVenv(venv, { known: options.known });
  const refused = refusedVenv(venv, state);
  if (refused) throw refused;
  if (!options.recreate) {
    if (state.kind === "foreign") throw foreignVenv(venv);
    if (state.kind === "ok" && !satisfies(state.python.version, options.spec)) {
      throw new WrknvError(
        `the venv at ${venv} has Python ${state.python.version}, which does not satisfy "${options.spec}"`,
        { hint: "run `wrknv setup --recreate` to make it again with a matching Python" },
      );
    }
    if (state.kind === "broken") {
      throw new WrknvError(`the venv at ${venv} is broken: ${state.reason}`, {
        hint: "run `wrknv setup --recreate` to make it again",
      });
    }
    if (state.kind === "ok") return { python: state.python, created: false };
  }
  // Before anything is removed: the interpreter the new venv is made with.
  const base = await findInterpreter(options.spec, { uv: options.useUv });
  // Remembered before the venv is made: a run killed while making it leaves
  // a record that lets the next run make it again.
  await writeUserState("venv", venv, { making: true, pid: Deno.pid });
  await checkpoint("make venv");
  if (state.kind !== "missing") await Deno.remove(venv, { recursive: true });
  const cmd = options.useUv
    ? [
      options.useUv,
      "venv",
      "--quiet",
      "--python",
      base.path,
      ...(options.withPip ? ["--seed"] : []),
      venv,
    ]
    : [base.path, "-m", "venv", ...(options.withPip === false ? ["--without-pip"] : []), venv];
  const r = await run(cmd, { signal: options.signal, timeoutMs: 300_000 });
  if (r.aborted || r.code !== 0) {
    // It did not exist before this run: remove what was half made, so a re-run starts clean.
    await Deno.remove(venv, { recursive: true }).catch(() => {});
  }
  if (r.aborted) throw interruption(options.signal, "making the venv");
  if (r.code !== 0) {
    throw new WrknvError(`could not make the venv at ${venv}: ${lastLine(r.stderr || r.stdout)}`);
  }
  await markVenv(venv);
  await checkpoint("made venv");
  const python = await probeInterpreter(venvPython(venv), "venv");
  if (!python) throw new WrknvError(`made the venv at ${venv}, but its python does not run`);
  return { python, created: true };
}

/** The last non-empty line of some output. */
export function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines[lines.length - 1] ?? "";
}
