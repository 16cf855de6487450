/**
 * `wrknv run -- CMD`: a command with the workspace's venv active, as
 * `source .venv/bin/activate` would make it: the venv's scripts first on
 * PATH, VIRTUAL_ENV set, PYTHONHOME unset.
 *
 * @module
 */
import { WrknvError } from "../errors.ts";
import type { Workspace } from "../config/types.ts";
import { run } from "../proc/mod.ts";
import { activated } from "../python/install.ts";
import { foreignVenv, inspectVenv, refusedVenv, venvPython } from "../python/venv.ts";

/**
 * The environment of the workspace's venv, activated.
 *
 * @throws {WrknvError} when there is no venv wrknv made and may run, saying what to do
 */
export async function venvEnvironment(ws: Workspace): Promise<Record<string, string>> {
  const venv = ws.python.venv;
  const state = await inspectVenv(venv);
  if (state.kind === "missing" || state.kind === "unfinished") {
    throw new WrknvError(`no venv at ${venv}`, { hint: "run: wrknv setup" });
  }
  // Only a venv wrknv made is run (one put there by anyone else could run anything).
  const refused = refusedVenv(venv, state);
  if (refused) throw refused;
  if (state.kind === "foreign") throw foreignVenv(venv);
  if (state.kind === "broken") {
    throw new WrknvError(`the venv at ${venv} is broken: ${state.reason}`, {
      hint: "run: wrknv setup --recreate",
    });
  }
  return activated(venvPython(venv));
}

/** What a captured run printed and how it ended. */
export interface VenvRun {
  /** Exit code (130 when interrupted). */
  code: number;
  /** Standard output (captured runs only). */
  stdout: string;
  /** Standard error (captured runs only). */
  stderr: string;
}

/**
 * Run `argv` in `cwd` with the venv active: attached to this terminal, or
 * with `capture`, its output collected (for --json). Its exit code is 130
 * when interrupted.
 *
 * @throws {WrknvError} exit code 127 when the command cannot be started
 */
export async function runInVenv(
  ws: Workspace,
  argv: readonly string[],
  options: { cwd: string; capture?: boolean; signal?: AbortSignal },
): Promise<VenvRun> {
  const env = await venvEnvironment(ws);
  const io = options.capture ? "capture" : "inherit";
  const r = await run(argv, {
    cwd: options.cwd,
    env: { ...env, PYTHONHOME: undefined, WRKNV_WORKSPACE: ws.configDir },
    stdin: options.capture ? "null" : "inherit",
    stdout: io,
    stderr: io,
    signal: options.signal,
  }).catch((error: Error) => {
    // Not found, or not executable: as a shell says it, exit 127.
    throw new WrknvError(error.message, { exitCode: 127, hint: "is it installed in the venv?" });
  });
  return { code: r.aborted ? 130 : r.code, stdout: r.stdout, stderr: r.stderr };
}
