/**
 * A static file server on 127.0.0.1 for tests (fake release downloads).
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";

/** A running server. */
export interface StaticServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Paths requested, in order. */
  requests: string[];
}

/**
 * Serve the files under `root` on a free port of 127.0.0.1 (GET and HEAD);
 * anything else under the root, or outside it, is a 404 or a 403.
 *
 * @example
 * ```ts
 * await using server = serveDir(releases);
 * await fetch(`${server.url}/latest/download/SHA256SUMS`);
 * ```
 */
export function serveDir(root: string): StaticServer {
  const base = resolve(root);
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requests.push(path);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed", { status: 405 });
    }
    const file = join(base, path);
    const rel = relative(base, file);
    if (rel.startsWith("..") || isAbsolute(rel)) return new Response("no", { status: 403 });
    try {
      const data = await Deno.readFile(file);
      return new Response(req.method === "HEAD" ? null : data, {
        headers: { "content-length": String(data.length) },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
