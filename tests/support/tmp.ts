/**
 * Temporary directories for tests, removed when disposed.
 *
 * @module
 */

/** A temporary directory that `await using` removes with everything in it. */
export interface TempDir {
  /** Absolute path of the directory (symbolic links resolved). */
  path: string;
  /** Remove the directory and everything in it. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Make a temporary directory, removed on dispose.
 *
 * @example
 * ```ts
 * await using tmp = await tempDir("wrknv-clone-");
 * ```
 */
export async function tempDir(prefix = "wrknv-test-"): Promise<TempDir> {
  const path = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  return {
    path,
    async [Symbol.asyncDispose]() {
      try {
        await Deno.remove(path, { recursive: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    },
  };
}
