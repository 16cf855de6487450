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
