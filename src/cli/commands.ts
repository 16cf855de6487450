/**
 * The command table: every command, its options, arguments and examples.
 * Parsing, help and shell completions all come from here.
 *
 * @module
 */
import type { CommandSpec, OptionsOf, OptionSpec, OptionValue } from "./args.ts";
import type { Context } from "./context.ts";
import type { ExitStatus } from "../errors.ts";
import { AFFECTED, CLONE, GLOBAL_OPTIONS, INSTALL, SELECTION, SINCE } from "./options.ts";
import { STATUS_LEGEND } from "../ui/style.ts";

const DRY_RUN = {
  flags: "--dry-run",
  description: "say what would be done, and change nothing",
} as const satisfies OptionSpec;

export { GLOBAL_OPTIONS };

/** What a positional argument holds once parsed. */
export type ArgValue = string | string[] | undefined;

/** A command's body: the context, its options, its arguments; returns the exit code. */
export type Body = (
  ctx: Context,
  options: Record<string, OptionValue>,
  ...args: ArgValue[]
) => Promise<ExitStatus>;

/** A command with the code that runs it (imported only when it runs). */
export interface Command extends CommandSpec {
  /** Load the body. */
  load: () => Promise<Body>;
}

/**
 * A table entry: the spec, and a loader whose body must accept what the
 * parser makes of the spec's options. The one cast from the typed body to the
 * table's common type is here.
 */
function command<const T extends readonly OptionSpec[], A extends ArgValue[]>(
  spec: Omit<CommandSpec, "options"> & {
    options?: T;
    load: () => Promise<(ctx: Context, options: OptionsOf<T>, ...args: A) => Promise<ExitStatus>>;
  },
): Command {
  return spec as unknown as Command;
}

/** Every command, in the order `wrknv --help` lists them. */
export const COMMANDS: Command[] = [
  command({
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
          "take siblings from a .repos, .rosinstall, .gitmodules, gita, mani, meta, west or repo manifest",
      },
      {
        flags: "--base-url <url>",
        description:
          "with --from: the URL of the repository holding the manifest, for its relative URLs (default: its origin)",
      },
      {
        flags: "--python <spec>",
        description: "Python version specifier (default: from the siblings)",
      },
      { flags: "--venv <path>", description: "the shared venv (default .venv)" },
      {
        flags: "--installer <name>",
        choices: ["auto", "uv", "pip"],
        default: "auto",
        description: "the installer",
      },
      { flags: "--extras <list>", type: "list", description: "default extras" },
      { flags: "--layers <list>", type: "list", description: "layer names, bottom-up" },
      { flags: "--force", description: "overwrite an existing wrknv.toml" },
    ],
    examples: [
      "wrknv init",
      "wrknv init --yes --discover",
      "wrknv init --yes --name provide --sibling https://github.com/org/lib.git",
      "wrknv init --yes --from ../.repos",
      "wrknv init --yes --from ../zephyr/west.yml",
      "wrknv init --yes --from ../.repo/manifest.xml",
      "wrknv init --yes --from boost/.gitmodules --base-url https://github.com/boostorg/boost.git",
    ],
    load: async () => (await import("./init.ts")).initCommand,
  }),
  command({
    name: "up",
    description: "bootstrap, then setup, then validate: the one command a newcomer runs",
    options: [...SELECTION, ...CLONE, ...INSTALL, DRY_RUN, {
      flags: "--from <bundle>",
      description: "bring the workspace up from a bundle (offline)",
    }],
    examples: [
      "wrknv up",
      "wrknv up --offline --find-links ./wheels",
      "wrknv up --from /media/usb/provide-bundle",
    ],
    load: async () => (await import("./up.ts")).upCommand,
  }),
  command({
    name: "bootstrap",
    description: "clone every missing sibling, in parallel, safely and resumably",
    options: [...SELECTION, ...CLONE, DRY_RUN, {
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
  }),
  command({
    name: "setup",
    description: "make the shared venv and install every sibling editable, in dependency order",
    options: [...SELECTION, ...INSTALL],
    examples: [
      "wrknv setup",
      "wrknv setup --offline --find-links ./wheels",
      "wrknv setup --recreate",
    ],
    load: async () => (await import("./setup.ts")).setupCommand,
  }),
  command({
    name: "validate",
    description: "check tools, siblings, the venv and imports, and say how to fix what is wrong",
    options: [
      ...SELECTION,
      { flags: "--tests", description: "also run pytest -q in every sibling that has tests/" },
      { flags: "-j, --jobs <n>", type: "int", min: 1, description: "test runs at once" },
      ...AFFECTED,
    ],
    examples: [
      "wrknv validate",
      "wrknv validate --tests",
      "wrknv validate --tests --affected --since origin/main",
      "wrknv validate --json | jq '.checks[] | select(.status != \"ok\")'",
    ],
    load: async () => (await import("./validate.ts")).validateCommand,
  }),
  command({
    name: "status",
    description: "branch, changes and upstream of every sibling, in a table",
    options: [...SELECTION, { flags: "--fetch", description: "fetch every sibling first" }, {
      flags: "-j, --jobs <n>",
      type: "int",
      min: 1,
      description: "git commands at once",
    }],
    examples: ["wrknv status", "wrknv status --fetch --group core"],
    notes: STATUS_LEGEND,
    load: async () => (await import("./status.ts")).statusCommand,
  }),
  command({
    name: "sync",
    description: "fetch and fast-forward every sibling; clone the missing ones",
    options: [
      ...SELECTION,
      { flags: "--rebase", description: "rebase diverged branches onto their upstream" },
      { flags: "--no-clone", description: "do not clone missing siblings" },
      DRY_RUN,
      { flags: "--locked", description: "check out the commits in wrknv.lock" },
      { flags: "-j, --jobs <n>", type: "int", min: 1, description: "siblings at once" },
      {
        flags: "--timeout <seconds>",
        type: "int",
        min: 1,
        description: "give up on one sibling's fetch (or clone) after this long (default 300)",
      },
    ],
    examples: ["wrknv sync", "wrknv sync --locked", "wrknv sync --timeout 30"],
    load: async () => (await import("./sync.ts")).syncCommand,
  }),
  command({
    name: "exec",
    description: "run a command in every sibling's directory, in parallel",
    args: [["[command...]", "the command and its arguments, after --"]],
    options: [
      ...SELECTION,
      { flags: "-j, --jobs <n>", type: "int", min: 1, default: 4, description: "commands at once" },
      { flags: "-k, --keep-going", description: "run in every sibling even after one fails" },
      { flags: "--shell <script>", description: "run this with sh -c instead" },
      { flags: "--stream", description: "print lines as they come, prefixed with the sibling" },
      ...AFFECTED,
    ],
    examples: [
      "wrknv exec -- git log -1 --oneline",
      "wrknv exec --keep-going --shell 'pytest -q'",
      "wrknv exec --affected --since lock -- make check",
    ],
    notes: "The command runs with WRKNV_SIBLING and WRKNV_SIBLING_PATH set.",
    load: async () => (await import("./exec.ts")).execCommand,
  }),
  command({
    name: "run",
    description: "run a command with the shared venv active, here or in every sibling",
    args: [["[command...]", "the command and its arguments, after --"]],
    options: [
      { flags: "--each", description: "run it in every sibling's directory, as exec does" },
      ...SELECTION,
      { flags: "-j, --jobs <n>", type: "int", min: 1, description: "with --each: at once (4)" },
      { flags: "-k, --keep-going", description: "with --each: go on after a failure" },
      { flags: "--shell <script>", description: "with --each: run this with sh -c instead" },
      { flags: "--stream", description: "with --each: print lines as they come" },
      ...AFFECTED,
    ],
    examples: [
      "wrknv run -- pytest -q",
      "wrknv run -- python -c 'import sys; print(sys.prefix)'",
      "wrknv run --each -- pytest -q",
      "wrknv run --each --affected -- pytest -q",
    ],
    notes:
      "The venv's bin/ comes first on PATH and VIRTUAL_ENV is set, as after activating it; its exit code is wrknv's.",
    load: async () => (await import("./run.ts")).runCommand,
  }),
  command({
    name: "affected",
    description: "the siblings that changed, and every sibling that depends on them",
    options: [...SELECTION, ...SINCE, {
      flags: "--format <format>",
      choices: ["text", "json", "github-matrix"],
      default: "text",
      description: "the output",
    }, { flags: "-j, --jobs <n>", type: "int", min: 1, description: "git commands at once" }],
    examples: [
      "wrknv affected",
      "wrknv affected --since lock --committed --json",
      'echo "matrix=$(wrknv affected --since origin/main --format github-matrix)" >> "$GITHUB_OUTPUT"',
    ],
    load: async () => (await import("./affected.ts")).affectedCommand,
  }),
  command({
    name: "branch",
    description: "make a feature branch in the selected siblings and check it out",
    args: [["<name>", "the branch"]],
    options: [...SELECTION, ...AFFECTED, {
      flags: "-j, --jobs <n>",
      type: "int",
      min: 1,
      description: "at once",
    }],
    examples: ["wrknv branch login-page --only core,web", "wrknv branch fix-123 --affected"],
    notes: "A sibling with local changes is refused and left as it is.",
    load: async () => (await import("./branch.ts")).branchCommand,
  }),
  command({
    name: "switch",
    description: "check out a branch in every sibling that has it",
    args: [["<name>", "the branch"]],
    options: [...SELECTION, {
      flags: "-j, --jobs <n>",
      type: "int",
      min: 1,
      description: "at once",
    }],
    examples: ["wrknv switch login-page", "wrknv switch main"],
    notes: "Siblings without the branch, and those with local changes, are reported, not moved.",
    load: async () => (await import("./branch.ts")).switchCommand,
  }),
  command({
    name: "grep",
    description: "git grep in every sibling at once, matches grouped by sibling",
    args: [["<pattern>", "what to look for (git grep's basic regex)"], [
      "[pathspec...]",
      "only these paths, after --",
    ]],
    options: [
      ...SELECTION,
      { flags: "-i, --ignore-case", description: "ignore case" },
      { flags: "-w, --word-regexp", description: "match whole words" },
      { flags: "-F, --fixed-strings", description: "the pattern is a plain string" },
      { flags: "-E, --extended-regexp", description: "the pattern is an extended regex" },
      { flags: "-l, --files-with-matches", description: "print file names only" },
      { flags: "-j, --jobs <n>", type: "int", min: 1, default: 8, description: "searches at once" },
      ...AFFECTED,
    ],
    examples: ["wrknv grep -w get_logger -- '*.py'", "wrknv grep -F 'TODO(' --affected"],
    notes:
      "Exit code 0 when something matched, 1 when nothing did, 2 when git refused the pattern.",
    load: async () => (await import("./grep.ts")).grepCommand,
  }),
  command({
    name: "lock",
    description: "pin every sibling's commit in wrknv.lock",
    options: [{
      flags: "--require-pushed",
      description: "fail, writing nothing, when a commit is on no remote-tracking branch",
    }],
    examples: ["wrknv lock && git add wrknv.lock", "wrknv lock --require-pushed"],
    load: async () => (await import("./lock.ts")).lockCommand,
  }),
  command({
    name: "graph",
    description: "print the install order as layers, or as dot, mermaid or json",
    options: [...SELECTION, {
      flags: "--format <format>",
      choices: ["text", "dot", "mermaid", "json"],
      default: "text",
      description: "how to print it",
    }],
    examples: ["wrknv graph", "wrknv graph --format dot | dot -Tsvg > graph.svg"],
    load: async () => (await import("./graph.ts")).graphCommand,
  }),
  command({
    name: "add",
    description: "add a sibling to wrknv.toml, keeping its comments",
    args: [["<url>", "the sibling's clone URL"]],
    options: [
      { flags: "--name <name>", description: "its name (default: from the URL)" },
      { flags: "--path <path>", description: "where it lives (default: <root>/<name>)" },
      { flags: "--layer <layer>", description: "its layer" },
      { flags: "--group <groups>", type: "list", description: "its groups" },
      { flags: "--revision <rev>", description: "a branch, tag or commit to check out" },
      { flags: "--depends-on <names>", type: "list", description: "siblings to install before it" },
      { flags: "--no-install", description: "not a Python package: clone it, do not install it" },
    ],
    examples: [
      "wrknv add https://github.com/org/lib.git --layer foundation",
      "wrknv add git@github.com:org/docs.git --no-install",
    ],
    load: async () => (await import("./edit.ts")).addCommand,
  }),
  command({
    name: "remove",
    description: "remove a sibling from wrknv.toml (its files stay)",
    args: [["<name>", "the sibling's name"]],
    options: [DRY_RUN],
    examples: ["wrknv remove old-lib", "wrknv remove old-lib --dry-run"],
    load: async () => (await import("./edit.ts")).removeCommand,
  }),
  command({
    name: "export",
    noJson: "it prints a .repos or .gitmodules file",
    description: "write the siblings as a vcstool .repos or a .gitmodules file",
    options: [{
      flags: "--format <format>",
      choices: ["repos", "gitmodules"],
      description: "the file's format",
    }],
    examples: ["wrknv export --format repos > workspace.repos"],
    load: async () => (await import("./export.ts")).exportCommand,
  }),
  command({
    name: "bundle",
    description: "write the workspace (repositories and wheels) to a directory for offline use",
    args: [["<out>", "the directory to write"]],
    options: [{ flags: "--archive", description: "also pack it as one .tar.gz" }],
    examples: ["wrknv bundle /media/usb/provide-bundle --archive"],
    load: async () => (await import("./bundle.ts")).bundleCommand,
  }),
  command({
    name: "cache",
    description: "the shared cache of bare mirrors: info or prune",
    args: [["<action>", "what to do", ["info", "prune"]]],
    options: [
      {
        flags: "--older-than <days>",
        type: "int",
        default: 30,
        description: "prune mirrors not used for this many days",
      },
      { flags: "--all", description: "prune every mirror" },
    ],
    examples: ["wrknv cache info", "wrknv cache prune --older-than 7"],
    load: async () => (await import("./bundle.ts")).cacheCommand,
  }),
  command({
    name: "trust",
    description: "allow this wrknv.toml's hooks to run (until a hook changes)",
    options: [
      { flags: "-y, --yes", description: "trust without asking" },
      { flags: "--revoke", description: "forget the trust" },
    ],
    examples: ["wrknv trust", "wrknv trust --revoke"],
    load: async () => (await import("./trust.ts")).trustCommand,
  }),
  command({
    name: "config",
    description: "print the resolved workspace",
    examples: ["wrknv config", "wrknv config --json | jq '.siblings[].path'"],
    load: async () => (await import("./config.ts")).configCommand,
  }),
  command({
    name: "schema",
    description: "print the JSON Schema of wrknv.toml, for editors",
    examples: ["wrknv schema > wrknv.schema.json"],
    load: async () => (await import("./schema.ts")).schemaCommand,
  }),
  command({
    name: "demo",
    description: "build an example workspace in a temporary directory and bring it up, offline",
    options: [{ flags: "--keep <dir>", description: "build it in <dir> instead, and keep it" }],
    examples: ["wrknv demo"],
    load: async () => (await import("./demo.ts")).demoCommand,
  }),
  command({
    name: "completions",
    noJson: "it prints a shell script",
    description: "print a shell completion script: bash, zsh or fish",
    args: [["<shell>", "the shell", ["bash", "zsh", "fish"]]],
    examples: ["wrknv completions bash > ~/.local/share/bash-completion/completions/wrknv"],
    load: async () => {
      const { completionsCommand } = await import("./completions.ts");
      // The table is handed over, so completions.ts never imports this file.
      return (ctx, _flags, shell: "bash" | "zsh" | "fish") =>
        completionsCommand(ctx, shell, COMMANDS, GLOBAL_OPTIONS);
    },
  }),
  command({
    name: "upgrade",
    description: "replace this wrknv with the latest release (or --to V)",
    options: [{ flags: "--to <version>", description: "the version to install (default: latest)" }],
    examples: ["wrknv upgrade", "wrknv upgrade --to 0.2.0"],
    load: async () => (await import("./upgrade.ts")).upgradeCommand,
  }),
];
