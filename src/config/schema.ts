/**
 * The zod schema of wrknv.toml: the single source of truth for its keys, their
 * types and defaults. The JSON Schema for editors (`wrknv schema`) is generated
 * from it.
 *
 * @module
 */
import { z } from "zod";

const stringList = (what: string) => z.array(z.string()).describe(what);

/** `[workspace.python]` */
export const pythonSchema = z.strictObject({
  version: z.string().default(">=3.11").describe(
    "PEP 440 version specifier the shared Python must satisfy, checked by setup and validate",
  ),
  venv: z.string().default(".venv").describe(
    "The one shared virtual environment, relative to the directory holding wrknv.toml",
  ),
  installer: z.enum(["auto", "uv", "pip"]).default("auto").describe(
    "auto: uv when it is on PATH, else python -m venv and pip",
  ),
  extras: stringList(
    "Default extras, falling back to none where a sibling lacks them",
  ).default([]),
});

/** `[workspace.hooks]` */
export const hooksSchema = z.strictObject({
  pre_install: stringList("Shell commands run before installing; only in a trusted workspace")
    .default([]),
  post_install: stringList("Shell commands run after installing; only in a trusted workspace")
    .default([]),
});

/** `[workspace]` */
export const workspaceSchema = z.strictObject({
  name: z.string().optional().describe(
    "Workspace name; defaults to the name of the directory holding wrknv.toml",
  ),
  root: z.string().default("..").describe(
    "Where siblings live, relative to the directory holding wrknv.toml",
  ),
  layers: stringList("Optional layer names, bottom-up").default([]),
  inactive_groups: stringList(
    "Groups left out unless asked for (--group NAME, --group +NAME, --all): their siblings are not cloned, checked or installed by default, like west's group-filter [-NAME] and repo's notdefault",
  ).default([]),
  python: pythonSchema.default({
    version: ">=3.11",
    venv: ".venv",
    installer: "auto",
    extras: [],
  }).describe("The shared Python environment"),
  hooks: hooksSchema.default({ pre_install: [], post_install: [] }).describe(
    "Shell commands that run only once the workspace is trusted (wrknv trust)",
  ),
});

/** One `[[siblings]]` entry. */
export const siblingSchema = z.strictObject({
  name: z.string().describe("Unique name; the default directory under root"),
  repo: z.string().describe(
    "Clone URL: a local path, file://, git://, ssh://, http(s):// or user@host:path",
  ),
  path: z.string().optional().describe(
    "Where the sibling lives, relative to the directory holding wrknv.toml; default <root>/<name>",
  ),
  revision: z.string().optional().describe(
    "Branch, tag, commit, or another ref the server advertises (pull/104/head) to check out",
  ),
  depth: z.number().int().positive().optional().describe(
    "Clone shallow with this many commits (bootstrap --depth overrides it)",
  ),
  layer: z.string().optional().describe("One of workspace.layers"),
  depends_on: stringList(
    "Siblings installed first; dependencies found in pyproject.toml are added",
  ).default([]),
  groups: stringList("Groups, for --group selection").default([]),
  install: z.boolean().default(true).describe("false for a non-Python sibling"),
  import: stringList(
    "Import names checked by validate; default: found from the package layout",
  ).optional(),
});

/** The whole file. */
export const configSchema = z.strictObject({
  workspace: workspaceSchema.describe("The workspace"),
  siblings: z.array(siblingSchema).default([]).describe("The sibling repositories"),
});

/** wrknv.toml as parsed and defaulted, before semantic checks and path resolution. */
export type RawConfig = z.infer<typeof configSchema>;

/** wrknv.lock: a commit per sibling. */
export const lockSchema = z.strictObject({
  version: z.literal(1),
  siblings: z.array(z.strictObject({
    name: z.string(),
    repo: z.string(),
    commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "expected a full commit hash"),
  })).default([]),
});

/** The JSON Schema of wrknv.toml, for editors (Taplo, Even Better TOML). */
export function jsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-7" });
  return {
    ...schema,
    $id: "https://wrknv.dev/wrknv.schema.json",
    title: "wrknv.toml",
    description: "A wrknv workspace: the meta-repository's list of sibling repositories",
  };
}
