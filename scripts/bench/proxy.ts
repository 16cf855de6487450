/**
 * A TCP proxy on 127.0.0.1 that delays every chunk by a fixed time (an
 * emulated network round trip) and counts the bytes it carries.
 *
 * @module
 */

/** A running proxy. */
export interface DelayProxy {
  /** The port it listens on. */
  port: number;
  /** Bytes carried from the server to clients since the last reset. */
  bytesDown(): number;
  /** Bytes carried from clients to the server since the last reset. */
  bytesUp(): number;
  /** Zero the counters. */
  reset(): void;
  /** Stop. */
  close(): void;
}

/** Proxy 127.0.0.1:<new port> to 127.0.0.1:`target`, delaying each chunk by `delayMs`. */
export function delayProxy(target: number, delayMs: number): DelayProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let down = 0;
  let up = 0;
  const conns = new Set<Deno.Conn>();
  const pipe = async (from: Deno.Conn, to: Deno.Conn, count: (n: number) => void) => {
    const buf = new Uint8Array(64 * 1024);
    // Chunks keep their order: each waits for the delay, then is written in turn.
    let chain = Promise.resolve();
    try {
      while (true) {
        const n = await from.read(buf);
        if (n === null) break;
        const chunk = buf.slice(0, n);
        count(n);
        const due = performance.now() + delayMs;
        chain = chain.then(async () => {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          let off = 0;
          while (off < chunk.length) off += await to.write(chunk.subarray(off));
        });
      }
      await chain;
      await to.closeWrite().catch(() => {});
    } catch {
      from.close();
      to.close();
    }
  };
  (async () => {
    try {
      for await (const client of listener) {
        const server = await Deno.connect({ hostname: "127.0.0.1", port: target });
        conns.add(client);
        conns.add(server);
        Promise.all([
          pipe(client, server, (n) => up += n),
          pipe(server, client, (n) => down += n),
        ]).finally(() => {
          for (const c of [client, server]) {
            try {
              c.close();
            } catch {
              // closed
            }
            conns.delete(c);
          }
        });
      }
    } catch {
      // closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    bytesDown: () => down,
    bytesUp: () => up,
    reset: () => {
      down = 0;
      up = 0;
    },
    close: () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // closed
        }
      }
    },
  };
}
