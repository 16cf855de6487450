/**
 * Which repository URLs wrknv accepts. A wrknv.toml may come from someone else,
 * so only plain transports are allowed and nothing that git could read as an
 * option.
 *
 * @module
 */
import { hidingCharacter } from "../text.ts";

/** How a repository URL reaches its repository. */
export type Transport = "local" | "file" | "git" | "ssh" | "http" | "https" | "scp";

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCP = /^(?:([^@/:\s]+)@)?([^@/:\s]+):(.*)$/;

/**
 * True when a host or user could reach ssh as an option: it begins with "-"
 * as written, inside IPv6-style brackets (`[-oProxyCommand=x]`), or once
 * percent-decoded (`%2DoProxyCommand=x`), as git and ssh would read it.
 */
function looksLikeOption(part: string): boolean {
  let decoded = part;
  try {
    decoded = decodeURIComponent(part);
  } catch {
    // a lone % stays as it is
  }
  return [part, decoded].some((p) => /^\[?\s*-/.test(p) || hidingCharacter(p) !== null);
}

/**
 * Classify a repository URL, or return an error message (sentence case, no
 * trailing period) saying why it is refused.
 */
export function checkRepoUrl(url: string): { transport: Transport } | { error: string } {
  if (url.length === 0) return { error: "is empty" };
  if (url.startsWith("-")) {
    return { error: `"${url}" begins with "-" and could be read as an option` };
  }
  if (hidingCharacter(url)) return { error: "holds a control character" };
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) {
    return {
      error: `"${url}" uses a remote helper transport ("${
        url.split("::")[0]
      }::"), which is not allowed`,
    };
  }
  const scheme = SCHEME.exec(url);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    if (!["file", "git", "ssh", "http", "https", "git+ssh", "ssh+git"].includes(name)) {
      return {
        error:
          `"${url}" uses the ${name}:// transport; allowed are file://, git://, ssh://, http:// and https://`,
      };
    }
    const rest = url.slice(scheme[0].length);
    if (name !== "file") {
      const authority = rest.split("/")[0];
      const host = authority.includes("@")
        ? authority.slice(authority.lastIndexOf("@") + 1)
        : authority;
      const user = authority.includes("@") ? authority.slice(0, authority.lastIndexOf("@")) : "";
      if (host.length === 0) return { error: `"${url}" has no host` };
      if (looksLikeOption(host) || looksLikeOption(user)) {
        return {
          error:
            `"${url}" has a host or user beginning with "-", which ssh would read as an option`,
        };
      }
    }
    if (name === "git+ssh" || name === "ssh+git") return { transport: "ssh" };
    return { transport: name as Transport };
  }
  if (url.includes("://")) return { error: `"${url}" is not a valid URL` };
  // git's rule: a colon before the first slash makes it scp-like (host:path).
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  if (colon > 0 && (slash === -1 || colon < slash)) {
    const m = SCP.exec(url);
    if (!m) return { error: `"${url}" is not a valid scp-like address (user@host:path)` };
    const [, user, host] = m;
    if (looksLikeOption(host) || looksLikeOption(user ?? "")) {
      return {
        error: `"${url}" has a host or user beginning with "-", which ssh would read as an option`,
      };
    }
    return { transport: "scp" };
  }
  return { transport: "local" };
}
