/**
 * Names in wrknv.toml (the workspace's, siblings', layers', groups'): the one
 * rule the loader, the wizard and `add` all apply, and the name a URL gives.
 *
 * @module
 */
import { hidingCharacter } from "../text.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Why `name` cannot be a name, in words that start with `what` ("the
 * workspace name", `name "x"`), or null when it can.
 */
export function nameProblem(name: string, what: string): string | null {
  if (hidingCharacter(name)) return `${what} holds a control character`;
  if (name.includes("/") || name.includes("\\")) {
    return `${what} ${JSON.stringify(name)} holds a path separator`;
  }
  if (name === "." || name === ".." || name.includes("..")) {
    return `${what} ${JSON.stringify(name)} holds ".."`;
  }
  if (!NAME.test(name)) {
    return `${what} ${
      JSON.stringify(name)
    } must start with a letter or digit and hold only letters, digits, ".", "_" and "-"`;
  }
  return null;
}

/** The default name of a sibling cloned from `url`: its last path part, without `.git`. */
export function nameFromUrl(url: string): string {
  const trimmed = url.replace(/[/\\]+$/, "").replace(/\.git$/, "");
  const last = trimmed.split(/[/\\:]/).filter((p) => p !== "").pop() ?? "";
  return last.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "").replace(/\.\.+/g, ".");
}
