/**
 * A small, declarative command-line parser: one table of commands and
 * options gives parsing, `--help` text and shell completions.
 *
 * wrknv first used commander; importing it (and the node: modules it pulls in)
 * cost 17 ms of every run's start-up, a third of `wrknv status`'s own
 * overhead, so the parser is our own. See ARCHITECTURE.md.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";

/**
 * One option: `-j, --jobs <n>`, `--locked`, `--no-clone`, `--group <names>`.
 * Its value's type, its allowed values and its default are declared here
 * once, and parsing, `--help` and the completion scripts all use them.
 */
export interface OptionSpec {
  /** Flags as help shows them, e.g. `-j, --jobs <n>`. */
  flags: string;
  /** One line of help. */
  description: string;
  /**
   * How the value is read: text (default); `int`, a whole number of at least
   * `min` (default 0); `list`, comma-separated and repeatable
   * (`--only a,b --only c`), which never takes the words after it.
   */
  type?: "int" | "list";
  /** For `int`: the smallest value allowed. */
  min?: number;
  /** The only values allowed (each item of a list, too). */
  choices?: readonly string[];
  /** The default, shown in help. */
  default?: string | number;
}

/** What a parsed option holds. */
export type OptionValue = string | number | boolean | string[];

// The options object a body receives, derived from a table of option specs, so that
// a body declaring `jobs?: string` where the table says `type: "int"` does not
// type-check: `-j, --jobs <n>` -> `jobs`, `--no-clone` -> `clone`,
// `--link-from <dir>` -> `linkFrom`.
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}`
  : S;
type Long<F extends string> = F extends `${string}--${infer R}`
  ? R extends `${infer N} ${string}` ? N : R
  : never;
type Key<F extends string> = Long<F> extends `no-${infer K}` ? Camel<K> : Camel<Long<F>>;
type ValueOf<O extends OptionSpec> = O extends { type: "int" } ? number
  : O extends { type: "list" } ? string[]
  : O["flags"] extends `${string}...${string}` ? string[]
  : O extends { choices: readonly (infer C extends string)[] } ? C
  : O["flags"] extends `${string} <${string}` ? string
  : boolean;
/** The parsed options of a table of option specs. */
export type OptionsOf<T extends readonly OptionSpec[]> = {
  [O in T[number] as Key<O["flags"]>]?: ValueOf<O>;
};

/** A parsed option spec. */
export interface OptionDef extends OptionSpec {
  /** `-j` */
  short?: string;
  /** `--jobs` (for `--no-x`: `--no-x`). */
  long: string;
  /** The key in the parsed object: `jobs`, `linkFrom`; for `--no-clone`: `clone`. */
  key: string;
  /** The value's name, when it takes one. */
  value?: string;
  /** Takes several values: `type: "list"`, or `<x...>` (the same). */
  variadic: boolean;
  /** A `--no-x` flag: sets `x` to false (default true). */
  negate: boolean;
}

/** A positional argument: `<url>`, `[command...]`. */
export interface ArgSpec {
  /** The name. */
  name: string;
  /** Must be given. */
  required: boolean;
  /** Takes the rest. */
  variadic: boolean;
  /** One line of help. */
  description: string;
}

/** A positional argument as the table declares it: `["<shell>", "help", ["bash", "zsh"]]`. */
export type ArgTuple = readonly [name: string, description: string, choices?: readonly string[]];

/** One command. */
export interface CommandSpec {
  /** Its name. */
  name: string;
  /** One line, for `wrknv --help`. */
  description: string;
  /** Positional arguments: `<url>` (required), `[command...]` (optional, the rest). */
  args?: readonly ArgTuple[];
  /** Its own options. */
  options?: OptionSpec[];
  /** Example lines. */
  examples?: string[];
  /** More help text after the examples. */
  notes?: string;
  /**
   * Why the command has no JSON output (it prints a script, a file to save):
   * it then refuses `--json` with exit 2 instead of printing something else.
   */
  noJson?: string;
}

/** Turn `-j, --jobs <n>` into a definition. */
export function defineOption(spec: OptionSpec): OptionDef {
  const m = /^(?:(-[A-Za-z]),\s*)?(--[a-z0-9-]+)(?:\s+[<[]([a-z0-9-]+)(\.\.\.)?[>\]])?$/.exec(
    spec.flags,
  );
  if (!m) throw new Error(`bad option flags: ${spec.flags}`);
  const [, short, long, value, dots] = m;
  const negate = long.startsWith("--no-");
  const bare = negate ? long.slice(5) : long.slice(2);
  const key = bare.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return {
    ...spec,
    short,
    long,
    key,
    value,
    variadic: dots !== undefined || spec.type === "list",
    negate,
  };
}

function defineArg(name: string, description: string): ArgSpec {
  const m = /^([<[])([a-z0-9-]+)(\.\.\.)?[>\]]$/.exec(name);
  if (!m) throw new Error(`bad argument: ${name}`);
  return { name: m[2], required: m[1] === "<", variadic: m[3] !== undefined, description };
}

/** What the parser found. */
export interface Parsed {
  /** The command, or undefined for none (`wrknv`, `wrknv --help`). */
  command?: CommandSpec;
  /** Global options by key. */
  globals: Record<string, OptionValue>;
  /** The command's options by key. */
  options: Record<string, OptionValue>;
  /** Positional arguments, in order (a variadic one as an array). */
  args: (string | string[] | undefined)[];
  /** `--help` was asked for. */
  help: boolean;
  /** `--version` was asked for. */
  version: boolean;
}

/**
 * Parse `argv` (without the program name). Global options may stand before or
 * after the command; `--` ends the options.
 *
 * @throws {ConfigError} for an unknown command or option, a missing value or argument
 */
export function parseArgs(
  argv: readonly string[],
  globals: readonly OptionSpec[],
  commands: CommandSpec[],
): Parsed {
  const globalDefs = globals.map(defineOption);
  const out: Parsed = { globals: {}, options: {}, args: [], help: false, version: false };
  let defs = globalDefs;
  const positionals: string[] = [];
  const set = (def: OptionDef, target: Record<string, OptionValue>, value: OptionValue) => {
    if (def.variadic) {
      target[def.key] = [...((target[def.key] as string[]) ?? []), ...(value as string[])];
    } else target[def.key] = value;
  };
  const find = (flag: string) => defs.find((d) => d.long === flag || d.short === flag);
  let i = 0;
  let rest = false;
  while (i < argv.length) {
    const arg = argv[i++];
    if (rest || arg === "-" || !arg.startsWith("-")) {
      if (!out.command && !rest) {
        const cmd = commands.find((c) => c.name === arg);
        if (!cmd) {
          throw new ConfigError(
            `unknown command '${arg}'${
              didYouMean(
                arg,
                commands.map((c) => c.name),
              )
            }; see wrknv --help`,
          );
        }
        out.command = cmd;
        defs = [...globalDefs, ...(cmd.options ?? []).map(defineOption)];
        continue;
      }
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      rest = true;
      continue;
    }
    if ((arg === "-h" || arg === "--help") && !find(arg)) {
      out.help = true;
      continue;
    }
    if ((arg === "-V" || arg === "--version") && !find(arg)) {
      out.version = true;
      continue;
    }
    // --name=value, -xVALUE, -abc
    let flag = arg;
    let inline: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      flag = arg.slice(0, eq);
      inline = arg.slice(eq + 1);
    } else if (!arg.startsWith("--") && arg.length > 2) {
      flag = arg.slice(0, 2);
      const def = find(flag);
      if (def && def.value === undefined) {
        // A run of short flags: -qv
        argv = [
          ...argv.slice(0, i),
          ...arg.slice(2).split("").map((c) => `-${c}`),
          ...argv.slice(i),
        ];
      } else inline = arg.slice(2);
    }
    const def = find(flag);
    if (!def) {
      const where = out.command ? ` for '${out.command.name}'` : "";
      const known = defs.map((d) => d.long);
      throw new ConfigError(`unknown option '${flag}'${where}${didYouMean(flag, known)}`);
    }
    const target = globalDefs.includes(def) ? out.globals : out.options;
    if (def.value === undefined) {
      if (inline !== undefined) throw new ConfigError(`option '${def.long}' takes no value`);
      set(def, target, !def.negate);
      continue;
    }
    if (inline !== undefined) {
      set(def, target, readValue(def, inline));
      continue;
    }
    const values: string[] = [];
    // One value: a list takes its items comma-separated, never the words after it.
    if (i < argv.length && !(argv[i].startsWith("-") && argv[i] !== "-")) values.push(argv[i++]);
    // A value may begin with "-" when it is not an option (--group -babblesim).
    if (
      values.length === 0 && i < argv.length && /^-[^-]/.test(argv[i]) &&
      !find(argv[i].slice(0, 2)) && !(argv[i] === "-h" || argv[i] === "-V")
    ) {
      values.push(argv[i++]);
    }
    if (values.length === 0) {
      throw new ConfigError(`option '${def.long} <${def.value}>' needs a value`);
    }
    set(def, target, readValue(def, values[0]));
  }
  for (const d of defs) {
    if (d.negate) {
      const target = globalDefs.includes(d) ? out.globals : out.options;
      if (!(d.key in target)) target[d.key] = true;
    }
  }
  if (out.command && !out.help) {
    const specs = (out.command.args ?? []).map(([n, d]) => defineArg(n, d));
    let p = 0;
    for (const [k, spec] of specs.entries()) {
      if (spec.variadic) {
        out.args.push(positionals.slice(p));
        p = positionals.length;
      } else if (p < positionals.length) {
        const choices = out.command.args![k][2];
        if (choices && !choices.includes(positionals[p])) {
          throw new ConfigError(
            `'${out.command.name}' <${spec.name}>: expected ${orList(choices)}, got "${
              positionals[p]
            }"`,
          );
        }
        out.args.push(positionals[p++]);
      } else if (spec.required) {
        throw new ConfigError(
          `'${out.command.name}' needs <${spec.name}>; see wrknv ${out.command.name} --help`,
        );
      } else out.args.push(undefined);
    }
    if (p < positionals.length) {
      throw new ConfigError(
        `'${out.command.name}' takes no argument '${
          positionals[p]
        }'; see wrknv ${out.command.name} --help`,
      );
    }
  } else if (!out.command && positionals.length) {
    throw new ConfigError(`unexpected argument '${positionals[0]}'`);
  }
  return out;
}

/** `a, b or c` */
function orList(xs: readonly string[]): string {
  return xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs.at(-1)}`;
}

/** Read an option's value as its spec declares: a number, a checked choice, a list. */
function readValue(def: OptionDef, raw: string): OptionValue {
  const choose = (v: string) => {
    if (def.choices && !def.choices.includes(v)) {
      throw new ConfigError(`${def.long}: expected ${orList(def.choices)}, got "${v}"`);
    }
    return v;
  };
  if (def.type === "int") {
    const min = def.min ?? 0;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new ConfigError(
        `${def.long}: expected a whole number of at least ${min}, got "${raw}"`,
      );
    }
    return n;
  }
  if (def.type === "list") {
    const items = raw.split(",").map((x) => x.trim()).filter((x) => x !== "");
    if (items.length === 0) throw new ConfigError(`${def.long}: expected a value, got "${raw}"`);
    return items.map(choose);
  }
  return def.variadic ? [choose(raw)] : choose(raw);
}

function optionRows(specs: readonly OptionSpec[]): [string, string][] {
  return specs.map((s) => {
    const d = defineOption(s);
    const value = d.value ? ` <${d.value}>` : "";
    const facts = [
      d.choices ? `${orList(d.choices)}` : "",
      d.type === "list" ? "comma-separated, repeatable" : d.variadic ? "repeatable" : "",
      d.default !== undefined ? `default ${d.default}` : "",
    ].filter(Boolean);
    const more = facts.length ? ` (${facts.join("; ")})` : "";
    return [`${d.short ? `${d.short}, ` : "    "}${d.long}${value}`, s.description + more];
  });
}

function columns(rows: [string, string][], indent = 2): string {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${" ".repeat(indent)}${a.padEnd(width)}  ${b}`).join("\n");
}

const BUILTIN: OptionSpec[] = [
  {
    flags: "-h, --help",
    description: "show help (wrknv help <command>, or <command> --help, for a command's own)",
  },
  { flags: "-V, --version", description: "print the version" },
];

/** `wrknv --help`. */
export function programHelp(
  about: string,
  globals: readonly OptionSpec[],
  commands: CommandSpec[],
): string {
  return `${about}\n\nUsage: wrknv [options] <command> [command options]\n\nCommands:\n` +
    columns(commands.map((c) => [c.name, c.description])) +
    `\n\nOptions (for every command):\n${columns(optionRows([...globals, ...BUILTIN]))}\n`;
}

/** `wrknv <command> --help`. */
export function commandHelp(cmd: CommandSpec, globals: readonly OptionSpec[]): string {
  const args = (cmd.args ?? []).map(([n]) => n).join(" ");
  let text = `Usage: wrknv ${cmd.name}${cmd.options?.length ? " [options]" : ""}${
    args ? ` ${args}` : ""
  }\n\n${cmd.description}\n`;
  if (cmd.args?.length) {
    const rows = cmd.args.map(([n, d, c]): [string, string] => [n, c ? `${d}: ${orList(c)}` : d]);
    text += `\nArguments:\n${columns(rows)}\n`;
  }
  if (cmd.options?.length) text += `\nOptions:\n${columns(optionRows(cmd.options))}\n`;
  text += `\nGlobal options:\n${columns(optionRows(globals))}\n`;
  if (cmd.examples?.length) {
    text += `\nExamples:\n${cmd.examples.map((e) => `  ${e}`).join("\n")}\n`;
  }
  if (cmd.notes) text += `\n${cmd.notes}\n`;
  return text;
}
