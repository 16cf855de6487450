/**
 * Every runtime call that a test may want to replace, behind one object: the
 * terminal, the environment, the output streams. (Process spawning lives in
 * src/proc/.)
 *
 * @module
 */

const encoder = new TextEncoder();

/** The runtime services the CLI uses. Tests may replace members. */
export const runtime = {
  /** An environment variable, or undefined. */
  env(name: string): string | undefined {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  },
  /** True when standard input is a terminal. */
  stdinIsTerminal(): boolean {
    return Deno.stdin.isTerminal();
  },
  /** True when standard output is a terminal. */
  stdoutIsTerminal(): boolean {
    return Deno.stdout.isTerminal();
  },
  /** True when standard error is a terminal. */
  stderrIsTerminal(): boolean {
    return Deno.stderr.isTerminal();
  },
  /** Write text to standard output. */
  writeOut(text: string): void {
    writeAll(Deno.stdout, encoder.encode(text));
  },
  /** Write text to standard error. */
  writeErr(text: string): void {
    writeAll(Deno.stderr, encoder.encode(text));
  },
  /** The terminal's width in columns, or 80. */
  columns(): number {
    try {
      return Deno.consoleSize().columns || 80;
    } catch {
      return 80;
    }
  },
};

function writeAll(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += stream.writeSync(bytes.subarray(off));
    } catch (error) {
      // A closed pipe (e.g. `wrknv status | head`) is not an error worth a stack trace.
      if (error instanceof Deno.errors.BrokenPipe) return;
      throw error;
    }
  }
}
