/**
 * A layered workspace of real git repositories with real pyproject.toml
 * files, cloned by `wrknv bootstrap`, for the cross-repository commands.
 *
 * ```
 * core <- framework <- tools <- plugin      (Python, [project].dependencies)
 *            ^-- docs (not Python, depends_on framework)
 * core <- kit (only through kit's `test` extra)
 * lone, site (unrelated; site is not Python)
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeRemote, type Remote } from "./git.ts";
import { makeWorkspace, type TestWorkspace } from "./workspace.ts";
import { wrknv } from "./cli.ts";

/** The siblings, in wrknv.toml's order (not install order). */
export const LAYERED = ["plugin", "docs", "tools", "lone", "framework", "kit", "core", "site"];

// Requirements spelled as people write them: any case, _ or -, versions, markers.
const PYPROJECTS: Record<string, string> = {
  core: '[project]\nname = "wrknvtest-core"\nversion = "0.1"\n',
  framework:
    '[project]\nname = "wrknvtest-framework"\nversion = "0.1"\ndependencies = ["WrknvTest_Core>=0.1"]\n',
  tools: "[project]\nname = 'wrknvtest-tools'\nversion = '1'\n" +
    "dependencies = [\n  'wrknvtest.framework ; python_version >= \"3.8\"',\n]\n",
  plugin: '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n' +
    '[project]\nname = "wrknvtest-plugin"\nversion = "0.1"\n' +
    'dependencies = ["wrknvtest-tools", "wrknvtest-framework~=0.1"]\n',
  lone: '[project]\nname = "wrknvtest-lone"\nversion = "0"\n',
  kit: '[project]\nname = "wrknvtest-kit"\nversion = "0"\n\n' +
    '[project.optional-dependencies]\ntest = ["wrknvtest-core"]\n',
};

/** The layered workspace. */
export interface Layered {
  /** The workspace. */
  ws: TestWorkspace;
  /** Each sibling's remote, by name. */
  remotes: Record<string, Remote>;
}

/** Make the remotes, write wrknv.toml and bootstrap (every sibling on `main`, tracking origin). */
export async function layeredWorkspace(dir: string): Promise<Layered> {
  const remotes: Record<string, Remote> = {};
  await Promise.all(LAYERED.map(async (name) => {
    const files: Record<string, string> = { "README.md": `# ${name}\n` };
    if (PYPROJECTS[name]) {
      files["pyproject.toml"] = PYPROJECTS[name];
      const pkg = `wrknvtest_${name}`;
      files[`src/${pkg}/__init__.py`] = `"""${name}"""\nNEEDLE_${name.toUpperCase()} = 1\n`;
    } else files["index.md"] = `# ${name} pages\n`;
    remotes[name] = await makeRemote(join(dir, "remotes"), name, { files });
  }));
  const ws = await makeWorkspace(
    join(dir, "ws"),
    LAYERED.map((name) => ({
      name,
      repo: remotes[name].url,
      ...(name === "docs" ? { install: false, depends_on: ["framework"] } : {}),
      ...(name === "site" ? { install: false } : {}),
    })),
    { workspace: "" },
  );
  const r = await wrknv(["bootstrap", "--no-cache"], { cwd: ws.meta });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { ws, remotes };
}
