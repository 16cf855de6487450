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
    if (await placeWhole(path, JSON.stringify(me) + "\n")) {
      await removeDeadTemps(dir).catch(() => {});
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        await Deno.remove(path).catch(() => {});
      };
      return { release, [Symbol.asyncDispose]: release };
    }
    let holder: Holder | undefined;
    let text: string | null = null;
    try {
      text = await Deno.readTextFile(path);
      holder = JSON.parse(text);
    } catch {
      // Gone since (try again), or not a holder: one only an older wrknv, cut off mid-write, leaves.
      holder = undefined;
    }
    if (text === null) continue;
    if (holder === undefined && await youngerThan(path, 10_000)) {
      throw new RunLockHeld(`another wrknv is taking the run lock ${path}`, {
        hint: `wait for it to finish; if none is running, remove ${path}`,
      });
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

/**
 * Make `path` hold `text`, whole, unless something is there already: the text
 * is written to a file of its own and hard-linked into place, which fails when
 * `path` exists. (Writing the lock file itself would let another wrknv read
 * it empty, half written, take it for a dead one's and remove it: two holders,
 * and an edit lost.) False when `path` was there.
 */
async function placeWhole(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(temp, text, { createNew: true });
  try {
    await Deno.link(temp, path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    // A file system without hard links: create the lock file itself, as before.
    try {
      await Deno.writeTextFile(path, text, { createNew: true });
      return true;
    } catch (again) {
      if (again instanceof Deno.errors.AlreadyExists) return false;
      throw again;
    }
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
}

/** Remove what a wrknv killed while taking the lock left: `run.lock.<pid>-*` of dead pids. */
async function removeDeadTemps(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const m = /^run\.lock\.(\d+)-[0-9a-f]{8}$/.exec(e.name);
    if (m && e.isFile && Number(m[1]) !== Deno.pid && !pidAlive(Number(m[1]))) {
      await Deno.remove(join(dir, e.name)).catch(() => {});
    }
  }
}

/** True when the file at `path` was last written less than `ms` ago. */
async function youngerThan(path: string, ms: number): Promise<boolean> {
  try {
    const mtime = (await Deno.stat(path)).mtime;
    return mtime !== null && Date.now() - mtime.getTime() < ms;
  } catch {
    return false;
  }
}
