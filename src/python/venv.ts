/**
 * Finding a Python interpreter and making or reusing the shared venv.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError, WrknvError } from "../errors.ts";
import { run, which } from "../proc/mod.ts";
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
    const r = await run([path, "-c", PROBE], {
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
  | { kind: "broken"; reason: string }
  | { kind: "not-a-venv" };

/** Look at the venv path without changing anything. */
export async function inspectVenv(venv: string): Promise<VenvState> {
  try {
    const info = await Deno.stat(venv);
    if (!info.isDirectory) return { kind: "not-a-venv" };
  } catch {
    return { kind: "missing" };
  }
  try {
    await Deno.stat(join(venv, "pyvenv.cfg"));
  } catch {
    return { kind: "not-a-venv" };
  }
  const python = await probeInterpreter(venvPython(venv), "venv");
  if (!python) {
    return {
      kind: "broken",
      reason: `its python (${venvPython(venv)}) is missing or does not run`,
    };
  }
  return { kind: "ok", python };
}

/** How a venv was made ready. */
export interface VenvReady {
  /** The venv's interpreter. */
  python: Interpreter;
  /** True when this run made it. */
  created: boolean;
}

/**
 * Reuse the venv when its Python satisfies `spec`; make it when it is missing.
 * A venv that does not match, or is broken, is an error suggesting
 * `--recreate`; with `recreate`, a venv (a directory holding pyvenv.cfg) is
 * removed and made again. Anything else at the path is never touched.
 */
export async function ensureVenv(
  venv: string,
  options: {
    spec: string;
    useUv: string | null;
    recreate?: boolean;
    signal?: AbortSignal;
    withPip?: boolean;
  },
): Promise<VenvReady> {
  let state = await inspectVenv(venv);
  if (state.kind === "not-a-venv") {
    throw new ConfigError(
      `${venv} exists but is not a virtual environment (no pyvenv.cfg); move it away or set workspace.python.venv`,
    );
  }
  if (state.kind === "ok" && !satisfies(state.python.version, options.spec) && !options.recreate) {
    throw new WrknvError(
      `the venv at ${venv} has Python ${state.python.version}, which does not satisfy "${options.spec}"`,
      { hint: "run `wrknv setup --recreate` to make it again with a matching Python" },
    );
  }
  if (state.kind === "broken" && !options.recreate) {
    throw new WrknvError(`the venv at ${venv} is broken: ${state.reason}`, {
      hint: "run `wrknv setup --recreate` to make it again",
    });
  }
  if (state.kind === "ok" && !options.recreate) return { python: state.python, created: false };
  if (state.kind !== "missing") {
    await Deno.remove(venv, { recursive: true });
    state = { kind: "missing" };
  }
  const base = await findInterpreter(options.spec, { uv: options.useUv });
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
  if (r.aborted) throw new WrknvError("interrupted while making the venv", { exitCode: 130 });
  if (r.code !== 0) {
    throw new WrknvError(`could not make the venv at ${venv}: ${lastLine(r.stderr || r.stdout)}`);
  }
  const python = await probeInterpreter(venvPython(venv), "venv");
  if (!python) throw new WrknvError(`made the venv at ${venv}, but its python does not run`);
  return { python, created: true };
}

/** The last non-empty line of some output. */
export function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines[lines.length - 1] ?? "";
}
