/**
 * One wrknv at a time: a run that changes the workspace holds
 * `.wrknv/run.lock` beside wrknv.toml. A second run reports the first one's
 * pid; a lock whose process is gone is taken over.
 *
 * @module
 */
import { join } from "node:path";
import { hostname } from "node:os";
import { WrknvError } from "../errors.ts";
import type { Workspace } from "../config/types.ts";

export { ensureStateDir, stateDir } from "../config/state.ts";
import { ensureStateDir } from "../config/state.ts";
import { pidAlive } from "../fs.ts";

interface Holder {
  pid: number;
  host: string;
  command: string;
  started: string;
}

/** A held run lock; release it when done (also with `await using`). */
export interface RunLock extends AsyncDisposable {
  /** Remove the lock file. */
  release(): Promise<void>;
}

/**
 * Take the workspace's run lock for `command`.
 *
 * @throws {WrknvError} (exit 1) when another live wrknv holds it (still,
 *   after `waitMs`)
 */
export async function acquireRunLock(
  ws: Pick<Workspace, "configDir">,
  command: string,
  options: { waitMs?: number } = {},
): Promise<RunLock> {
  // A short command (add, remove) waits for another short one to finish.
  const until = performance.now() + (options.waitMs ?? 0);
  while (true) {
    try {
      return await tryRunLock(ws, command);
    } catch (error) {
      if (!(error instanceof RunLockHeld) || performance.now() >= until) throw error;
    }
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  }
}

/** The run lock is held by another live wrknv. */
class RunLockHeld extends WrknvError {}

async function tryRunLock(
  ws: Pick<Workspace, "configDir">,
  command: string,
): Promise<RunLock> {
  const dir = await ensureStateDir(ws);
  const path = join(dir, "run.lock");
  const me: Holder = {
    pid: Deno.pid,
    host: hostname(),
    command,
    started: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(me) + "\n", { createNew: true });
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        await Deno.remove(path).catch(() => {});
      };
      return { release, [Symbol.asyncDispose]: release };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(await Deno.readTextFile(path));
    } catch {
      holder = undefined; // torn or vanished: treat as stale
    }
    if (holder && (holder.host !== me.host || pidAlive(holder.pid))) {
      throw new RunLockHeld(
        `another wrknv (pid ${holder.pid}, "wrknv ${holder.command}", since ${holder.started}) is working on this workspace`,
        { hint: `wait for it to finish; if it is gone, remove ${path}` },
      );
    }
    // Stale: its process is gone. Take it over.
    await Deno.remove(path).catch(() => {});
  }
  throw new WrknvError(`could not take the run lock ${path}`);
}
