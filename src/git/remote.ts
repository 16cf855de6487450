/**
 * Loose comparison of repository URLs, to tell whether an existing clone
 * points at the repository that wrknv.toml names. Pure.
 *
 * @module
 */

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s;

/**
 * A key that two spellings of the same repository share:
 *
 * - the transport, user and port are dropped for remote URLs, so
 *   `git@host:org/x`, `ssh://git@host:22/org/x` and `https://host/org/x.git`
 *   all give `host/org/x` (the host in lower case);
 * - a trailing `/`, `.git` or `/.git` is dropped;
 * - `file://` URLs become plain paths, percent-decoded; `.` and `..`
 *   segments and repeated slashes are resolved.
 */
export function remoteKey(url: string): string {
  const u = url.trim();
  const scheme = SCHEME.exec(u);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    const rest = scheme[2];
    if (name === "file") {
      // file:///abs, file://localhost/abs
      const path = rest.startsWith("/") ? rest : rest.replace(/^localhost(?=\/)/i, "");
      return `path:${normalizePath(safeDecode(path))}`;
    }
    const slash = rest.indexOf("/");
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    const path = slash === -1 ? "" : rest.slice(slash);
    return `remote:${hostOf(authority)}/${trimRepoPath(safeDecode(path))}`;
  }
  // git's rule: a colon before the first slash makes it scp-like (host:path),
  // unless it looks like a Windows drive letter.
  const colon = u.indexOf(":");
  const slash = u.search(/[\\/]/);
  if (colon > 1 && (slash === -1 || colon < slash)) {
    return `remote:${hostOf(u.slice(0, colon))}/${trimRepoPath(u.slice(colon + 1))}`;
  }
  return `path:${normalizePath(u)}`;
}

/**
 * True when two repository URLs name the same repository, compared loosely
 * (see {@linkcode remoteKey}): trailing `.git` and `/`, scp-like versus
 * `ssh://`, https versus ssh for the same host and path, `file://` URLs versus
 * plain paths.
 */
export function sameRemote(a: string, b: string): boolean {
  return remoteKey(a) === remoteKey(b);
}

function hostOf(authority: string): string {
  let host = authority.slice(authority.lastIndexOf("@") + 1);
  if (host.startsWith("[")) {
    // [::1]:22
    const end = host.indexOf("]");
    host = end === -1 ? host : host.slice(0, end + 1);
  } else {
    host = host.replace(/:\d*$/, "");
  }
  return host.toLowerCase();
}

function trimRepoPath(path: string): string {
  let p = path.replace(/\/{2,}/g, "/");
  for (;;) {
    const before = p;
    p = p.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\/\.git$/, "").replace(/\.git$/, "");
    if (p === before) return p;
  }
}

function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  let joined = (absolute ? "/" : "") + out.join("/");
  for (;;) {
    const before = joined;
    joined = joined.replace(/\/\.git$/, "").replace(/(.)\.git$/, "$1").replace(/(.)\/+$/, "$1");
    if (joined === before) break;
  }
  return joined === "" ? "." : joined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The URL with any password or token in it replaced by `***`
 * (`https://user:secret@host/x` gives `https://user:***@host/x`), for messages.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/, "$1:***@");
}

const DEFAULT_PORTS: Record<string, string> = { ssh: "22", git: "9418", http: "80", https: "443" };

/**
 * The whole URL, normalised only where two spellings are certain to reach the
 * same repository with the same identity: the scheme and host in lower case,
 * `git+ssh://` and `ssh+git://` as `ssh://`, a default port dropped
 * (`ssh://h:22/x` is `ssh://h/x`), percent-escapes of unreserved characters
 * decoded and the rest in upper case, and a password or token left out (the
 * same user with another token is the same repository; every use fetches
 * with the token given). The user, the port, the path (`.git`, slashes) and
 * the scp form (`user@host:path`) are kept, so `alice@h:p.git` and
 * `mallory@h:p.git`, or two servers on two ports, never share a mirror.
 * Returns null for local paths and `file://` URLs (not cached).
 */
export function mirrorKey(url: string): string | null {
  const u = url.trim();
  const scheme = SCHEME.exec(u);
  if (scheme) {
    let name = scheme[1].toLowerCase();
    if (name === "file") return null;
    if (name === "git+ssh" || name === "ssh+git") name = "ssh";
    const rest = scheme[2];
    const slash = rest.indexOf("/");
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    const path = slash === -1 ? "" : rest.slice(slash);
    const at = authority.lastIndexOf("@");
    const userInfo = at === -1 ? "" : authority.slice(0, at);
    const user = userInfo.split(":")[0];
    let hostPort = authority.slice(at + 1);
    let port = "";
    const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    if (m) {
      hostPort = m[1];
      port = m[2] ?? "";
    }
    if (port === "" || port === DEFAULT_PORTS[name]) port = "";
    const host = hostPort.toLowerCase();
    return `${name}://${user ? `${normalizeEscapes(user)}@` : ""}${host}${port ? `:${port}` : ""}${
      normalizeEscapes(path)
    }`;
  }
  const colon = u.indexOf(":");
  const slash = u.search(/[\\/]/);
  if (colon > 1 && (slash === -1 || colon < slash)) {
    const authority = u.slice(0, colon);
    const at = authority.lastIndexOf("@");
    const user = at === -1 ? "" : authority.slice(0, at);
    const host = authority.slice(at + 1).toLowerCase();
    return `scp:${user ? `${user}@` : ""}${host}:${u.slice(colon + 1)}`;
  }
  return null;
}

/** Decode `%XX` of unreserved characters (RFC 3986 2.3); upper-case the hex of the others. */
function normalizeEscapes(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9._~-]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}
