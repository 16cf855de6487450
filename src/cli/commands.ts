/**
 * The command table: every command, its options, arguments and examples.
 * Parsing, help and shell completions all come from here.
 *
 * @module
 */
import type { CommandSpec, OptionSpec } from "./args.ts";
import type { Context } from "./context.ts";

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flags: "-C, --directory <dir>", description: "run as if started in <dir>" },
  { flags: "--config <file>", description: "use this wrknv.toml instead of searching for one" },
  { flags: "--json", description: "print one JSON document on stdout" },
  { flags: "-q, --quiet", description: "print less" },
  { flags: "-v, --verbose", description: "print more, and stack traces on errors" },
  { flags: "--no-color", description: "no colours (also NO_COLOR)" },
];

const SELECTION: OptionSpec[] = [
  { flags: "--only <names>", description: "only these siblings (comma-separated)" },
  {
    flags: "--group <groups>",
    description:
      "only siblings in these groups (comma-separated); +NAME adds a group that is off by default, -NAME leaves one out",
  },
  { flags: "--layer <layer>", description: "only siblings in this layer" },
  { flags: "--all", description: "every sibling, those in workspace.inactive_groups too" },
];

const CLONE: OptionSpec[] = [
  { flags: "-j, --jobs <n>", description: "clones at once (default 8)" },
  { flags: "--retry <n>", description: "retries of a transient network failure (default 2)" },
  { flags: "--timeout <seconds>", description: "give up on one clone after this long" },
  { flags: "--depth <n>", description: "shallow clones of this depth" },
  { flags: "--filter <spec>", description: "partial clones, e.g. blob:none" },
  {
    flags: "--reference <dir>",
    description: "borrow objects from <dir>/<name>.git where it exists",
  },
  {
    flags: "--link-from <dir>",
    description: "symlink <dir>/<name> into place where it is a clone",
  },
  { flags: "--locked", description: "check out the commits in wrknv.lock" },
  { flags: "--no-cache", description: "do not use the cache of bare mirrors" },
];

const INSTALL: OptionSpec[] = [
  {
    flags: "--offline",
    description:
      "no network: install from --find-links only (--no-index); up also clones from the mirror cache",
  },
  { flags: "--find-links <dir...>", description: "wheel directories (implies --offline)" },
  { flags: "--recreate", description: "remove the venv and make it again" },
  { flags: "--no-hooks", description: "do not run the workspace's hooks" },
  { flags: "--force", description: "reinstall even when everything is up to date" },
];

/** A command's body: the context, its options, its arguments; returns the exit code. */
// deno-lint-ignore no-explicit-any
export type Body = (ctx: Context, options: any, ...args: any[]) => Promise<number>;

/** A command with the code that runs it (imported only when it runs). */
export interface Command extends CommandSpec {
  /** Load the body. */
  load: () => Promise<Body>;
}

/** Every command, in the order `wrknv --help` lists them. */
export const COMMANDS: Command[] = [
  {
    name: "init",
    description: "write wrknv.toml: a wizard in a terminal, flags with --yes",
    options: [
      { flags: "-y, --yes", description: "no questions: take the answers from the flags" },
      { flags: "--name <name>", description: "workspace name (default: the directory's)" },
      { flags: "--root <dir>", description: "where siblings live (default ..)" },
      { flags: "--discover", description: "add the git repositories found under the root" },
      { flags: "--sibling <url...>", description: "add a sibling: URL or URL=PATH (repeatable)" },
      {
        flags: "--from <file>",
        description:
          "take siblings from a .repos, .gitmodules, gita, mani, meta, west or repo manifest",
      },
      {
        flags: "--python <spec>",
        description: "Python version specifier (default: from the siblings)",
      },
      { flags: "--venv <path>", description: "the shared venv (default .venv)" },
      { flags: "--installer <name>", description: "auto, uv or pip (default auto)" },
      { flags: "--extras <list>", description: "default extras, comma-separated" },
      { flags: "--layers <list>", description: "layer names, bottom-up, comma-separated" },
      { flags: "--force", description: "overwrite an existing wrknv.toml" },
    ],
    examples: [
      "wrknv init",
      "wrknv init --yes --discover",
      "wrknv init --yes --name provide --sibling https://github.com/org/lib.git",
      "wrknv init --yes --from ../.repos",
    ],
    load: async () => (await import("./init.ts")).initCommand,
  },
  {
    name: "up",
    description: "bootstrap, then setup, then validate: the one command a newcomer runs",
    options: [...SELECTION, ...CLONE, ...INSTALL, {
      flags: "--from <bundle>",
      description: "bring the workspace up from a bundle (offline)",
    }],
    examples: [
      "wrknv up",
      "wrknv up --offline --find-links ./wheels",
      "wrknv up --from /media/usb/provide-bundle",
    ],
    load: async () => (await import("./up.ts")).upCommand,
  },
  {
    name: "bootstrap",
    description: "clone every missing sibling, in parallel, safely and resumably",
    options: [...SELECTION, ...CLONE, {
      flags: "--offline",
      description: "no network: clone from the mirror cache as it is, saying how old",
    }, {
      flags: "--from <bundle>",
      description: "clone from a bundle made by wrknv bundle",
    }],
    examples: [
      "wrknv bootstrap",
      "wrknv bootstrap --offline",
      "wrknv bootstrap --only provide-foundation,provide-testkit --depth 1",
      "wrknv bootstrap --locked --json",
    ],
    load: async () => (await import("./bootstrap.ts")).bootstrapCommand,
  },
  {
    name: "setup",
    description: "make the shared venv and install every sibling editable, in dependency order",
    options: [...SELECTION, ...INSTALL],
    examples: [
      "wrknv setup",
      "wrknv setup --offline --find-links ./wheels",
      "wrknv setup --recreate",
    ],
    load: async () => (await import("./setup.ts")).setupCommand,
  },
  {
    name: "validate",
    description: "check tools, siblings, the venv and imports, and say how to fix what is wrong",
    options: [
      ...SELECTION,
      { flags: "--tests", description: "also run pytest -q in every sibling that has tests/" },
      { flags: "-j, --jobs <n>", description: "test runs at once" },
    ],
    examples: [
      "wrknv validate",
      "wrknv validate --tests",
      "wrknv validate --json | jq '.checks[] | select(.status != \"ok\")'",
    ],
    load: async () => (await import("./validate.ts")).validateCommand,
  },
  {
    name: "status",
    description: "branch, changes and upstream of every sibling, in a table",
    options: [...SELECTION, { flags: "--fetch", description: "fetch every sibling first" }, {
      flags: "-j, --jobs <n>",
      description: "git commands at once",
    }],
    examples: ["wrknv status", "wrknv status --fetch --group core"],
    load: async () => (await import("./daily.ts")).statusCommand,
  },
  {
    name: "sync",
    description: "fetch and fast-forward every sibling; clone the missing ones",
    options: [
      ...SELECTION,
      { flags: "--rebase", description: "rebase diverged branches onto their upstream" },
      { flags: "--no-clone", description: "do not clone missing siblings" },
      { flags: "--locked", description: "check out the commits in wrknv.lock" },
      { flags: "-j, --jobs <n>", description: "siblings at once" },
    ],
    examples: ["wrknv sync", "wrknv sync --locked"],
    load: async () => (await import("./daily.ts")).syncCommand,
  },
  {
    name: "exec",
    description: "run a command in every sibling's directory, in parallel",
    args: [["[command...]", "the command and its arguments, after --"]],
    options: [
      ...SELECTION,
      { flags: "-j, --jobs <n>", description: "commands at once (default 4)" },
      { flags: "-k, --keep-going", description: "run in every sibling even after one fails" },
      { flags: "--shell <script>", description: "run this with sh -c instead" },
      { flags: "--stream", description: "print lines as they come, prefixed with the sibling" },
    ],
    examples: ["wrknv exec -- git log -1 --oneline", "wrknv exec --keep-going --shell 'pytest -q'"],
    notes: "The command runs with WRKNV_SIBLING and WRKNV_SIBLING_PATH set.",
    load: async () => (await import("./daily.ts")).execCommand,
  },
  {
    name: "lock",
    description: "pin every sibling's commit in wrknv.lock",
    examples: ["wrknv lock && git add wrknv.lock"],
    load: async () => (await import("./daily.ts")).lockCommand,
  },
  {
    name: "graph",
    description: "print the install order as layers, or as dot, mermaid or json",
    options: [...SELECTION, {
      flags: "--format <format>",
      description: "text (default), dot, mermaid or json",
    }],
    examples: ["wrknv graph", "wrknv graph --format dot | dot -Tsvg > graph.svg"],
    load: async () => (await import("./graph.ts")).graphCommand,
  },
  {
    name: "add",
    description: "add a sibling to wrknv.toml, keeping its comments",
    args: [["<url>", "the sibling's clone URL"]],
    options: [
      { flags: "--name <name>", description: "its name (default: from the URL)" },
      { flags: "--path <path>", description: "where it lives (default: <root>/<name>)" },
      { flags: "--layer <layer>", description: "its layer" },
      { flags: "--group <group...>", description: "its groups" },
      { flags: "--revision <rev>", description: "a branch, tag or commit to check out" },
      { flags: "--depends-on <name...>", description: "siblings to install before it" },
      { flags: "--no-install", description: "not a Python package: clone it, do not install it" },
    ],
    examples: [
      "wrknv add https://github.com/org/lib.git --layer foundation",
      "wrknv add git@github.com:org/docs.git --no-install",
    ],
    load: async () => (await import("./edit.ts")).addCommand,
  },
  {
    name: "remove",
    description: "remove a sibling from wrknv.toml (its files stay)",
    args: [["<name>", "the sibling's name"]],
    examples: ["wrknv remove old-lib"],
    load: async () => (await import("./edit.ts")).removeCommand,
  },
  {
    name: "export",
    description: "write the siblings as a vcstool .repos or a .gitmodules file",
    options: [{ flags: "--format <format>", description: "repos or gitmodules" }],
    examples: ["wrknv export --format repos > workspace.repos"],
    load: async () => (await import("./export.ts")).exportCommand,
  },
  {
    name: "bundle",
    description: "write the workspace (repositories and wheels) to a directory for offline use",
    args: [["<out>", "the directory to write"]],
    options: [{ flags: "--archive", description: "also pack it as one .tar.gz" }],
    examples: ["wrknv bundle /media/usb/provide-bundle --archive"],
    load: async () => (await import("./bundle.ts")).bundleCommand,
  },
  {
    name: "cache",
    description: "the shared cache of bare mirrors: info or prune",
    args: [["<action>", "info or prune"]],
    options: [
      {
        flags: "--older-than <days>",
        description: "prune mirrors not used for this many days (default 30)",
      },
      { flags: "--all", description: "prune every mirror" },
    ],
    examples: ["wrknv cache info", "wrknv cache prune --older-than 7"],
    load: async () => (await import("./bundle.ts")).cacheCommand,
  },
  {
    name: "trust",
    description: "allow this wrknv.toml's hooks to run (until the file changes)",
    options: [
      { flags: "-y, --yes", description: "trust without asking" },
      { flags: "--revoke", description: "forget the trust" },
    ],
    examples: ["wrknv trust", "wrknv trust --revoke"],
    load: async () => (await import("./setup.ts")).trustCommand,
  },
  {
    name: "config",
    description: "print the resolved workspace",
    examples: ["wrknv config", "wrknv config --json | jq '.siblings[].path'"],
    load: async () => (await import("./config.ts")).configCommand,
  },
  {
    name: "schema",
    description: "print the JSON Schema of wrknv.toml, for editors",
    examples: ["wrknv schema > wrknv.schema.json"],
    load: async () => (await import("./schema.ts")).schemaCommand,
  },
  {
    name: "demo",
    description: "build an example workspace in a temporary directory and bring it up, offline",
    options: [{ flags: "--keep <dir>", description: "build it in <dir> instead, and keep it" }],
    examples: ["wrknv demo"],
    load: async () => (await import("./demo.ts")).demoCommand,
  },
  {
    name: "completions",
    description: "print a shell completion script: bash, zsh or fish",
    args: [["<shell>", "bash, zsh or fish"]],
    examples: ["wrknv completions bash > ~/.local/share/bash-completion/completions/wrknv"],
    load: async () => (await import("./completions.ts")).completionsCommand,
  },
  {
    name: "upgrade",
    description: "replace this wrknv with the latest release (or --version V)",
    options: [{ flags: "--version <v>", description: "the version to install" }],
    examples: ["wrknv upgrade", "wrknv upgrade --version 0.2.0"],
    load: async () => (await import("./upgrade.ts")).upgradeCommand,
  },
];
