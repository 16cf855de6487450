/**
 * Checkpoints: named steps inside wrknv's critical sections (an atomic write,
 * a clone's rename), for fault tests. Off unless `WRKNV_TEST_CHECKPOINTS` is
 * set to a number of milliseconds: then each step is announced on standard
 * error (`checkpoint <name>`) before it is taken, and the run pauses there for
 * that long, so that a `kill -9` can be made to land inside the section and
 * the test can tell from the announcements where it landed. Nothing else
 * changes: the same code runs, in the same order.
 *
 * @module
 */
import { runtime } from "./runtime.ts";

let pauseMs: number | null | undefined;

/** Announce step `name` and pause there, when checkpoints are on; else nothing. */
export async function checkpoint(name: string): Promise<void> {
  if (pauseMs === undefined) {
    const value = Number(runtime.env("WRKNV_TEST_CHECKPOINTS"));
    pauseMs = Number.isFinite(value) && value > 0 ? value : null;
  }
  if (pauseMs === null) return;
  runtime.writeErr(`checkpoint ${name}\n`);
  await new Promise((resolve) => setTimeout(resolve, pauseMs!));
}
