/**
 * Run the wrknv CLI as a user would: `deno run -A main.ts ...` in a directory.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository's main.ts. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/**
 * wrknv's user-level state (the mirror cache, the trust store) goes to a
 * directory of this test process, never to the real home.
 */
export const STATE_DIR = Deno.makeTempDirSync({ prefix: "wrknv-test-state-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(STATE_DIR, { recursive: true });
  } catch {
    // already gone
  }
});

/** The environment that points wrknv's user-level directories at {@link STATE_DIR}. */
export const USER_DIRS = {
  WRKNV_CACHE_DIR: `${STATE_DIR}/cache`,
  WRKNV_CONFIG_DIR: `${STATE_DIR}/config`,
  WRKNV_STATE_DIR: `${STATE_DIR}/state`,
};

/** What a CLI run printed and how it ended. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Run `wrknv args...` in `cwd` with extra environment variables. */
export async function wrknv(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    stdin?: string;
    signal?: AbortSignal;
    /** Run in a network namespace of its own (`unshare -n`): no network at all. */
    unshare?: boolean;
  },
): Promise<CliResult> {
  const argv = ["run", "-A", "--quiet", MAIN, ...args];
  const cmd = new Deno.Command(options.unshare ? "unshare" : Deno.execPath(), {
    args: options.unshare ? ["-n", Deno.execPath(), ...argv] : argv,
    cwd: options.cwd,
    env: {
      NO_COLOR: "1",
      ...USER_DIRS,
      ...options.env,
    },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: options.signal,
  });
  const child = cmd.spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
