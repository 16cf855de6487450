/**
 * A bounded parallel pool: at most `limit` calls in flight, results in input
 * order, nothing new started once the signal aborts.
 *
 * @module
 */
import { interruption } from "../errors.ts";

/**
 * Run `fn` over `items` with at most `limit` calls in flight. Results come
 * back in input order, as from `Promise.allSettled`. Once `signal` aborts, no
 * new item is started; items never started report as rejected with an
 * {@linkcode InterruptedError}. (Items already running are cancelled only if
 * `fn` passes the signal on.)
 *
 * @example
 * ```ts
 * const results = await pool(siblings, (s) => clone(s), { limit: 4, signal });
 * ```
 */
export async function pool<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  options: { limit: number; signal?: AbortSignal },
): Promise<PromiseSettledResult<R>[]> {
  const limit = Number.isFinite(options.limit)
    ? Math.max(1, Math.floor(options.limit))
    : Math.max(1, items.length);
  const results: (PromiseSettledResult<R> | undefined)[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (!options.signal?.aborted) {
      const i = next++;
      if (i >= items.length) return;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i], i) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return Array.from(
    results,
    (r) => r ?? { status: "rejected", reason: interruption(options.signal, "before it started") },
  );
}
