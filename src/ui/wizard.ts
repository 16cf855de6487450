/**
 * The `wrknv init` wizard: the prompt half of init. It asks, checks each
 * answer at its prompt with the rules the loader applies, lets the user go
 * back one question (`<` at a text prompt, "back" in a list), and returns the
 * answers; what to discover, propose, preview and write is given to it by
 * the command (src/cli/init.ts), so this file imports neither cli/ nor ops/.
 * Ctrl-C at any point writes nothing and exits 130.
 *
 * @module
 */
import { basename, resolve } from "node:path";
import { checkbox, input, select } from "@inquirer/prompts";
import { InterruptedError } from "../errors.ts";
import { CONFIG_FILE } from "../config/paths.ts";
import { nameFromUrl, nameProblem } from "../config/names.ts";
import { checkRepoUrl } from "../config/url.ts";
import type { Installer } from "../config/types.ts";
import { readPythonSpec } from "../python/pep440.ts";

/** A git repository found under the root. */
export interface FoundRepo {
  /** Its directory's name. */
  name: string;
  /** Its origin URL, if it has one. */
  origin?: string | null;
  /** Its directory. */
  path: string;
}

/** A sibling as the wizard answers it. */
export interface WizardSibling {
  /** Clone URL. */
  repo: string;
  /** Name. */
  name?: string;
  /** Directory. */
  path?: string;
  /** Layer. */
  layer?: string;
}

/** The wizard's answers: the same shape as `init --yes` gathers from flags. */
export interface WizardAnswers {
  /** Workspace name. */
  name: string;
  /** Where the siblings live, relative to the directory. */
  root: string;
  /** Siblings, in order. */
  siblings: WizardSibling[];
  /** Layers, bottom-up. */
  layers: string[];
  /** Python settings. */
  python: { version: string; venv: string; installer: Installer; extras: string[] };
}

/** What the wizard is given: where, the defaults, and the work it may ask for. */
export interface WizardOptions<T extends FoundRepo = FoundRepo> {
  /** The directory that will hold wrknv.toml. */
  cwd: string;
  /** A wrknv.toml is there already, and --force was not given: ask before replacing it. */
  askReplace: boolean;
  /** Defaults from the command line. */
  defaults: {
    name?: string;
    root?: string;
    python?: string;
    venv?: string;
    installer?: Installer;
  };
  /** The git repositories under a root. */
  discover(root: string): Promise<T[]>;
  /** Proposals from the chosen repositories: a Python spec, common extras, dependency levels. */
  propose(found: T[]): { python?: string; commonExtras: string[]; levels: string[][] };
  /** The Python spec to propose when the siblings say none. */
  interpreterSpec(): Promise<string>;
  /** The file the answers make, or why they do not make one. */
  preview(answers: WizardAnswers): { text: string } | { error: string };
  /** Dim text, for hints. */
  dim(text: string): string;
  /** Write to stdout. */
  out(text: string): void;
}

function interrupted(error: unknown): boolean {
  return error instanceof Error &&
    (error.name === "ExitPromptError" || error.name === "AbortPromptError");
}

/**
 * Ask until the user writes or declines. Returns the answers, or null when
 * the user declined (nothing is written then).
 *
 * @throws {InterruptedError} on Ctrl-C (nothing written)
 */
export async function runWizard<T extends FoundRepo>(
  options: WizardOptions<T>,
): Promise<WizardAnswers | null> {
  try {
    return await ask(options);
  } catch (error) {
    if (interrupted(error)) throw new InterruptedError("init cancelled; nothing was written");
    throw error;
  }
}

/** What a step does next. */
type Next = "next" | "back" | "quit" | "done";

const BACK = "<";
const BACK_CHOICE = { name: "< back to the previous question", value: BACK } as const;

/** A text prompt where `<` goes back; `check` gives a problem (shown at the prompt) or null. */
async function text(
  message: string,
  options: { default?: string; check?: (v: string) => string | null; back: boolean },
): Promise<string | typeof BACK> {
  const value = await input({
    message: options.back ? `${message} (< goes back)` : message,
    default: options.default,
    validate: (v) => {
      if (options.back && v.trim() === BACK) return true;
      return options.check?.(v.trim()) ?? true;
    },
  });
  return options.back && value.trim() === BACK ? BACK : value.trim();
}

async function ask<T extends FoundRepo>(o: WizardOptions<T>): Promise<WizardAnswers | null> {
  if (o.askReplace) {
    const replace = await select({
      message: `${CONFIG_FILE} already exists here. Replace it?`,
      choices: [{ name: "no, leave it", value: false }, { name: "yes, replace it", value: true }],
      default: false,
    });
    if (!replace) {
      o.out("left it as it is\n");
      return null;
    }
  }
  const a: WizardAnswers = {
    name: o.defaults.name ?? basename(o.cwd),
    root: o.defaults.root ?? "..",
    siblings: [],
    layers: [],
    python: {
      version: o.defaults.python ?? "",
      venv: o.defaults.venv ?? ".venv",
      installer: o.defaults.installer ?? "auto",
      extras: [],
    },
  };
  let found: T[] = [];
  let chosen: T[] = [];
  let added: WizardSibling[] = [];
  let proposals: ReturnType<WizardOptions<T>["propose"]> = { commonExtras: [], levels: [] };

  const steps: (() => Promise<Next>)[] = [
    async () => {
      const v = await text("Workspace name", {
        default: a.name,
        back: false,
        check: (v) => nameProblem(v, "the workspace name"),
      });
      a.name = v;
      return "next";
    },
    async () => {
      const v = await text("Where do the sibling repositories live (relative to this directory)?", {
        default: a.root,
        back: true,
        check: (v) => rootProblem(o.cwd, v),
      });
      if (v === BACK) return "back";
      a.root = v;
      found = (await o.discover(resolve(o.cwd, v))).filter((d) => d.origin);
      return "next";
    },
    async () => {
      if (!found.length) {
        o.out(o.dim(`no git repositories with an origin under ${a.root}; add them by URL next\n`));
        chosen = [];
        return "next";
      }
      const picked = await checkbox<T | typeof BACK>({
        message: `Found ${found.length} git ${
          found.length === 1 ? "repository" : "repositories"
        } in ${a.root}; which are siblings?`,
        choices: [
          ...found.map((d) => ({
            name: `${d.name}  ${o.dim(d.origin!)}`,
            value: d,
            checked: chosen.length ? chosen.includes(d) : true,
          })),
          { ...BACK_CHOICE, checked: false },
        ],
        pageSize: 15,
      });
      if (picked.includes(BACK)) return "back";
      chosen = picked.filter((p): p is T => p !== BACK);
      return "next";
    },
    async () => {
      added = [];
      while (true) {
        const names = new Set([...chosen.map((d) => d.name), ...added.map((x) => x.name!)]);
        const v = await text("Add a sibling by URL (empty to finish)", {
          back: true,
          check: (v) => {
            if (v === "") return null;
            const url = checkRepoUrl(v);
            if ("error" in url) return `This URL ${url.error}`;
            if (
              url.transport === "local" && !existsSync(resolve(o.cwd, v.replace(/^file:\/\//, "")))
            ) {
              return "Neither a URL (https://…, ssh://…, git@host:path) nor a directory that exists";
            }
            const n = nameFromUrl(v);
            if (!n || nameProblem(n, "its name")) {
              return "Cannot make a sibling name from this URL; add it with wrknv add URL --name";
            }
            if (names.has(n)) return `A sibling named "${n}" is already in the list`;
            return null;
          },
        });
        if (v === BACK) return "back";
        if (v === "") return "next";
        added.push({ repo: v, name: nameFromUrl(v) });
      }
    },
    async () => {
      proposals = o.propose(chosen);
      const v = await text("Python version the shared venv needs", {
        default: a.python.version || proposals.python || await o.interpreterSpec(),
        back: true,
        check: (v) => {
          const r = readPythonSpec(v);
          return "error" in r ? `Not a version specifier: ${r.error}` : null;
        },
      });
      if (v === BACK) return "back";
      const r = readPythonSpec(v) as { spec: string; note?: string };
      if (r.note) o.out(o.dim(`${r.note}\n`));
      a.python.version = r.spec;
      return "next";
    },
    async () => {
      const v = await text("Where the shared venv goes", { default: a.python.venv, back: true });
      if (v === BACK) return "back";
      a.python.venv = v;
      return "next";
    },
    async () => {
      const v = await select<Installer | typeof BACK>({
        message: "Installer",
        choices: [
          { name: "auto: uv when it is on PATH, else pip", value: "auto" },
          { name: "uv", value: "uv" },
          { name: "pip", value: "pip" },
          BACK_CHOICE,
        ],
        default: a.python.installer,
      });
      if (v === BACK) return "back";
      a.python.installer = v;
      return "next";
    },
    async () => {
      if (!proposals.commonExtras.length) return "next";
      const v = await checkbox<string>({
        message: "Extras to install with every sibling",
        choices: [
          ...proposals.commonExtras.map((e) => ({ name: e, value: e, checked: e === "dev" })),
          { ...BACK_CHOICE, checked: false },
        ],
      });
      if (v.includes(BACK)) return "back";
      a.python.extras = v;
      return "next";
    },
    async () => {
      a.layers = [];
      if (proposals.levels.length < 2) return "next";
      const preview = proposals.levels.map((l, i) => `${i + 1}: ${l.join(", ")}`).join("\n  ");
      const use = await select<"yes" | "no" | typeof BACK>({
        message:
          `The dependencies fall into ${proposals.levels.length} levels:\n  ${preview}\nName them as layers?`,
        choices: [{ name: "no", value: "no" }, { name: "yes", value: "yes" }, BACK_CHOICE],
        default: "no",
      });
      if (use === BACK) return "back";
      if (use === "no") return "next";
      for (const [i, level] of proposals.levels.entries()) {
        const v = await text(`Name of level ${i + 1} (${level.join(", ")})`, {
          default: LAYER_NAMES[i] ?? `level${i + 1}`,
          back: false,
          check: (v) =>
            nameProblem(v, "a layer name") ??
              (a.layers.includes(v) ? `"${v}" names an earlier level already` : null),
        });
        a.layers.push(v);
      }
      return "next";
    },
    async () => {
      a.siblings = [
        ...chosen.map((d) => ({ repo: d.origin!, name: d.name, path: d.path })),
        ...added,
      ];
      for (const [i, level] of a.layers.length ? proposals.levels.entries() : []) {
        for (const n of level) {
          const sib = a.siblings.find((x) => x.name === n);
          if (sib) sib.layer = a.layers[i];
        }
      }
      const made = o.preview(a);
      if ("error" in made) {
        o.out(`${made.error}\n${o.dim("go back and change the answer it names")}\n`);
        return "back";
      }
      o.out(`\n${o.dim("─".repeat(60))}\n${made.text}${o.dim("─".repeat(60))}\n`);
      const what = await select<"write" | "quit" | typeof BACK>({
        message: `Write ${CONFIG_FILE}?`,
        choices: [
          { name: `write ${CONFIG_FILE}`, value: "write" },
          BACK_CHOICE,
          { name: "quit without writing", value: "quit" },
        ],
        default: "write",
      });
      if (what === BACK) return "back";
      return what === "write" ? "done" : "quit";
    },
  ];
  for (let i = 0; i < steps.length;) {
    const next = await steps[i]();
    if (next === "done") return a;
    if (next === "quit") {
      o.out("nothing written\n");
      return null;
    }
    i = next === "back" ? Math.max(0, i - 1) : i + 1;
  }
  return a;
}

/** Default names of the dependency levels, bottom-up, as the design guide names them. */
const LAYER_NAMES = ["foundation", "framework", "tools", "providers"];

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Why `root` cannot be the root (relative to `cwd`), or null. */
function rootProblem(cwd: string, root: string): string | null {
  if (root === "") return "Give a directory, e.g. ..";
  try {
    if (!Deno.statSync(resolve(cwd, root)).isDirectory) return `${root} is not a directory`;
  } catch {
    return `${root} does not exist (looked at ${resolve(cwd, root)})`;
  }
  return null;
}
