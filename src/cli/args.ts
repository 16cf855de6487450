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

/** One option: `-j, --jobs <n>`, `--locked`, `--no-clone`, `--group <name...>`. */
export interface OptionSpec {
  /** Flags as help shows them, e.g. `-j, --jobs <n>`. */
  flags: string;
  /** One line of help. */
  description: string;
}

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
  /** Takes several values (`<x...>`): repeatable, and greedy until the next option. */
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

/** One command. */
export interface CommandSpec {
  /** Its name. */
  name: string;
  /** One line, for `wrknv --help`. */
  description: string;
  /** `<url>`, `[command...]`, as a string: "<url>" or "[command...]". */
  args?: [string, string][];
  /** Its own options. */
  options?: OptionSpec[];
  /** Example lines. */
  examples?: string[];
  /** More help text after the examples. */
  notes?: string;
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
  return { ...spec, short, long, key, value, variadic: dots !== undefined, negate };
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
  globals: Record<string, unknown>;
  /** The command's options by key. */
  options: Record<string, unknown>;
  /** Positional arguments, in order (a variadic one as an array). */
  args: unknown[];
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
  globals: OptionSpec[],
  commands: CommandSpec[],
): Parsed {
  const globalDefs = globals.map(defineOption);
  const out: Parsed = { globals: {}, options: {}, args: [], help: false, version: false };
  let defs = globalDefs;
  const positionals: string[] = [];
  const set = (def: OptionDef, target: Record<string, unknown>, value: unknown) => {
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
      set(def, target, def.variadic ? [inline] : inline);
      continue;
    }
    const values: string[] = [];
    while (
      i < argv.length && !(argv[i].startsWith("-") && argv[i] !== "-") &&
      (values.length === 0 || def.variadic)
    ) {
      values.push(argv[i++]);
    }
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
    set(def, target, def.variadic ? values : values[0]);
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
    for (const spec of specs) {
      if (spec.variadic) {
        out.args.push(positionals.slice(p));
        p = positionals.length;
      } else if (p < positionals.length) out.args.push(positionals[p++]);
      else if (spec.required) {
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

function optionRows(specs: OptionSpec[]): [string, string][] {
  return specs.map((s) => {
    const d = defineOption(s);
    const value = d.value ? ` <${d.value}${d.variadic ? "..." : ""}>` : "";
    return [`${d.short ? `${d.short}, ` : "    "}${d.long}${value}`, s.description];
  });
}

function columns(rows: [string, string][], indent = 2): string {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${" ".repeat(indent)}${a.padEnd(width)}  ${b}`).join("\n");
}

const BUILTIN: OptionSpec[] = [
  { flags: "-h, --help", description: "show help (wrknv <command> --help for a command's own)" },
  { flags: "-V, --version", description: "print the version" },
];

/** `wrknv --help`. */
export function programHelp(about: string, globals: OptionSpec[], commands: CommandSpec[]): string {
  return `${about}\n\nUsage: wrknv [options] <command> [command options]\n\nCommands:\n` +
    columns(commands.map((c) => [c.name, c.description])) +
    `\n\nOptions (for every command):\n${columns(optionRows([...globals, ...BUILTIN]))}\n`;
}

/** `wrknv <command> --help`. */
export function commandHelp(cmd: CommandSpec, globals: OptionSpec[]): string {
  const args = (cmd.args ?? []).map(([n]) => n).join(" ");
  let text = `Usage: wrknv ${cmd.name}${cmd.options?.length ? " [options]" : ""}${
    args ? ` ${args}` : ""
  }\n\n${cmd.description}\n`;
  if (cmd.args?.length) text += `\nArguments:\n${columns(cmd.args)}\n`;
  if (cmd.options?.length) text += `\nOptions:\n${columns(optionRows(cmd.options))}\n`;
  text += `\nGlobal options:\n${columns(optionRows(globals))}\n`;
  if (cmd.examples?.length) {
    text += `\nExamples:\n${cmd.examples.map((e) => `  ${e}`).join("\n")}\n`;
  }
  if (cmd.notes) text += `\n${cmd.notes}\n`;
  return text;
}
