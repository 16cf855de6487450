/**
 * A static file server on 127.0.0.1 for tests (fake release downloads).
 *
 * @module
 */
import { join, normalize } from "node:path";

/** A running server. */
export interface StaticServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Paths requested, in order. */
  requests: string[];
}

/** Serve the files under `root`. */
export function serveDir(root: string): StaticServer {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requests.push(path);
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) return new Response("no", { status: 403 });
    try {
      return new Response(await Deno.readFile(file));
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
