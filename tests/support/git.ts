/**
 * Real git repositories and servers for tests: bare remotes with real commits,
 * `git daemon` on 127.0.0.1, a server that never answers (timeouts) and one
 * that always asks for credentials (auth failures).
 *
 * Every git command here runs with a fixed identity and no global or system
 * configuration, so it works on a machine where git was never set up.
 *
 * @module
 */
import { join } from "node:path";
import { run } from "../../src/proc/mod.ts";
import { runOk } from "./procs.ts";

let clock = 0;

/** The environment the helpers run git with: fixed identity, no user or system config. */
export function gitTestEnv(): Record<string, string> {
  // Each commit a minute after the last, so history has a stable order.
  const date = new Date(Date.UTC(2024, 0, 1) + 60_000 * clock++).toISOString();
  return {
    GIT_AUTHOR_NAME: "wrknv test",
    GIT_AUTHOR_EMAIL: "test@wrknv.invalid",
    GIT_COMMITTER_NAME: "wrknv test",
    GIT_COMMITTER_EMAIL: "test@wrknv.invalid",
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
  };
}

/** Run git in `cwd` with {@linkcode gitTestEnv}; its standard output, trimmed. Throws on failure. */
export async function gitIn(cwd: string, args: string[]): Promise<string> {
  const r = await runOk(["git", ...args], { cwd, env: gitTestEnv(), timeoutMs: 60_000 });
  return r.stdout.trim();
}

/** Write files (paths relative to `root`, parent directories made). */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = `${root}/${name}`;
    const slash = path.lastIndexOf("/");
    await Deno.mkdir(path.slice(0, slash), { recursive: true });
    await Deno.writeTextFile(path, content);
  }
}

/**
 * Write `file` (relative to the work tree; parent directories made) with
 * `content` and commit it. Returns the new commit's sha.
 */
export async function commitFile(
  workTree: string,
  file: string,
  content: string,
  message: string,
): Promise<string> {
  await writeFiles(workTree, { [file]: content });
  await gitIn(workTree, ["add", "--", file]);
  await gitIn(workTree, ["commit", "--quiet", "--no-gpg-sign", "-m", message]);
  return await gitIn(workTree, ["rev-parse", "HEAD"]);
}

/** Push every branch and tag of a work tree made by {@linkcode makeRemote} to its bare remote. */
export async function pushAll(workTree: string): Promise<void> {
  await gitIn(workTree, ["push", "--quiet", "origin", "--all"]);
  await gitIn(workTree, ["push", "--quiet", "origin", "--tags"]);
}

/** What a test remote holds. */
export interface RemoteSpec {
  /** Files of the first commit (default: a README.md). */
  files?: Record<string, string>;
  /** Commits on the default branch, the first included (default 1); later ones append to CHANGES.txt. */
  commits?: number;
  /** Branches forked from the default branch's last commit, each with one commit of these files. */
  branches?: Record<string, Record<string, string>>;
  /** Tags: name to an index into `commits` (negative counts from the end); annotated unless `annotated: false`. */
  tags?: Record<string, number | { commit: number; annotated?: boolean }>;
  /** The default branch (default `main`). */
  defaultBranch?: string;
}

/** A bare repository made by {@linkcode makeRemote}. */
export interface Remote {
  /** `file://` URL of the bare repository. */
  url: string;
  /** Path of the bare repository (`<dir>/<name>.git`). */
  path: string;
  /** A work tree whose `origin` is the bare repository: commit there, then {@linkcode pushAll}. */
  work: string;
  /** Commit shas of the default branch, oldest first. */
  commits: string[];
  /** Branch name to the sha of its commit. */
  branches: Record<string, string>;
  /** Tag name to the sha of the commit it points at. */
  tags: Record<string, string>;
}

/**
 * Make a bare repository `<dir>/<name>.git` with real commits, made in a work
 * tree `<dir>/<name>.work` that stays for later commits.
 *
 * @example
 * ```ts
 * const remote = await makeRemote(tmp.path, "alpha", { files: { "pyproject.toml": "..." } });
 * await clone(remote.url, `${tmp.path}/alpha`);
 * ```
 */
export async function makeRemote(
  dir: string,
  name: string,
  spec: RemoteSpec = {},
): Promise<Remote> {
  const main = spec.defaultBranch ?? "main";
  const work = `${dir}/${name}.work`;
  const path = `${dir}/${name}.git`;
  await Deno.mkdir(work, { recursive: true });
  await gitIn(work, ["init", "--quiet", `--initial-branch=${main}`]);
  await writeFiles(work, spec.files ?? { "README.md": `# ${name}\n` });
  await gitIn(work, ["add", "--all"]);
  await gitIn(work, ["commit", "--quiet", "--no-gpg-sign", "-m", "Initial commit"]);
  const commits = [await gitIn(work, ["rev-parse", "HEAD"])];
  let changes = "";
  for (let i = 1; i < (spec.commits ?? 1); i++) {
    changes += `change ${i}\n`;
    commits.push(await commitFile(work, "CHANGES.txt", changes, `Change ${i}`));
  }
  const branches: Record<string, string> = {};
  for (const [branch, files] of Object.entries(spec.branches ?? {})) {
    await gitIn(work, ["checkout", "--quiet", "-b", branch, main]);
    await writeFiles(work, files);
    await gitIn(work, ["add", "--all"]);
    await gitIn(work, [
      "commit",
      "--quiet",
      "--no-gpg-sign",
      "--allow-empty",
      "-m",
      `On ${branch}`,
    ]);
    branches[branch] = await gitIn(work, ["rev-parse", "HEAD"]);
    await gitIn(work, ["checkout", "--quiet", main]);
  }
  const tags: Record<string, string> = {};
  for (const [tag, where] of Object.entries(spec.tags ?? {})) {
    const { commit, annotated = true } = typeof where === "number" ? { commit: where } : where;
    const sha = commits.at(commit);
    if (sha === undefined) throw new Error(`Tag ${tag}: no commit ${commit}`);
    if (annotated) await gitIn(work, ["tag", "--no-sign", "-a", "-m", `Release ${tag}`, tag, sha]);
    else await gitIn(work, ["tag", tag, sha]);
    tags[tag] = sha;
  }
  await gitIn(dir, ["clone", "--quiet", "--bare", "--", work, path]);
  await gitIn(work, ["remote", "add", "origin", path]);
  await gitIn(work, ["fetch", "--quiet", "origin"]);
  await gitIn(work, ["branch", "--quiet", `--set-upstream-to=origin/${main}`, main]);
  return { url: `file://${path}`, path, work, commits, branches, tags };
}

/** A free TCP port on 127.0.0.1 (free when asked; a race is possible but rare). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number, ended: Promise<unknown>, ms = 60_000): Promise<void> {
  let done = false;
  ended.then(() => done = true);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !done) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`Nothing is listening on 127.0.0.1:${port}`);
}

/** A running `git daemon`, stopped on dispose. */
export interface GitDaemon {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** The `git://` URL of a repository under the base directory (e.g. `url("alpha.git")`). */
  url(name: string): string;
  /** Stop the daemon and everything it spawned. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serve every repository under `baseDir` read-only over `git://127.0.0.1:<port>/`
 * with `git daemon --export-all --informative-errors`; resolves once it
 * accepts connections.
 */
export async function gitDaemon(baseDir: string): Promise<GitDaemon> {
  const controller = new AbortController();
  for (let attempt = 0;; attempt++) {
    const port = freePort();
    const ended = run([
      "git",
      "daemon",
      "--reuseaddr",
      "--export-all",
      "--informative-errors",
      `--base-path=${baseDir}`,
      "--listen=127.0.0.1",
      `--port=${port}`,
    ], { signal: controller.signal, env: gitTestEnv(), killGraceMs: 500 });
    try {
      await waitForPort(port, ended);
    } catch (error) {
      controller.abort();
      const r = await ended;
      if (attempt < 2) continue;
      throw new Error(`git daemon did not start: ${r.stderr}`, { cause: error });
    }
    return {
      port,
      url: (name) => `git://127.0.0.1:${port}/${name}`,
      async [Symbol.asyncDispose]() {
        controller.abort();
        await ended;
      },
    };
  }
}

/** A TCP server that accepts connections and never answers. */
export interface HangingServer {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** A `git://` URL on it. */
  gitUrl(name: string): string;
  /** An `http://` URL on it. */
  httpUrl(name: string): string;
  /** How many connections it has accepted. */
  accepted(): number;
  /** Close the server and every connection. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Start a server on 127.0.0.1 that accepts and never answers, for timeout tests. */
export function hangingServer(): HangingServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const conns = new Set<Deno.Conn>();
  let count = 0;
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        count++;
      }
    } catch {
      // Closed.
    }
  })();
  return {
    port,
    gitUrl: (name) => `git://127.0.0.1:${port}/${name}`,
    httpUrl: (name) => `http://127.0.0.1:${port}/${name}`,
    accepted: () => count,
    async [Symbol.asyncDispose]() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      await loop;
    },
  };
}

/** An HTTP server that answers every request `401` asking for Basic credentials. */
export interface AuthServer {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** An `http://` URL on it. */
  url(name: string): string;
  /** How many requests it has answered. */
  requests(): number;
  /** Stop the server. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Start an HTTP server on 127.0.0.1 that always wants credentials, for auth failure tests. */
export function authServer(): AuthServer {
  let count = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    count++;
    return new Response("Authentication required\n", {
      status: 401,
      headers: { "WWW-Authenticate": 'Basic realm="wrknv test"' },
    });
  });
  const port = server.addr.port;
  return {
    port,
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    requests: () => count,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/**
 * A `git` first on PATH, in `<dir>/bin`, that writes down each call's
 * arguments and runs the real git: `env` puts it first; `calls()` reads what
 * was run since.
 */
export async function loggingGit(
  dir: string,
): Promise<{ env: Record<string, string>; calls(): Promise<string[]> }> {
  const bin = join(dir, "bin");
  const log = join(dir, "git.log");
  const which = await new Deno.Command("sh", { args: ["-c", "command -v git"], stdout: "piped" })
    .output();
  const real = new TextDecoder().decode(which.stdout).trim();
  await Deno.mkdir(bin, { recursive: true });
  await Deno.writeTextFile(
    join(bin, "git"),
    `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  return {
    env: { PATH: `${bin}:${Deno.env.get("PATH")}` },
    calls: async () => (await Deno.readTextFile(log).catch(() => "")).split("\n").filter(Boolean),
  };
}
