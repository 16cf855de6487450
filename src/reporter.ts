/**
 * How operations report progress without printing: the CLI supplies a
 * reporter (live progress in a terminal, plain lines in CI, nothing for --json).
 *
 * @module
 */

/** Progress events an operation emits per sibling and for the whole run. */
export interface Reporter {
  /** A sibling's work started (`what` says what, e.g. "cloning"). */
  start(name: string, what: string): void;
  /** A sibling's work ended with a status word and an optional detail. */
  done(name: string, status: string, detail?: string): void;
  /** A note for the user (shown unless --quiet). */
  info(message: string): void;
  /** A warning (always shown on stderr, also with --quiet). */
  warn(message: string): void;
  /**
   * A workspace-wide step (making the venv, installing build requirements)
   * began (`done` absent) or ended (`done` says how, with the time taken).
   * Steps are not siblings: they do not count towards the total.
   */
  step?(what: string, done?: string): void;
  /** How many siblings the work will count, once the operation knows (setup: only those it installs). */
  total?(n: number): void;
}

/** A reporter that ignores everything: for tests and --json. */
export const silentReporter: Reporter = {
  start() {},
  done() {},
  info() {},
  warn() {},
};
