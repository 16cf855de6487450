import assert from "node:assert/strict";
import { commandHelp, defineOption, parseArgs } from "../src/cli/args.ts";
import { COMMANDS, GLOBAL_OPTIONS } from "../src/cli/commands.ts";
import { ConfigError } from "../src/errors.ts";

const parse = (argv: string[]) => parseArgs(argv, GLOBAL_OPTIONS, COMMANDS);

Deno.test("defineOption", () => {
  assert.deepEqual(
    defineOption({ flags: "-j, --jobs <n>", description: "" }),
    {
      flags: "-j, --jobs <n>",
      description: "",
      short: "-j",
      long: "--jobs",
      key: "jobs",
      value: "n",
      variadic: false,
      negate: false,
    },
  );
  assert.equal(defineOption({ flags: "--link-from <dir>", description: "" }).key, "linkFrom");
  assert.deepEqual(
    [
      defineOption({ flags: "--no-clone", description: "" }).key,
      defineOption({ flags: "--no-clone", description: "" }).negate,
    ],
    ["clone", true],
  );
  assert.equal(defineOption({ flags: "--group <g...>", description: "" }).variadic, true);
});

Deno.test("parseArgs: options, globals anywhere, values, negation, --", async (t) => {
  const table: [string[], (p: ReturnType<typeof parse>) => void][] = [
    [
      ["status", "--json"],
      (p) => assert.deepEqual([p.command?.name, p.globals.json], ["status", true]),
    ],
    [
      ["--json", "-C", "/x", "status"],
      (p) => assert.deepEqual([p.globals.json, p.globals.directory], [true, "/x"]),
    ],
    [
      ["bootstrap", "-j", "4", "--depth=1"],
      (p) => assert.deepEqual([p.options.jobs, p.options.depth], [4, 1]),
    ],
    [["bootstrap", "-j4"], (p) => assert.equal(p.options.jobs, 4)],
    [
      ["status", "-qv"],
      (p) => assert.deepEqual([p.globals.quiet, p.globals.verbose], [true, true]),
    ],
    [["sync", "--no-clone"], (p) => assert.equal(p.options.clone, false)],
    [["sync"], (p) => assert.equal(p.options.clone, true)],
    [["status"], (p) => assert.equal(p.globals.color, true)],
    [["--no-color", "status"], (p) => assert.equal(p.globals.color, false)],
    [["add", "u", "--group", "a,b", "--layer", "l"], (p) => {
      assert.deepEqual(p.options.group, ["a", "b"]);
      assert.equal(p.options.layer, "l");
      assert.deepEqual(p.args, ["u"]);
    }],
    // A list never takes the words after it: the URL stays the argument.
    [["add", "--depends-on", "core", "file:///tmp/x.git"], (p) => {
      assert.deepEqual(p.options.dependsOn, ["core"]);
      assert.deepEqual(p.args, ["file:///tmp/x.git"]);
    }],
    [["bootstrap", "--only", "a, b", "--only", "c"], (p) => {
      assert.deepEqual(p.options.only, ["a", "b", "c"]);
    }],
    [["graph", "--format", "dot"], (p) => assert.equal(p.options.format, "dot")],
    [["cache", "prune", "--older-than", "0"], (p) => {
      assert.deepEqual([p.args, p.options.olderThan], [["prune"], 0]);
    }],
    [
      ["add", "u", "--group", "a", "--group", "b"],
      (p) => assert.deepEqual(p.options.group, ["a", "b"]),
    ],
    [
      ["exec", "--", "git", "log", "-1", "--oneline"],
      (p) => assert.deepEqual(p.args, [["git", "log", "-1", "--oneline"]]),
    ],
    [
      ["exec", "-k", "--", "ls"],
      (p) => assert.deepEqual([p.options.keepGoing, p.args], [true, [["ls"]]]),
    ],
    [
      ["upgrade", "--to", "1.2.3"],
      (p) => assert.deepEqual([p.options.to, p.version], ["1.2.3", false]),
    ],
    [["--version"], (p) => assert.equal(p.version, true)],
    [["status", "--help"], (p) => assert.deepEqual([p.help, p.command?.name], [true, "status"])],
  ];
  for (const [argv, check] of table) await t.step(argv.join(" "), () => check(parse(argv)));
});

Deno.test("parseArgs: usage errors name what is wrong", async (t) => {
  const table: [string[], RegExp][] = [
    [["statsu"], /unknown command 'statsu' \(did you mean "status"\?\)/],
    [["status", "--jbos", "2"], /unknown option '--jbos' for 'status' \(did you mean "--jobs"\?\)/],
    [["bootstrap", "--jobs"], /option '--jobs <n>' needs a value/],
    [["add"], /'add' needs <url>/],
    [["config", "extra"], /'config' takes no argument 'extra'/],
    [["status", "--json=yes"], /option '--json' takes no value/],
    [["bootstrap", "-j", "0"], /--jobs: expected a whole number of at least 1, got "0"/],
    [["bootstrap", "--retry", "two"], /--retry: expected a whole number of at least 0, got "two"/],
    [["graph", "--format", "svg"], /--format: expected text, dot, mermaid or json, got "svg"/],
    [["init", "--installer", "conda"], /--installer: expected auto, uv or pip, got "conda"/],
    [["cache", "clean"], /'cache' <action>: expected info or prune, got "clean"/],
    [["add", "--group", "a", "b", "c"], /'add' takes no argument 'c'/],
  ];
  for (const [argv, want] of table) {
    await t.step(
      argv.join(" "),
      () =>
        assert.throws(() => parse(argv), (e) => e instanceof ConfigError && want.test(e.message)),
    );
  }
});

Deno.test("every command's help has a usage line and examples", () => {
  for (const c of COMMANDS) {
    const help = commandHelp(c, GLOBAL_OPTIONS);
    assert.match(help, new RegExp(`^Usage: wrknv ${c.name}`));
    assert.ok(c.examples?.length, `${c.name} has examples`);
    assert.match(help, /Examples:\n {2}wrknv /);
  }
});

Deno.test("a value may begin with - when it is not an option: --group -babblesim", () => {
  assert.deepEqual(parse(["status", "--group", "-babblesim"]).options.group, ["-babblesim"]);
  assert.deepEqual(parse(["status", "--group=-babblesim"]).options.group, ["-babblesim"]);
  assert.equal(parse(["bootstrap", "--group", "+bsim", "--all"]).options.all, true);
  // An option that follows is still an option, not a value.
  assert.throws(() => parse(["status", "--group", "-q"]), /needs a value/);
  assert.throws(() => parse(["status", "--group", "--json"]), /needs a value/);
});

Deno.test("wrknv help status is wrknv status --help", async () => {
  const { wrknv } = await import("./support/cli.ts");
  const [a, b] = await Promise.all([
    wrknv(["help", "status"], { cwd: "." }),
    wrknv(["status", "--help"], { cwd: "." }),
  ]);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, /^Usage: wrknv status/);
});
