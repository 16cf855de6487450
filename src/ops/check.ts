/**
 * One check of `wrknv validate`: an id, a status, a message and a fix.
 *
 * @module
 */

/** How a check came out. `info` is shown but never counts against the workspace. */
export type CheckStatus = "ok" | "warn" | "error" | "info";

/** One check. */
export interface Check {
  /** A stable id, e.g. `sibling.origin`. */
  id: string;
  /** The outcome. */
  status: CheckStatus;
  /** The sibling it is about, when it is about one. */
  sibling?: string;
  /** What was found. */
  message: string;
  /** What to do about it. */
  hint?: string;
}
