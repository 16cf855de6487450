/**
 * Finding programs on PATH without spawning anything (an empty PATH entry is
 * never taken for the current directory).
 *
 * @module
 */

/**
 * Find an executable on PATH without spawning anything. A name holding a `/`
 * is checked as a path. Returns the path found, or null.
 */
export async function which(
  name: string,
  options: { path?: string } = {},
): Promise<string | null> {
  if (name.length === 0) return null;
  const windows = Deno.build.os === "windows";
  if (name.includes("/") || (windows && name.includes("\\"))) {
    return await isExecutable(name) ? name : null;
  }
  let pathVar = options.path;
  if (pathVar === undefined) {
    try {
      pathVar = Deno.env.get("PATH") ?? "";
    } catch {
      pathVar = "";
    }
  }
  const exts = windows ? ["", ...(Deno.env.get("PATHEXT") ?? ".EXE;.CMD;.BAT").split(";")] : [""];
  for (const dir of pathVar.split(windows ? ";" : ":")) {
    // An empty entry means the current directory: never search it implicitly.
    if (dir === "") continue;
    for (const ext of exts) {
      const candidate = `${dir.replace(/[\\/]+$/, "")}/${name}${ext}`;
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return false;
    return info.mode === null || (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
