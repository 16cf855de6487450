/**
 * The security catalogue: hostile inputs and faults, each run through the real
 * CLI as a user would, each with its exit code, its message and the directory
 * tree compared (with content hashes) before and after.
 *
 * Sections (SECURITY.md names them):
 * - "hostile configs": wrknv.toml files that try to leave the workspace root,
 *   smuggle options or remote helpers into git, or inject lines through names.
 *   Each is refused with exit code 2 and one line, and nothing runs: every
 *   file also lists a valid sibling first, so a check made too late would show
 *   up as a clone.
 * - "hostile arguments": the same through `wrknv add`, `remove` and flags.
 * - "hostile bundles and locks": damaged or altered bundles and lock files.
 * - "faults": remotes that hang, missing git or Python, broken venvs,
 *   read-only directories, two runs at once, symbolic link loops, things in a
 *   sibling's way, corrupt wheels, and `kill -9` in the middle of a write.
 * - "hooks": hooks never run untrusted; trust ends when the file changes; a
 *   bundle's hooks are untrusted until the user trusts them.
 *
 * A command may create wrknv's own state directory (`.wrknv/` beside
 * wrknv.toml); nothing else may change unless a case says what (`may`).
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { MAIN, STATE_DIR } from "./support/cli.ts";
import { authServer, gitIn, hangingServer, makeRemote, type Remote } from "./support/git.ts";
import { makePackageRemote, OFFLINE, SYSTEM_WHEELS } from "./support/python.ts";
import { snapshot } from "./support/tree.ts";
import { tempDir } from "./support/tmp.ts";
import { mulberry32 } from "./support/random.ts";
import { parseConfig } from "../src/config/load.ts";
import { parseLock } from "../src/config/lock.ts";
import { VERSION } from "../src/version.ts";

// ---------------------------------------------------------------------------
// Running wrknv

/** What a run printed and how it ended. */
interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Running as root, permission bits do not stop writes; read-only cases drop
 * the capabilities that override them (as a normal user, nothing is needed).
 */
const DROP_DAC = Deno.uid() === 0
  ? ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
  : [];

/** Why the read-only cases cannot run here, or null when they can. */
const NO_READ_ONLY = Deno.uid() !== 0 ? null : (() => {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      Deno.statSync(join(dir, "setpriv"));
      return null;
    } catch {
      // not here
    }
  }
  return "running as root without setpriv (util-linux), permission bits cannot be enforced";
})();

interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Run without the capabilities that ignore permission bits. */
  readOnly?: boolean;
}

/** Spawn wrknv (deno by its absolute path, so PATH may lack everything). */
function spawn(args: string[], options: RunOptions): Deno.ChildProcess {
  const argv = [Deno.execPath(), "run", "-A", "--quiet", MAIN, ...args];
  const prefix = options.readOnly ? DROP_DAC : [];
  const all = [...prefix, ...argv];
  return new Deno.Command(all[0], {
    args: all.slice(1),
    cwd: options.cwd,
    env: {
      NO_COLOR: "1",
      WRKNV_CACHE_DIR: `${STATE_DIR}/cache`,
      WRKNV_CONFIG_DIR: `${STATE_DIR}/config`,
      WRKNV_STATE_DIR: `${STATE_DIR}/state`,
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(600_000),
  }).spawn();
}

async function wrknv(args: string[], options: RunOptions): Promise<Result> {
  const out = await spawn(args, options).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** Run wrknv and insist that it succeeds (for arranging a case). */
async function ok(args: string[], options: RunOptions): Promise<Result> {
  const r = await wrknv(args, options);
  assert.equal(r.code, 0, `wrknv ${args.join(" ")}: ${r.stderr}${r.stdout}`);
  return r;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Shared fixtures: remotes made once, outside every compared tree

interface Shared {
  dir: string;
  /** A plain repository. */
  good: Remote;
  /** A Python package whose build backend is "wrknvtest-corruptbackend". */
  backend: Remote;
  /** A Python package that depends on "wrknvtest-extdep". */
  extdep: Remote;
  /** A PATH with git and nothing else. */
  gitOnly: string;
}

let sharedPromise: Promise<Shared> | undefined;
const SHARED_DIR = Deno.makeTempDirSync({ prefix: "wrknv-sec-shared-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(SHARED_DIR, { recursive: true });
  } catch {
    // gone
  }
});

function shared(): Promise<Shared> {
  sharedPromise ??= (async () => {
    const dir = await Deno.realPath(SHARED_DIR);
    const remotes = join(dir, "remotes");
    const good = await makeRemote(remotes, "good", { commits: 2 });
    const backend = await makePackageRemote(remotes, {
      name: "wrknvtest-needs-backend",
      files: {
        "pyproject.toml":
          `[build-system]\nrequires = ["wrknvtest-corruptbackend"]\nbuild-backend = "corruptbackend.api"\n\n` +
          `[project]\nname = "wrknvtest-needs-backend"\nversion = "0.1.0"\n`,
      },
    }, "needs-backend");
    const extdep = await makePackageRemote(
      remotes,
      { name: "wrknvtest-needs-ext", deps: ["wrknvtest-extdep"] },
      "needs-ext",
    );
    const gitOnly = join(dir, "gitonly");
    await Deno.mkdir(gitOnly);
    await Deno.symlink("/usr/bin/git", join(gitOnly, "git"));
    return { dir, good, backend, extdep, gitOnly };
  })();
  return sharedPromise;
}

// ---------------------------------------------------------------------------
// The case table

/** What a case's functions get. */
interface Ctx {
  /** The directory compared before and after (holds meta/). */
  dir: string;
  /** The meta directory, where wrknv runs. */
  meta: string;
  fx: Shared;
  /** Servers and other section-wide things. */
  extra: Record<string, string>;
}

interface Case {
  name: string;
  /** Make what the case needs (runs before the first snapshot). */
  arrange?: (c: Ctx) => Promise<void>;
  /** wrknv's arguments (default: bootstrap). */
  args?: string[] | ((c: Ctx) => string[]);
  /** Where to run, relative to the case directory (default: meta). */
  cwd?: string;
  env?: (c: Ctx) => Record<string, string>;
  /** Run without the capabilities that ignore permission bits. */
  readOnly?: boolean;
  /** Instead of one run: do this, and return the run to check. */
  act?: (c: Ctx) => Promise<Result>;
  code: number;
  /** Matched against stdout and stderr together. */
  says: RegExp;
  /** Paths (relative to the case directory) the command may add or change. */
  may?: RegExp;
  /** More assertions. */
  then?: (c: Ctx, r: Result) => Promise<void> | void;
}

/** The first sibling of every hostile file: valid, so a late check would clone it. */
const good = (fx: Shared) => `\n[[siblings]]\nname = "good"\nrepo = "${fx.good.url}"\n`;
const HEAD = `[workspace]\nname = "ws"\nroot = "../inner"\n`;

async function writeConfig(c: Ctx, text: string): Promise<void> {
  await Deno.mkdir(c.meta, { recursive: true });
  await Deno.mkdir(join(c.dir, "inner"), { recursive: true });
  await Deno.mkdir(join(c.dir, "outside"), { recursive: true });
  await Deno.writeTextFile(join(c.meta, "wrknv.toml"), text);
}

/**
 * A hostile wrknv.toml: `workspace` goes into the [workspace] table, `evil`
 * after the valid sibling (a TOML snippet, `$D` standing for the case
 * directory). Refused with exit code 2.
 */
function hostile(
  name: string,
  evil: string,
  says: RegExp,
  options: {
    args?: string[];
    workspace?: string;
    arrange?: (c: Ctx) => Promise<void>;
    /** Also assert that this (absolute, `$D`-relative) path never appears. */
    never?: string;
  } = {},
): Case {
  const expand = (c: Ctx, s: string) => s.replaceAll("$D", c.dir);
  return {
    name,
    async arrange(c) {
      await writeConfig(c, HEAD + (options.workspace ?? "") + good(c.fx) + expand(c, evil));
      await options.arrange?.(c);
    },
    args: options.args,
    code: 2,
    says,
    async then(c) {
      assert.equal(await exists(join(c.dir, "pwned")), false, "the payload never ran");
      if (options.never) {
        assert.equal(await exists(expand(c, options.never)), false, `${options.never} appeared`);
      }
    },
  };
}

/** A sibling table for an evil value. */
const sib = (fields: string) => `\n[[siblings]]\n${fields}\n`;
const evilSib = (fields: string) => sib(`name = "evil"\n${fields}`);
const evilRepo = (repo: string) => evilSib(`repo = ${JSON.stringify(repo)}`);

const HOSTILE_CONFIGS: Case[] = [
  // Paths that leave the root.
  hostile(
    "path traversal ../../etc",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../../etc"`),
    /siblings\[1\]\.path: path "\.\.\/\.\.\/etc" is outside the workspace root "\.\.\/inner"/,
  ),
  hostile(
    "path traversal to a directory beside the root (up)",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../outside/evil"`),
    /is outside the workspace root/,
    { args: ["up", ...OFFLINE], never: "$D/outside/evil" },
  ),
  hostile(
    "path traversal hidden in the middle (sync)",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner/x/../../outside/evil"`),
    /is outside the workspace root/,
    { args: ["sync"] },
  ),
  hostile(
    "absolute path outside the root (/etc)",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "/etc/wrknv-evil"`),
    /path "\/etc\/wrknv-evil" is outside the workspace root/,
    { never: "/etc/wrknv-evil" },
  ),
  hostile(
    "absolute path beside the root (exec)",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "$D/outside/evil"`),
    /is outside the workspace root/,
    { args: ["exec", "--shell", "touch pwned"] },
  ),
  hostile(
    "a sibling path reached through a symbolic link that leads outside the root",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner/escape/evil"`),
    /siblings\[1\]\.path: .* is reached through a symbolic link that leads outside the workspace root/,
    {
      arrange: (c) => Deno.symlink("../outside", join(c.dir, "inner", "escape")),
      never: "$D/outside/evil",
    },
  ),
  hostile(
    "a sibling path through a symbolic link to /tmp",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner/tmp/wrknv-evil"`),
    /reached through a symbolic link that leads outside the workspace root \(\/tmp\)/,
    { arrange: (c) => Deno.symlink("/tmp", join(c.dir, "inner", "tmp")) },
  ),
  hostile(
    "path is the root itself",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner"`),
    /path "\.\.\/inner" is the workspace root itself/,
  ),
  hostile(
    "path is the meta-repository",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "."`),
    /is outside the workspace root|directory holding wrknv\.toml/,
  ),
  hostile(
    "two siblings at one path",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner/good"`),
    /"evil" has the same path as "good"/,
  ),
  hostile(
    "a sibling inside another's .git directory",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner/good/.GIT/hooks"`),
    /"evil" lies inside the \.git directory of "good"/,
  ),
  hostile(
    "a path with a newline",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner/a\\nb"`),
    /siblings\[1\]\.path: invalid path "\.\.\/inner\/a\\nb"/,
  ),
  hostile(
    "an empty path",
    evilSib(`repo = "https://h.invalid/e.git"\npath = ""`),
    /invalid path ""/,
  ),
  hostile(
    "the venv inside a sibling",
    "",
    /workspace\.python\.venv: venv "\.\.\/inner\/good\/\.venv" lies inside sibling "good"/,
    { workspace: `[workspace.python]\nvenv = "../inner/good/.venv"\n`, args: ["setup"] },
  ),
  hostile(
    "root with a newline",
    "",
    /workspace\.root: invalid path "\.\.\/inner\\n\[x\]"/,
    { arrange: edit('root = "../inner"', 'root = "../inner\\n[x]"') },
  ),
  hostile(
    "venv with a newline",
    "",
    /workspace\.python\.venv: invalid path "\.venv\\nx"/,
    { workspace: `[workspace.python]\nvenv = ".venv\\nx"\n`, args: ["setup"] },
  ),
  // URLs that git could read as options or commands.
  hostile(
    "URL --upload-pack=...",
    evilRepo("--upload-pack=touch $D/pwned"),
    /siblings\[1\]\.repo: repository URL "--upload-pack=touch .*" begins with "-" and could be read as an option/,
  ),
  hostile(
    "URL -c protocol.ext.allow=always",
    evilRepo("-cprotocol.ext.allow=always"),
    /begins with "-"/,
  ),
  hostile(
    "URL ssh://-oProxyCommand=...",
    evilRepo("ssh://-oProxyCommand=touch%20$D/pwned/x"),
    /has a host or user beginning with "-", which ssh would read as an option/,
  ),
  hostile(
    "URL ssh:// with a user -oProxyCommand",
    evilRepo("ssh://-oProxyCommand=touch@host/x"),
    /beginning with "-"/,
  ),
  hostile(
    "URL git+ssh://-oProxyCommand=...",
    evilRepo("git+ssh://-oProxyCommand=touch/x"),
    /beginning with "-"/,
  ),
  hostile(
    "URL scp-like with a host -oProxyCommand",
    evilRepo("git@-oProxyCommand=touch:x"),
    /beginning with "-"/,
  ),
  hostile("URL http:// with a host beginning with -", evilRepo("http://-x/r.git"), /"-"/),
  hostile(
    "URL ext::",
    evilRepo("ext::sh -c touch% $D/pwned"),
    /uses a remote helper transport \("ext::"\), which is not allowed/,
  ),
  hostile("URL fd::", evilRepo("fd::3"), /remote helper transport \("fd::"\)/),
  hostile("URL fd:: with two descriptors", evilRepo("fd::7,8/x"), /\("fd::"\)/),
  hostile("URL EXT:: in capitals", evilRepo("EXT::sh -c x"), /\("EXT::"\)/),
  hostile("URL file:: helper", evilRepo("file::/tmp/x"), /\("file::"\)/),
  hostile(
    "URL ftp://",
    evilRepo("ftp://h.invalid/x.git"),
    /uses the ftp:\/\/ transport; allowed are/,
  ),
  hostile("URL ssh:// without a host", evilRepo("ssh:///x.git"), /has no host/),
  hostile(
    "URL with a newline",
    evilSib(`repo = "https://h.invalid/x.git\\n--upload-pack=x"`),
    /repository URL holds a control character/,
  ),
  hostile(
    "URL with a NUL",
    evilSib(`repo = "https://h.invalid/x.git\\u0000"`),
    /control character/,
  ),
  hostile("empty URL", evilSib(`repo = ""`), /repository URL is empty/),
  hostile(
    "a megabyte URL, quoted in a short line",
    evilRepo(`-${"x".repeat(1_000_000)}`),
    /repository URL "-x+…\(\d+ characters left out\)…x+" begins with "-" and could be read as an option$/m,
  ),
  // Names that could inject lines into generated files, or reach other paths.
  hostile(
    "name with a slash",
    sib(`name = "a/b"\nrepo = "https://h.invalid/e.git"`),
    /siblings\[1\]\.name: name "a\/b" holds a path separator/,
  ),
  hostile(
    "name with a backslash",
    sib(`name = "a\\\\b"\nrepo = "https://h.invalid/e.git"`),
    /holds a path separator/,
  ),
  hostile(
    "name ..",
    sib(`name = ".."\nrepo = "https://h.invalid/e.git"`),
    /name "\.\." holds "\.\."/,
  ),
  hostile("name .", sib(`name = "."\nrepo = "https://h.invalid/e.git"`), /name "\."/),
  hostile(
    "name holding ..",
    sib(`name = "a..b"\nrepo = "https://h.invalid/e.git"`),
    /holds "\.\."/,
  ),
  hostile(
    "name with a newline",
    sib(`name = "a\\n[[siblings]]"\nrepo = "https://h.invalid/e.git"`),
    /siblings\[1\]\.name: name holds a control character/,
  ),
  hostile(
    "name with a terminal escape",
    sib(`name = "a\\u001b[2J"\nrepo = "https://h.invalid/e.git"`),
    /control character/,
  ),
  hostile(
    "name like an option",
    sib(`name = "-rf"\nrepo = "https://h.invalid/e.git"`),
    /must start with a letter or digit/,
  ),
  hostile(
    "name with a quote",
    sib(`name = "a\\"b"\nrepo = "https://h.invalid/e.git"`),
    /must start with a letter or digit and hold only/,
  ),
  hostile(
    "workspace name with a newline",
    "",
    /workspace\.name: name holds a control character/,
    { arrange: edit('name = "ws"', 'name = "ws\\n[x]"') },
  ),
  hostile(
    "layer with a slash",
    "",
    /workspace\.layers\[0\]: layer "a\/b" holds a path separator/,
    { workspace: `layers = ["a/b"]\n` },
  ),
  hostile(
    "group with a newline",
    evilSib(`repo = "https://h.invalid/e.git"\ngroups = ["core\\nx = 1"]`),
    /siblings\[1\]\.groups\[0\]: group holds a control character/,
  ),
  hostile(
    "depends_on with a newline",
    evilSib(`repo = "https://h.invalid/e.git"\ndepends_on = ["a\\nb"]`),
    /unknown sibling "a\\nb"/,
  ),
  hostile(
    "extra with a newline",
    "",
    /workspace\.python\.extras\[0\]: invalid extra name "dev\\nx"/,
    { workspace: `[workspace.python]\nextras = ["dev\\nx"]\n`, args: ["setup"] },
  ),
  // Revisions that git could read as options.
  hostile(
    "revision --orphan",
    evilSib(`repo = "https://h.invalid/e.git"\nrevision = "--orphan"`),
    /siblings\[1\]\.revision: invalid revision "--orphan"/,
  ),
  hostile(
    "revision -b",
    evilSib(`repo = "https://h.invalid/e.git"\nrevision = "-b"`),
    /invalid revision "-b"/,
  ),
  hostile(
    "revision --upload-pack=...",
    evilSib(`repo = "https://h.invalid/e.git"\nrevision = "--upload-pack=touch $D/pwned"`),
    /invalid revision "--upload-pack=/,
  ),
  hostile(
    "revision with a newline",
    evilSib(`repo = "https://h.invalid/e.git"\nrevision = "main\\n-b"`),
    /invalid revision "main\\n-b"/,
  ),
  hostile(
    "revision with a range",
    evilSib(`repo = "https://h.invalid/e.git"\nrevision = "main..evil"`),
    /invalid revision "main\.\.evil"/,
  ),
  hostile(
    "revision with a colon",
    evilSib(`repo = "https://h.invalid/e.git"\nrevision = "HEAD:secret"`),
    /invalid revision "HEAD:secret"/,
  ),
  // Other refusals that keep a typo or a trick from changing what runs.
  hostile(
    "a misspelt hooks table",
    "",
    /workspace\.hook: unknown key \(did you mean "hooks"\?\)/,
    { workspace: `[workspace.hook]\npost_install = ["touch $D/pwned"]\n`, args: ["setup"] },
  ),
  hostile(
    "an empty hook",
    "",
    /workspace\.hooks\.post_install\[0\]: empty command/,
    { workspace: `[workspace.hooks]\npost_install = ["  "]\n`, args: ["setup"] },
  ),
  // What a person is shown to approve, and the commands wrknv suggests.
  hostile(
    "a hook that hides its command behind a carriage return and an escape (trust)",
    "",
    /workspace\.hooks\.post_install\[0\]: hook holds a control character \(\\r\), which could hide what it runs/,
    {
      workspace:
        `[workspace.hooks]\npost_install = ["touch $D/pwned #\\r\\u001b[2K  post_install: pre-commit install"]\n`,
      args: ["trust", "--yes"],
    },
  ),
  hostile(
    "a hook with a bidirectional override (setup)",
    "",
    /workspace\.hooks\.pre_install\[0\]: hook holds a control character \(\\u202e\)/,
    {
      workspace: `[workspace.hooks]\npre_install = ["echo safe \\u202e; touch $D/pwned"]\n`,
      args: ["setup", ...OFFLINE],
    },
  ),
  hostile(
    "an import name that is a shell command (validate)",
    evilSib(`repo = "https://h.invalid/e.git"\nimport = ["x; touch $D/pwned"]`),
    /siblings\[1\]\.import\[0\]: invalid import name "x; touch .*\/pwned" \(expected a dotted Python name/,
    { args: ["validate"] },
  ),
  hostile(
    "a name with a bidirectional override",
    sib(`name = "a\\u202eb"\nrepo = "https://h.invalid/e.git"`),
    /siblings\[1\]\.name: name holds a control character/,
  ),
  hostile(
    "URL ssh://[-oProxyCommand=...] (in brackets)",
    evilRepo("ssh://[-oProxyCommand=touch $D/pwned]/x"),
    /siblings\[1\]\.repo: .* has a host or user beginning with "-", which ssh would read as an option/,
  ),
  hostile(
    "URL ssh://%2DoProxyCommand=... (percent-encoded)",
    evilRepo("ssh://%2DoProxyCommand=touch%20$D%2Fpwned/x"),
    /has a host or user beginning with "-"/,
  ),
  hostile(
    "URL with a percent-encoded user -o",
    evilRepo("ssh://%2doProxyCommand=x@host/x"),
    /has a host or user beginning with "-"/,
  ),
  // Where the venv may be: `setup --recreate` deletes it.
  hostile(
    'venv ".." holds the root, beside a pyvenv.cfg and someone\'s notes (setup --recreate)',
    "",
    /workspace\.python\.venv: venv "\.\." holds the workspace root/,
    {
      workspace: `[workspace.python]\nvenv = ".."\n`,
      args: ["setup", "--recreate", ...OFFLINE],
      arrange: async (c) => {
        await Deno.writeTextFile(join(c.dir, "pyvenv.cfg"), "home = /usr/bin\n");
        await Deno.writeTextFile(join(c.dir, "notes.txt"), "mine\n");
      },
    },
  ),
  hostile(
    "venv is the root, with siblings named bin and pyvenv.cfg (validate)",
    sib(`name = "bin"\nrepo = "https://h.invalid/b.git"`) +
      sib(`name = "pyvenv.cfg"\nrepo = "https://h.invalid/p.git"`),
    /workspace\.python\.venv: venv "\.\.\/inner" is the workspace root/,
    { workspace: `[workspace.python]\nvenv = "../inner"\n`, args: ["validate"] },
  ),
  hostile(
    "venv is the directory holding wrknv.toml (setup --recreate)",
    "",
    /workspace\.python\.venv: venv "\." is the directory holding wrknv\.toml/,
    {
      workspace: `[workspace.python]\nvenv = "."\n`,
      args: ["setup", "--recreate", ...OFFLINE],
      arrange: (c) => Deno.writeTextFile(join(c.meta, "pyvenv.cfg"), "home = /usr/bin\n"),
    },
  ),
  hostile(
    "venv is a sibling (setup --recreate)",
    "",
    /workspace\.python\.venv: venv "\.\.\/inner\/good" is sibling "good"/,
    { workspace: `[workspace.python]\nvenv = "../inner/good"\n`, args: ["setup", "--recreate"] },
  ),
  hostile(
    "venv holds a sibling (setup --recreate)",
    evilSib(`repo = "https://h.invalid/e.git"\npath = "../inner/env/evil"`),
    /workspace\.python\.venv: venv "\.\.\/inner\/env" holds sibling "evil"/,
    { workspace: `[workspace.python]\nvenv = "../inner/env"\n`, args: ["setup", "--recreate"] },
  ),
  hostile(
    'root = "." and venv = "." with a committed pyvenv.cfg (setup --recreate)',
    "",
    /workspace\.python\.venv: venv "\." is the workspace root/,
    {
      workspace: `[workspace.python]\nvenv = "."\n`,
      args: ["setup", "--recreate", ...OFFLINE],
      arrange: async (c) => {
        await edit('root = "../inner"', 'root = "."')(c);
        await Deno.writeTextFile(join(c.meta, "pyvenv.cfg"), "home = /usr/bin\n");
        await commitAll(c.meta);
      },
    },
  ),
  hostile(
    "a forged config cache cannot approve a refused file",
    evilSib(`repo = "${"$GOOD"}"\npath = "../outside/evil"`),
    /is outside the workspace root/,
    { arrange: forgeCache, never: "$D/outside/evil" },
  ),
];

/** Replace `from` by `to` in the case's wrknv.toml (for values the builder's table already holds). */
function edit(from: string, to: string): (c: Ctx) => Promise<void> {
  return async (c) => {
    const path = join(c.meta, "wrknv.toml");
    const text = await Deno.readTextFile(path);
    assert.ok(text.includes(from));
    await Deno.writeTextFile(path, text.replace(from, to));
  };
}

/**
 * The refused file's workspace, as the loader would have resolved it were the
 * path allowed, written where wrknv used to cache resolved workspaces (inside
 * the meta-repository, where a cloned repository can put anything).
 */
async function forgeCache(c: Ctx): Promise<void> {
  const path = join(c.meta, "wrknv.toml");
  const text = (await Deno.readTextFile(path)).replace("$GOOD", c.fx.good.url);
  await Deno.writeTextFile(path, text);
  const allowed = text.replace('path = "../outside/evil"', 'path = "../inner/evil"');
  const ws = parseConfig(allowed, path);
  ws.siblings[1].path = join(c.dir, "outside", "evil");
  ws.root = "/";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.mkdir(join(c.meta, ".wrknv"), { recursive: true });
  await Deno.writeTextFile(
    join(c.meta, ".wrknv", "config-cache.json"),
    JSON.stringify({ format: 1, version: VERSION, path, hash, workspace: ws }),
  );
}

/** A valid workspace with the good sibling, for the argument cases. */
async function plainWorkspace(c: Ctx): Promise<void> {
  await writeConfig(c, HEAD + good(c.fx));
}

function badArgs(
  name: string,
  args: string[] | ((c: Ctx) => string[]),
  says: RegExp,
  arrange?: (c: Ctx) => Promise<void>,
): Case {
  return {
    name,
    async arrange(c) {
      await plainWorkspace(c);
      await arrange?.(c);
    },
    args,
    code: 2,
    says,
    async then(c) {
      assert.equal(await exists(join(c.dir, "pwned")), false, "the payload never ran");
    },
  };
}

const URL = "https://h.invalid/x.git";

const HOSTILE_ARGUMENTS: Case[] = [
  badArgs(
    "add -- --upload-pack=...",
    (c) => ["add", "--", `--upload-pack=touch ${c.dir}/pwned`],
    /cannot add ".*": repository URL "--upload-pack=touch .*" begins with "-"/,
  ),
  badArgs(
    "add ext::",
    (c) => ["add", `ext::sh -c touch% ${c.dir}/pwned`],
    /remote helper transport \("ext::"\)/,
  ),
  badArgs(
    "add ssh://-oProxyCommand=...",
    ["add", "ssh://-oProxyCommand=touch/x"],
    /beginning with "-"/,
  ),
  badArgs(
    "add --name ../x",
    ["add", URL, "--name", "../x"],
    /name "\.\.\/x" holds a path separator/,
  ),
  badArgs(
    "add --name with a newline",
    ["add", URL, "--name", "a\n[[siblings]]"],
    /cannot add "a\\n\[\[siblings\]\]": name holds a control character/,
  ),
  badArgs(
    "add --path ../../etc",
    ["add", URL, "--path", "../../etc"],
    /cannot add "x": path "\.\.\/\.\.\/etc" is outside the workspace root "\.\.\/inner"/,
  ),
  badArgs("add --path /etc/x", ["add", URL, "--path", "/etc/x"], /is outside the workspace root/),
  badArgs(
    "add --path through a symbolic link that leads outside",
    ["add", URL, "--path", "../inner/escape/x"],
    /reached through a symbolic link that leads outside the workspace root/,
    (c) => Deno.symlink("../outside", join(c.dir, "inner", "escape")),
  ),
  badArgs(
    "add --revision=--orphan",
    ["add", URL, "--revision=--orphan"],
    /cannot add "x": invalid revision "--orphan"/,
  ),
  badArgs(
    "add --layer with a newline",
    ["add", URL, "--layer", "a\nb"],
    /cannot add "x": layer "a\\nb"/,
  ),
  badArgs(
    "add --group with a terminal escape",
    ["add", URL, "--group", "x\u001b[31m"],
    /^error: cannot add "x": group holds a control character$/m,
  ),
  badArgs(
    "add --depends-on with a newline",
    ["add", URL, "--depends-on", "a\nb"],
    /^error: cannot add "x": unknown sibling "a\\nb"$/m,
  ),
  badArgs(
    "add a URL whose name would be ..",
    ["add", "https://h.invalid/..git"],
    /cannot derive a name from "https:\/\/h\.invalid\/\.\.git"; pass --name/,
  ),
  badArgs(
    "remove a name with a newline",
    ["remove", "good\nx"],
    /no sibling named "good\\nx" in wrknv\.toml/,
  ),
  badArgs("--only ../x", ["bootstrap", "--only", "../x"], /--only: unknown sibling "\.\.\/x"/),
  badArgs("-C a missing directory", ["-C", "/nonexistent/x", "config"], /no such directory/),
  badArgs(
    "--config naming a directory",
    ["--config", "..", "bootstrap"],
    /^error: \.\.: not a file$/m,
  ),
  badArgs(
    "--config naming a file that is not TOML",
    ["--config", "/etc/passwd", "bootstrap"],
    /^error: \/etc\/passwd:1:\d+: /m,
  ),
  badArgs(
    "a wrknv.toml of binary garbage",
    ["bootstrap"],
    /^error: wrknv\.toml:1:1: /m,
    (c) => Deno.writeFile(join(c.meta, "wrknv.toml"), new Uint8Array([0, 0xff, 0xfe, 0x80, 10])),
  ),
  badArgs(
    "a wrknv.toml that is a symbolic link loop",
    ["bootstrap"],
    /no wrknv\.toml in .* or any parent directory/,
    async (c) => {
      await Deno.remove(join(c.meta, "wrknv.toml"));
      await Deno.symlink("wrknv.toml", join(c.meta, "wrknv.toml"));
    },
  ),
  badArgs(
    "--filter that git would read as an option",
    ["bootstrap", "--filter=--upload-pack=x"],
    /--filter: expected blob:none/,
  ),
];

/** Make `dir` a git repository with everything in it committed (as a cloned meta-repository is). */
async function commitAll(dir: string): Promise<void> {
  await gitIn(dir, ["init", "--quiet"]);
  await gitIn(dir, ["add", "-A", "-f", "."]);
  await gitIn(dir, ["commit", "--quiet", "-m", "all"]);
}

/**
 * A directory that looks like a venv, whose python writes `$D/pwned` when it
 * runs (then runs the real one, so a careless check would see it "work").
 */
async function fakeVenv(c: Ctx, at: string): Promise<void> {
  await Deno.mkdir(join(at, "bin"), { recursive: true });
  await Deno.mkdir(join(at, "lib"), { recursive: true });
  await Deno.writeTextFile(join(at, "pyvenv.cfg"), "home = /usr/bin\nversion = 3.11.0\n");
  const python = join(at, "bin", "python");
  await Deno.writeTextFile(python, `#!/bin/sh\ntouch ${c.dir}/pwned\nexec python3 "$@"\n`);
  await Deno.chmod(python, 0o755);
}

/** A workspace (one sibling, not installable) whose venv is `venv`, cloned. */
async function venvWorkspace(c: Ctx, venv: string): Promise<void> {
  await writeConfig(
    c,
    HEAD + `[workspace.python]\nvenv = "${venv}"\n` + good(c.fx) + "install = false\n",
  );
  await ok(["bootstrap"], { cwd: c.meta });
}

/**
 * A case with a fake venv at `at` (default .venv) in the meta directory,
 * committed to it or not; whatever the command, the fake python never runs.
 */
function fakeVenvCase(
  name: string,
  o: Pick<Case, "args" | "code" | "says" | "may" | "then"> & { at?: string; committed?: boolean },
): Case {
  const at = o.at ?? ".venv";
  return {
    name,
    async arrange(c) {
      await venvWorkspace(c, at);
      await fakeVenv(c, join(c.meta, at));
      if (o.committed) await commitAll(c.meta);
    },
    args: o.args,
    code: o.code,
    says: o.says,
    may: o.may,
    async then(c, r) {
      await neverRan(c);
      await o.then?.(c, r);
    },
  };
}

/** The payload of a fake venv never ran. */
async function neverRan(c: Ctx): Promise<void> {
  assert.equal(await exists(join(c.dir, "pwned")), false, "the fake venv's python ran");
}

const VENVS_LINKS_STATE: Case[] = [
  {
    name: "a venv reached through a symbolic link into a sibling (setup --recreate)",
    async arrange(c) {
      await venvWorkspace(c, "env");
      await Deno.symlink("../inner/good", join(c.meta, "env"));
    },
    args: ["setup", "--recreate", ...OFFLINE],
    code: 2,
    says:
      /workspace\.python\.venv: "\/.*\/meta\/env" resolves to \/.*\/inner\/good, which is sibling "good"/,
  },
  {
    name: "a pyvenv.cfg that is a directory is no venv (setup --recreate)",
    async arrange(c) {
      await venvWorkspace(c, ".venv");
      await Deno.mkdir(join(c.meta, ".venv", "pyvenv.cfg"), { recursive: true });
      await Deno.mkdir(join(c.meta, ".venv", "bin"));
    },
    args: ["setup", "--recreate", ...OFFLINE],
    code: 2,
    says:
      /\.venv exists but is not a virtual environment \(its pyvenv\.cfg is not a regular file\)/,
  },
  {
    name: "a venv that is a symbolic link is never followed (setup --recreate)",
    async arrange(c) {
      await venvWorkspace(c, ".venv");
      await fakeVenv(c, join(c.dir, "outside", "myenv"));
      await Deno.symlink("../outside/myenv", join(c.meta, ".venv"));
    },
    args: ["setup", "--recreate", ...OFFLINE],
    code: 2,
    says:
      /\.venv exists but is not a virtual environment \(it is a symbolic link \(to \.\.\/outside\/myenv\); wrknv does not follow one\)/,
    then: neverRan,
  },
  {
    name: "a venv's layout with someone's files in it is never deleted (setup --recreate)",
    async arrange(c) {
      await venvWorkspace(c, ".venv");
      await fakeVenv(c, join(c.meta, ".venv"));
      await Deno.writeTextFile(join(c.meta, ".venv", "notes.txt"), "mine\n");
    },
    args: ["setup", "--recreate", ...OFFLINE],
    code: 2,
    says: /is not a virtual environment \(it holds "notes\.txt", which a venv does not\)/,
    then: neverRan,
  },
  {
    name: "--recreate with no matching Python keeps the working venv",
    async arrange(c) {
      await venvWorkspace(c, ".venv");
      await ok(["setup", ...OFFLINE], { cwd: c.meta });
      await edit("[workspace.python]", '[workspace.python]\nversion = ">=3.99"')(c);
    },
    args: ["setup", "--recreate", ...OFFLINE],
    code: 1,
    says: /^error: no Python satisfies ">=3\.99"/m,
    // The tree, the venv included, is compared: nothing of it was removed.
    then: async (c) => assert.ok(await exists(join(c.meta, ".venv", "pyvenv.cfg"))),
  },
  fakeVenvCase("a committed fake venv is never run (validate)", {
    at: "tools/env",
    committed: true,
    args: ["validate"],
    code: 1,
    says:
      /✗ .*tools\/env holds files tracked by git \(.*tools\/env\/bin\/python.*\): a venv that came with a repository could run anything, so wrknv neither runs nor deletes it/,
  }),
  fakeVenvCase("a committed fake venv is never run (setup --no-hooks)", {
    at: "tools/env",
    committed: true,
    args: ["setup", "--no-hooks", ...OFFLINE],
    code: 2,
    says: /^error: .*tools\/env holds files tracked by git/m,
  }),
  fakeVenvCase("a committed fake venv is never deleted (setup --recreate)", {
    at: "tools/env",
    committed: true,
    args: ["setup", "--recreate", ...OFFLINE],
    code: 2,
    says: /holds files tracked by git/,
  }),
  fakeVenvCase("a venv wrknv did not make is never run (validate)", {
    args: ["validate"],
    code: 1,
    says:
      /✗ the venv at .*\/meta\/\.venv was not made by wrknv, so wrknv does not run it .*\n +→ if it is yours, run `wrknv setup --recreate`/,
  }),
  fakeVenvCase("a venv wrknv did not make is never run (setup)", {
    args: ["setup", ...OFFLINE],
    code: 1,
    says:
      /^error: the venv at .* was not made by wrknv.*\nhint: if it is yours, run `wrknv setup --recreate`/m,
  }),
  fakeVenvCase("a venv wrknv did not make gives no wheels to a bundle, and is not run (bundle)", {
    args: ["bundle", "../out"],
    code: 0,
    says:
      /not included: wheels of the siblings' dependencies: no working venv at .*\(wrknv did not make it; run wrknv setup --recreate first\)/,
    may: /^out(\/.*)?$/,
  }),
  fakeVenvCase("setup --recreate replaces a venv wrknv did not make, without running it", {
    args: ["setup", "--recreate", ...OFFLINE],
    code: 0,
    says: /setup done/,
    may: /^meta\/\.venv(\/|$)/,
    then: (c) => ok(["validate"], { cwd: c.meta }).then(() => {}),
  }),
  {
    name: "a committed link to a repository outside the root (sync)",
    arrange: linkedOutside,
    args: ["sync"],
    code: 2,
    says:
      /siblings\[0\]\.path: ".*\/meta\/linked" is a symbolic link to .*\/outside\/userrepo, outside the workspace root, which wrknv did not make/,
  },
  {
    name: "a committed link to a repository outside the root (setup)",
    arrange: linkedOutside,
    args: ["setup", ...OFFLINE],
    code: 2,
    says: /is a symbolic link to .*\/outside\/userrepo, outside the workspace root/,
  },
  {
    name: "a committed link to a repository outside the root (sync --locked)",
    async arrange(c) {
      await linkedOutside(c);
      await Deno.writeTextFile(join(c.meta, "wrknv.lock"), lockOf(c.fx, c.fx.good.commits[0]));
    },
    args: ["sync", "--locked"],
    code: 2,
    says: /is a symbolic link to .*\/outside\/userrepo, outside the workspace root/,
  },
  {
    name: "a link made by bootstrap --link-from is followed (status)",
    async arrange(c) {
      await plainWorkspace(c);
      await gitIn(c.dir, ["clone", "--quiet", c.fx.good.url, join(c.dir, "outside", "good")]);
      await ok(["bootstrap", "--link-from", join(c.dir, "outside")], { cwd: c.meta });
    },
    args: ["status"],
    code: 0,
    says: /good +main +[0-9a-f]{7} +clean/,
  },
  {
    name: "a committed .wrknv/bundle.json does not redirect installs (setup)",
    async arrange(c) {
      await venvWorkspace(c, ".venv");
      await Deno.mkdir(join(c.dir, "outside", "wheels"), { recursive: true });
      await Deno.mkdir(join(c.meta, ".wrknv"), { recursive: true });
      await Deno.writeTextFile(
        join(c.meta, ".wrknv", "bundle.json"),
        JSON.stringify({ dir: join(c.dir, "outside"), wheels: join(c.dir, "outside", "wheels") }),
      );
    },
    args: ["setup", ...OFFLINE],
    code: 0,
    says: /setup done/,
    may: /^meta\/\.venv(\/|$)/,
    then: (_c, r) => assert.doesNotMatch(r.stdout + r.stderr, /bundle's wheels/),
  },
  {
    name: "a committed .wrknv/setup.json link is never written through (setup)",
    async arrange(c) {
      await venvWorkspace(c, ".venv");
      await Deno.writeTextFile(join(c.dir, "outside", "victim.txt"), "mine\n");
      await Deno.mkdir(join(c.meta, ".wrknv"), { recursive: true });
      await Deno.symlink("../../outside/victim.txt", join(c.meta, ".wrknv", "setup.json"));
    },
    args: ["setup", ...OFFLINE],
    code: 0,
    says: /setup done/,
    may: /^meta\/\.venv(\/|$)/,
  },
  {
    name: "a .wrknv that is a symbolic link takes no writes elsewhere (bootstrap)",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.mkdir(join(c.dir, "outside", "state"));
      await Deno.symlink("../outside/state", join(c.meta, ".wrknv"));
    },
    code: 1,
    says:
      /^error: .*\/meta\/\.wrknv is not a directory \(a symbolic link\?\); wrknv keeps its state only in a real one/m,
  },
];

/**
 * A meta-repository (root ".") that commits `linked -> ../outside/userrepo`,
 * a repository of the user's one commit behind its upstream (so `sync` would
 * have something to write there).
 */
async function linkedOutside(c: Ctx): Promise<void> {
  const user = join(c.dir, "outside", "userrepo");
  await Deno.mkdir(c.meta, { recursive: true });
  await gitIn(c.dir, ["clone", "--quiet", c.fx.good.url, user]);
  await gitIn(user, ["reset", "--quiet", "--hard", "HEAD~1"]);
  await Deno.writeTextFile(
    join(c.meta, "wrknv.toml"),
    `[workspace]\nname = "ws"\nroot = "."\n\n[[siblings]]\nname = "linked"\nrepo = "${c.fx.good.url}"\n`,
  );
  await Deno.symlink("../outside/userrepo", join(c.meta, "linked"));
  await commitAll(c.meta);
}

// ---------------------------------------------------------------------------
// Bundles and lock files

/** Write a bundle by hand: the files given, git bundles of `repos`, and a manifest of them all. */
async function writeBundle(
  dir: string,
  files: Record<string, string>,
  repos: Record<string, Remote>,
): Promise<void> {
  await Deno.mkdir(join(dir, "repos"), { recursive: true });
  await Deno.mkdir(join(dir, "wheels"), { recursive: true });
  for (const [name, remote] of Object.entries(repos)) {
    await gitIn(remote.work, [
      "bundle",
      "create",
      "--quiet",
      join(dir, "repos", `${name}.bundle`),
      "--all",
    ]);
  }
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  const list = [];
  for (
    const name of [
      ...Object.keys(files),
      ...Object.keys(repos).map((r) => `repos/${r}.bundle`),
    ]
  ) {
    const data = await Deno.readFile(join(dir, name));
    const digest = await crypto.subtle.digest("SHA-256", data);
    const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"))
      .join("");
    list.push({ path: name, size: data.length, sha256 });
  }
  await Deno.writeTextFile(
    join(dir, "wrknv-bundle.json"),
    JSON.stringify({ version: 1, workspace: "ws", created: "", files: list, missing: [] }),
  );
}

/** Pack the case's bundle/ as bundle.tar.gz beside it (as `wrknv bundle --archive` does). */
async function archive(c: Ctx): Promise<void> {
  const r = await new Deno.Command("tar", {
    args: ["-czf", join(c.dir, "bundle.tar.gz"), "-C", c.dir, "bundle"],
  }).output();
  assert.ok(r.success);
  await Deno.remove(join(c.dir, "bundle"), { recursive: true });
}

/** Change the case's bundle manifest. */
async function editManifest(
  c: Ctx,
  change: (doc: { files: { path: string; size: number }[] }) => void,
): Promise<void> {
  const m = join(c.dir, "bundle", "wrknv-bundle.json");
  const doc = JSON.parse(await Deno.readTextFile(m));
  change(doc);
  await Deno.writeTextFile(m, JSON.stringify(doc));
}

/** Run `act`, and insist that it left no wrknv-bundle-* directory in the temporary directory. */
/**
 * Run `act` with a temporary directory of its own as TMPDIR (other tests, and
 * other wrknv processes on the machine, use /tmp at the same time), and
 * require that it is empty again afterwards.
 */
async function withoutTmpLeftovers(
  act: (env: Record<string, string>) => Promise<Result>,
): Promise<Result> {
  const tmp = await Deno.makeTempDir({ prefix: "wrknv-sec-tmpdir-" });
  try {
    const r = await act({ TMPDIR: tmp });
    const left = (await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name);
    assert.deepEqual(left, [], "left in TMPDIR");
    return r;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

const lockOf = (fx: Shared, commit: string) =>
  `version = 1\n\n[[siblings]]\nname = "good"\nrepo = "${fx.good.url}"\ncommit = ${
    JSON.stringify(commit)
  }\n`;

/** A fresh directory (no wrknv.toml) and a bundle beside it. */
async function bundleCase(c: Ctx, toml: string, lock?: string): Promise<void> {
  await Deno.mkdir(c.meta, { recursive: true });
  await writeBundle(join(c.dir, "bundle"), {
    "wrknv.toml": toml,
    "wrknv.lock": lock ?? lockOf(c.fx, c.fx.good.commits.at(-1)!),
  }, { good: c.fx.good });
}

const BUNDLES_AND_LOCKS: Case[] = [
  {
    name: "bootstrap --from an archive in an empty directory, leaving nothing in /tmp",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      await archive(c);
    },
    act: (c) =>
      withoutTmpLeftovers((env) =>
        wrknv(["bootstrap", "--from", "../bundle.tar.gz"], { cwd: c.meta, env })
      ),
    code: 0,
    says: /took wrknv\.toml from the bundle[^]*bootstrap done: 1 cloned/,
    may: /^(meta\/wrknv\.toml|good(\/.*)?)$/,
  },
  {
    name: "up --from an archive in an empty directory, leaving nothing in /tmp",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx) + "install = false\n");
      await archive(c);
    },
    act: (c) =>
      withoutTmpLeftovers((env) =>
        wrknv(["up", "--from", "../bundle.tar.gz", ...OFFLINE], { cwd: c.meta, env })
      ),
    code: 0,
    says: /took wrknv\.toml from the bundle[^]*setup done[^]*0 errors/,
    may: /^(meta\/(wrknv\.toml|\.venv(\/.*)?)|good(\/.*)?)$/,
  },
  {
    name: "an archive with a damaged file is refused, and nothing of it is kept",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      const f = join(c.dir, "bundle", "repos", "good.bundle");
      const bytes = await Deno.readFile(f);
      bytes[bytes.length - 30] ^= 0xff;
      await Deno.writeFile(f, bytes);
      await archive(c);
    },
    act: (c) =>
      withoutTmpLeftovers(async (env) => {
        // A cache of its own: other cases unpack archives into the shared one meanwhile.
        const cache = await Deno.makeTempDir({ prefix: "wrknv-sec-cache-" });
        try {
          const r = await wrknv(["up", "--from", "../bundle.tar.gz"], {
            cwd: c.meta,
            env: { ...env, WRKNV_CACHE_DIR: cache },
          });
          const dir = join(cache, "bundles");
          const kept = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
          assert.deepEqual(kept.map((e) => e.name), [], "nothing of the archive is kept");
          return r;
        } finally {
          await Deno.remove(cache, { recursive: true });
        }
      }),
    code: 2,
    says:
      /^error: \.\.\/bundle\.tar\.gz: repos\/good\.bundle does not match the manifest \(sha256/m,
  },
  {
    name: "a manifest that lists no files, with a damaged repository bundle",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      await Deno.writeFile(join(c.dir, "bundle", "repos", "good.bundle"), new Uint8Array(64));
      await editManifest(c, (doc) => doc.files = []);
    },
    args: ["bootstrap", "--from", "../bundle"],
    code: 2,
    says:
      /^error: \.\.\/bundle: repos\/good\.bundle is not in the manifest; the bundle is damaged or was changed$/m,
  },
  {
    name: "a bundle holding a file its manifest does not list",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      await Deno.writeTextFile(join(c.dir, "bundle", "wheels", "evil-1.0-py3-none-any.whl"), "x");
    },
    args: ["up", "--from", "../bundle"],
    code: 2,
    says: /wheels\/evil-1\.0-py3-none-any\.whl is not in the manifest/,
  },
  {
    name: "a bundle holding a symbolic link",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      await Deno.symlink("/etc/passwd", join(c.dir, "bundle", "wheels", "x.whl"));
    },
    args: ["bootstrap", "--from", "../bundle"],
    code: 2,
    says: /wheels\/x\.whl is not a regular file; the bundle is damaged or was changed/,
  },
  {
    name: "a bundle whose file is shorter than its manifest says",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      await editManifest(c, (doc) => {
        for (const f of doc.files) if (f.path === "wrknv.toml") f.size += 1;
      });
    },
    args: ["bootstrap", "--from", "../bundle"],
    code: 2,
    says: /wrknv\.toml does not match the manifest \(\d+ bytes, expected \d+\)/,
  },
  {
    name: "a bundle leaves out the stash and other branches, and says so",
    async arrange(c) {
      await cloned(c);
      const repo = join(c.dir, "inner", "good");
      await gitIn(repo, ["branch", "private", "HEAD~1"]);
      await Deno.writeTextFile(join(repo, "README.md"), "API_TOKEN=hunter2\n");
      await gitIn(repo, ["stash", "--quiet"]);
    },
    args: ["bundle", "../out"],
    code: 0,
    says:
      /left out of good \(only what the lock needs is packed\): .*refs\/heads\/private.*refs\/stash/,
    may: /^out(\/.*)?$/,
    then: async (c) => {
      const file = join(c.dir, "out", "repos", "good.bundle");
      const heads = await gitIn(c.dir, ["bundle", "list-heads", file]);
      assert.doesNotMatch(heads, /stash|private/);
      assert.match(heads, /refs\/heads\/main/);
      // The stashed secret is not in the pack either.
      const stash = await gitIn(join(c.dir, "inner", "good"), ["rev-parse", "refs/stash"]);
      const probe = join(c.dir, "probe");
      await gitIn(c.dir, ["clone", "--quiet", file, probe]);
      const r = await new Deno.Command("git", {
        args: ["-C", probe, "cat-file", "-e", stash],
        stderr: "null",
      }).output();
      assert.equal(r.success, false, "the stash commit was packed");
      await Deno.remove(probe, { recursive: true });
    },
  },
  {
    name: "a bundle with one byte changed",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      const f = join(c.dir, "bundle", "wrknv.lock");
      await Deno.writeTextFile(
        f,
        (await Deno.readTextFile(f)).replace("version = 1", "version =1"),
      );
    },
    args: ["bootstrap", "--from", "../bundle"],
    code: 2,
    says:
      /^error: \.\.\/bundle: wrknv\.lock does not match the manifest .*the bundle is damaged or was changed$/m,
  },
  {
    name: "a bundle whose manifest names a file outside it",
    async arrange(c) {
      await bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx));
      const m = join(c.dir, "bundle", "wrknv-bundle.json");
      const doc = JSON.parse(await Deno.readTextFile(m));
      doc.files.push({ path: "../../../../etc/passwd", size: 1, sha256: "0".repeat(64) });
      await Deno.writeTextFile(m, JSON.stringify(doc));
    },
    args: ["up", "--from", "../bundle"],
    code: 2,
    says: /the manifest names a file outside the bundle: \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd/,
  },
  {
    name: "a bundle whose wrknv.toml is hostile leaves nothing behind (up --from)",
    arrange: (c) =>
      bundleCase(
        c,
        `[workspace]\nname = "ws"\n` + good(c.fx) +
          `\n[[siblings]]\nname = "evil"\nrepo = "ext::sh -c touch% ${c.dir}/pwned"\n`,
      ),
    args: ["up", "--from", "../bundle"],
    code: 2,
    says: /^error: \.\.\/bundle\/wrknv\.toml:\d+: siblings\[1\]\.repo: .*"ext::"/m,
    then: async (c) => assert.equal(await exists(join(c.meta, "wrknv.toml")), false),
  },
  {
    name: "a bundle whose wrknv.toml leaves the root leaves nothing behind (bootstrap --from)",
    arrange: (c) =>
      bundleCase(
        c,
        `[workspace]\nname = "ws"\n[[siblings]]\nname = "good"\nrepo = "${c.fx.good.url}"\npath = "../../x"\n`,
      ),
    args: ["bootstrap", "--from", "../bundle"],
    code: 2,
    says: /siblings\[0\]\.path: path "\.\.\/\.\.\/x" is outside the workspace root/,
    then: async (c) => assert.equal(await exists(join(c.meta, "wrknv.toml")), false),
  },
  {
    name: "a bundle whose lock holds an option for a commit",
    arrange: (c) =>
      bundleCase(c, `[workspace]\nname = "ws"\n` + good(c.fx), lockOf(c.fx, "--upload-pack=x")),
    args: ["bootstrap", "--from", "../bundle"],
    code: 2,
    says: /wrknv\.lock: siblings\[0\]\.commit: expected a full commit hash/,
  },
  {
    name: "a directory that is not a bundle",
    arrange: async (c) => {
      await plainWorkspace(c);
      await Deno.mkdir(join(c.dir, "bundle"));
    },
    args: ["bootstrap", "--from", "../bundle"],
    code: 2,
    says: /\.\.\/bundle: not a wrknv bundle \(no readable wrknv-bundle\.json\)/,
  },
  {
    name: "bundle into a directory that holds files",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.mkdir(join(c.dir, "out"));
      await Deno.writeTextFile(join(c.dir, "out", "mine.txt"), "keep me\n");
    },
    args: ["bundle", "../out"],
    code: 2,
    says: /^error: \/.*\/out already exists and is not empty; pick a new directory$/m,
  },
  {
    name: "a lock that holds an option for a commit (bootstrap --locked)",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.writeTextFile(join(c.meta, "wrknv.lock"), lockOf(c.fx, "--orphan"));
    },
    args: ["bootstrap", "--locked"],
    code: 2,
    says: /wrknv\.lock: siblings\[0\]\.commit: expected a full commit hash/,
  },
  {
    name: "a torn lock (bootstrap --locked)",
    async arrange(c) {
      await plainWorkspace(c);
      const text = lockOf(c.fx, c.fx.good.commits[0]);
      await Deno.writeTextFile(join(c.meta, "wrknv.lock"), text.slice(0, text.length - 20));
    },
    args: ["bootstrap", "--locked"],
    code: 2,
    says: /^error: wrknv\.lock:\d+:\d+: /m,
  },
  {
    name: "--locked without a lock",
    arrange: plainWorkspace,
    args: ["bootstrap", "--locked"],
    code: 2,
    says: /--locked: there is no wrknv\.lock beside wrknv\.toml/,
  },
];

// ---------------------------------------------------------------------------
// Faults

/** A workspace whose only sibling is `repo` (root: inner/). */
function oneSibling(repo: (c: Ctx) => string, extra = ""): (c: Ctx) => Promise<void> {
  return (c) =>
    writeConfig(
      c,
      HEAD + `\n[[siblings]]\nname = "a"\nrepo = ${JSON.stringify(repo(c))}\n${extra}`,
    );
}

/** As root, the repository is given to nobody; otherwise git is told to act as if (its test switch). */
async function ownedByAnother(path: string): Promise<void> {
  if (Deno.uid() !== 0) return;
  const r = await new Deno.Command("chown", { args: ["-R", "65534:65534", path] }).output();
  assert.ok(r.success, `chown ${path}`);
}

const ANOTHER_OWNER_ENV: Record<string, string> = Deno.uid() === 0
  ? {}
  : { GIT_TEST_ASSUME_DIFFERENT_OWNER: "1" };

/** A cloned workspace whose wrknv.lock is a link to outside/`file`, which holds `text`. */
function lockLinkedTo(file: string, text: string): (c: Ctx) => Promise<void> {
  return async (c) => {
    await cloned(c);
    await Deno.writeTextFile(join(c.dir, "outside", file), text);
    await Deno.symlink(`../outside/${file}`, join(c.meta, "wrknv.lock"));
  };
}

/** A plain workspace with the good sibling cloned. */
async function cloned(c: Ctx): Promise<void> {
  await plainWorkspace(c);
  await ok(["bootstrap"], { cwd: c.meta });
}

/** A venv at meta/.venv whose python is gone. */
async function brokenVenv(c: Ctx): Promise<void> {
  await writeConfig(c, HEAD + good(c.fx) + "install = false\n");
  await ok(["bootstrap"], { cwd: c.meta });
  const venv = join(c.meta, ".venv");
  const r = await new Deno.Command("python3", { args: ["-m", "venv", "--without-pip", venv] })
    .output();
  assert.ok(r.success);
  for await (const e of Deno.readDir(join(venv, "bin"))) {
    if (e.name.startsWith("python")) await Deno.remove(join(venv, "bin", e.name));
  }
}

/** A real venv (with pip) at meta/.venv and a wheelhouse holding one corrupt wheel. */
async function corruptWheelhouse(c: Ctx, remote: Remote, corrupt: string): Promise<void> {
  await writeConfig(
    c,
    HEAD + `\n[[siblings]]\nname = "${remote.path.split("/").pop()!.replace(/\.git$/, "")}"\n` +
      `repo = "${remote.url}"\n`,
  );
  await ok(["bootstrap"], { cwd: c.meta });
  // wrknv makes the venv (it runs only venvs it made): setup with the sibling left out.
  const toml = join(c.meta, "wrknv.toml");
  const text = await Deno.readTextFile(toml);
  await Deno.writeTextFile(toml, text + "install = false\n");
  await ok(["setup", ...OFFLINE], { cwd: c.meta });
  await Deno.writeTextFile(toml, text);
  const venv = join(c.meta, ".venv");
  // The build backends setup would add first, so that the venv is as it will stay.
  // (With uv on PATH, setup made the venv with uv, without pip.)
  const python = join(venv, "bin", "python");
  const install = ["install", "--quiet", "--no-index", "--find-links", SYSTEM_WHEELS, "wheel"];
  const pip =
    await (await exists(join(venv, "bin", "pip"))
      ? new Deno.Command(python, { args: ["-m", "pip", ...install] })
      : new Deno.Command("uv", { args: ["pip", ...install, "--python", python] })).output();
  assert.ok(pip.success, new TextDecoder().decode(pip.stderr));
  const wheels = join(c.dir, "wheels");
  await Deno.mkdir(wheels);
  for await (const e of Deno.readDir(SYSTEM_WHEELS)) {
    if (e.name.endsWith(".whl")) {
      await Deno.copyFile(join(SYSTEM_WHEELS, e.name), join(wheels, e.name));
    }
  }
  await Deno.writeTextFile(join(wheels, corrupt), "PK\x03\x04 this is not a whole zip file");
}

/** How long each checkpoint of a write pauses in the kill loops (`WRKNV_TEST_CHECKPOINTS`). */
const PAUSE_MS = 40;

/**
 * `kill -9` wrknv many times while it rewrites `file`; after each kill the
 * file must be exactly the old text or the new one. With checkpoints on,
 * wrknv announces on stderr each step of its atomic write (`write`, `rename`,
 * `renamed`) and pauses there; each kill is sent at a seeded random moment
 * after the write began, and where it landed is read from what was announced
 * before the process died. At least 5 kills must land inside the write (after
 * `write`, before `renamed`), else the loop tested nothing. A last whole run
 * must then clean up what the killed ones left. Returns what a clean
 * `wrknv config` says (the file still loads).
 */
async function killLoop(
  c: Ctx,
  options: {
    args: (i: number) => string[];
    file: string;
    /** The new text after run `i` completes. */
    expected: (old: string, i: number) => Promise<string> | string;
    runs: number;
    seed: number;
  },
): Promise<Result> {
  const old = await Deno.readTextFile(options.file);
  const name = basename(options.file);
  const rand = mulberry32(options.seed);
  const landed = { inside: 0, after: 0 };
  const env = { WRKNV_TEST_CHECKPOINTS: String(PAUSE_MS) };
  for (let i = 0; i < options.runs; i++) {
    const want = await options.expected(old, i);
    const child = spawn(options.args(i), { cwd: c.meta, env });
    const stdout = new Response(child.stdout).text();
    const said: string[] = [];
    let buffer = "";
    let killed = false;
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      said.push(...lines);
      if (!killed && lines.includes(`checkpoint write ${name}`)) {
        killed = true;
        // Anywhere from the start of the write to a little after its end.
        await new Promise((r) => setTimeout(r, rand() * PAUSE_MS * 3.5));
        try {
          child.kill("SIGKILL");
        } catch {
          // It had finished.
        }
      }
    }
    await stdout;
    const status = await child.status;
    assert.ok(killed, `run ${i} never began its write: ${said.join(" | ")}`);
    const now = await Deno.readTextFile(options.file);
    assert.ok(now === old || now === want, `run ${i}: neither the old nor the new file:\n${now}`);
    if (status.signal === "SIGKILL" && !said.includes(`checkpoint renamed ${name}`)) {
      landed.inside++;
      if (!said.includes(`checkpoint rename ${name}`)) {
        assert.equal(now, old, `run ${i}: killed before the rename, yet the file changed`);
      }
    } else landed.after++;
    await Deno.writeTextFile(options.file, old);
  }
  assert.ok(landed.inside >= 5, `too few kills landed inside the write: ${JSON.stringify(landed)}`);
  // A whole run after the killed ones removes the temporary files they left.
  await ok(options.args(-1), { cwd: c.meta });
  await Deno.writeTextFile(options.file, old);
  return await wrknv(["config"], { cwd: c.meta });
}

const FAULTS: Case[] = [
  {
    name: "two wrknv add at once, ten times over: no entry is lost",
    arrange: plainWorkspace,
    async act(c) {
      for (let i = 0; i < 10; i++) {
        const runs = await Promise.all(
          ["a", "b"].map((x) => wrknv(["add", `https://h.invalid/${x}${i}.git`], { cwd: c.meta })),
        );
        for (const r of runs) assert.equal(r.code, 0, `round ${i}: ${r.stderr}`);
      }
      return await wrknv(["config"], { cwd: c.meta });
    },
    code: 0,
    says: /b9 +\.\.\/inner\/b9/,
    may: /^meta\/wrknv\.toml$/,
    then: async (c) => {
      const path = join(c.meta, "wrknv.toml");
      const names = parseConfig(await Deno.readTextFile(path), path).siblings.map((s) => s.name);
      const want = ["good", ...Array.from({ length: 10 }, (_, i) => [`a${i}`, `b${i}`]).flat()];
      assert.deepEqual([...names].sort(), want.sort());
    },
  },
  {
    name: "a hint that suggests a command quotes the URL it holds (validate)",
    async arrange(c) {
      await cloned(c);
      // origin differs from the file, so validate suggests `git remote set-url`.
      await edit(c.fx.good.url, `https://h.invalid/x.git;touch\${IFS}${c.dir}/pwned;#`)(c);
    },
    args: ["validate"],
    code: 1,
    says:
      /→ run: git -C \S+ remote set-url origin 'https:\/\/h\.invalid\/x\.git;touch\$\{IFS\}\S+\/pwned;#' \(or fix repo/,
    then: async (c, r) => {
      // Pasted into a shell, the hint runs git with that URL, and nothing else.
      const hint = /→ run: (git -C .*) \(or fix repo/.exec(r.stdout)![1];
      const sh = await new Deno.Command("sh", { args: ["-c", hint], stderr: "null" }).output();
      assert.ok(sh.success);
      assert.equal(await exists(join(c.dir, "pwned")), false, "the hint ran the URL's command");
    },
  },
  ...(["validate", "lock", "bootstrap"] as const).map((command): Case => ({
    name: `a sibling owned by another user: git's refusal is said (${command})`,
    async arrange(c) {
      await cloned(c);
      await ownedByAnother(join(c.dir, "inner", "good"));
    },
    args: [command],
    env: () => ANOTHER_OWNER_ENV,
    code: 1,
    says: {
      validate:
        /✗ git refuses to work in \S+\/inner\/good: the repository is owned by another user \("dubious ownership"\) +\[sibling\.present\]\n +→ if you trust it, run: git config --global --add safe\.directory \S+\/inner\/good/,
      lock:
        /^error: git refuses to work in \S+\/inner\/good: the repository is owned by another user \("dubious ownership"\)\nhint: if you trust it, run: git config --global --add safe\.directory /m,
      bootstrap: /✗ good +failed .*\n +git refuses to work in \S+\/inner\/good: .*safe\.directory/,
    }[command],
  })),
  {
    name: "add writes through a symbolic link to wrknv.toml",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.rename(join(c.meta, "wrknv.toml"), join(c.dir, "outside", "ws.toml"));
      await Deno.symlink("../outside/ws.toml", join(c.meta, "wrknv.toml"));
    },
    args: ["add", URL],
    code: 0,
    says: /added x/,
    may: /^outside\/ws\.toml$/,
    then: async (c) => {
      assert.equal(await Deno.readLink(join(c.meta, "wrknv.toml")), "../outside/ws.toml");
      assert.match(await Deno.readTextFile(join(c.dir, "outside", "ws.toml")), /name = "x"/);
    },
  },
  {
    name: "lock writes through a symbolic link to wrknv.lock",
    arrange: lockLinkedTo("ws.lock", ""),
    args: ["lock"],
    code: 0,
    says: /locked 1 sibling/,
    may: /^outside\/ws\.lock$/,
    then: async (c) => {
      assert.equal(await Deno.readLink(join(c.meta, "wrknv.lock")), "../outside/ws.lock");
      assert.equal(parseLock(await Deno.readTextFile(join(c.dir, "outside", "ws.lock"))).length, 1);
    },
  },
  {
    name: "a wrknv.lock that links to someone's file is never written over (lock)",
    arrange: lockLinkedTo("notes.txt", "my notes\n"),
    args: ["lock"],
    code: 2,
    says:
      /^error: wrknv\.lock is a symbolic link to \S+\/outside\/notes\.txt, which is not a wrknv lock file \(.*\); wrknv will not write over it$/m,
  },
  {
    name: "a git:// remote that accepts and never answers (sync --timeout)",
    async arrange(c) {
      await cloned(c);
      await gitIn(join(c.dir, "inner", "good"), [
        "remote",
        "set-url",
        "origin",
        c.extra.hangingGit,
      ]);
    },
    args: ["sync", "--timeout", "1"],
    // git makes an empty FETCH_HEAD before it connects.
    may: /^inner\/good\/\.git\/FETCH_HEAD$/,
    code: 1,
    says: /✗ good +failed +git fetch timed out after 1s/,
  },
  {
    name: "a git:// remote that accepts and never answers (bootstrap --timeout)",
    arrange: oneSibling((c) => c.extra.hangingGit),
    args: ["bootstrap", "--timeout", "1", "--retry", "0"],
    code: 1,
    says: /✗ a +failed .*\n +timed out after 1s/,
  },
  {
    name: "an http:// remote that accepts and never answers (bootstrap --timeout)",
    arrange: oneSibling((c) => c.extra.hangingHttp),
    args: ["bootstrap", "--timeout", "1", "--retry", "0", "--json"],
    code: 1,
    says: /"status": "failed",\s+"error": "timed out after 1s"/,
  },
  {
    name: "a remote that asks for credentials, without a terminal",
    arrange: oneSibling((c) => c.extra.auth),
    args: ["bootstrap", "--retry", "0"],
    code: 1,
    says:
      /✗ a +failed .*\n +.*(terminal prompts disabled|Authentication failed|could not read Username)/,
  },
  {
    name: "a remote that does not exist",
    arrange: oneSibling((c) => `file://${c.dir}/nowhere.git`),
    args: ["bootstrap", "--retry", "0"],
    code: 1,
    says: /✗ a +failed .*\n +.*(does not appear to be a git repository|not found|No such)/i,
  },
  {
    name: "a revision that does not exist",
    arrange: oneSibling((c) => c.fx.good.url, 'revision = "no-such-branch"\n'),
    code: 1,
    says: /✗ a +failed .*\n +Remote branch no-such-branch not found in upstream origin/,
  },
  {
    name: "git missing from PATH (bootstrap)",
    arrange: plainWorkspace,
    env: () => ({ PATH: "/nonexistent" }),
    code: 1,
    says: /git not found on PATH/,
  },
  {
    name: "git missing from PATH (lock)",
    arrange: cloned,
    args: ["lock"],
    env: () => ({ PATH: "/nonexistent" }),
    code: 1,
    says: /^error: git not found on PATH\nhint: Install git or add it to PATH\n$/,
  },
  {
    name: "git missing from PATH (validate)",
    arrange: cloned,
    args: ["validate"],
    env: () => ({ PATH: "/nonexistent" }),
    code: 1,
    says: /✗ git not found on PATH +\[tools\.git\]\n +→ install git/,
  },
  {
    name: "Python missing from PATH (setup)",
    async arrange(c) {
      await writeConfig(c, HEAD + good(c.fx) + "install = false\n");
      await ok(["bootstrap"], { cwd: c.meta });
    },
    args: ["setup", ...OFFLINE],
    env: (c) => ({ PATH: c.fx.gitOnly }),
    code: 1,
    says: /^error: no Python satisfies ">=3\.11" .*\nhint: install a matching Python/m,
  },
  {
    name: "Python missing from PATH (validate)",
    arrange: cloned,
    args: ["validate"],
    env: (c) => ({ PATH: c.fx.gitOnly }),
    code: 1,
    says: /✗ no Python satisfies ">=3\.11" .*\[tools\.python\]/,
  },
  {
    name: "a broken venv: validate says so",
    arrange: brokenVenv,
    args: ["validate"],
    code: 1,
    says:
      /✗ the venv is broken: its python .* is missing or does not run +\[venv\.exists\]\n +→ run: wrknv setup --recreate/,
  },
  {
    name: "a broken venv: setup suggests --recreate",
    arrange: brokenVenv,
    args: ["setup", ...OFFLINE],
    code: 1,
    says:
      /^error: the venv at .*\/meta\/\.venv is broken: .*\nhint: run `wrknv setup --recreate` to make it again$/m,
    async then(c) {
      // The hint works: --recreate mends the venv, and the workspace validates.
      await ok(["setup", "--recreate", ...OFFLINE], { cwd: c.meta });
      await ok(["validate"], { cwd: c.meta });
    },
  },
  {
    name: "setup --recreate never deletes a directory that is not a venv",
    async arrange(c) {
      await writeConfig(c, HEAD + good(c.fx) + "install = false\n");
      await Deno.mkdir(join(c.meta, ".venv"));
      await Deno.writeTextFile(join(c.meta, ".venv", "notes.txt"), "mine\n");
    },
    args: ["setup", "--recreate", ...OFFLINE],
    code: 2,
    says: /\.venv exists but is not a virtual environment \(no pyvenv\.cfg\); move it away/,
  },
  {
    name: "a read-only directory where the sibling goes",
    async arrange(c) {
      await writeConfig(
        c,
        HEAD + `\n[[siblings]]\nname = "a"\nrepo = "${c.fx.good.url}"\npath = "../inner/ro/a"\n`,
      );
      await Deno.mkdir(join(c.dir, "inner", "ro"), { mode: 0o555 });
      await Deno.chmod(join(c.dir, "inner", "ro"), 0o555);
    },
    readOnly: true,
    code: 1,
    says:
      /✗ a +failed .*\n +Permission denied \(os error 13\): mkdir .*inner\/ro\/\.wrknv-clone-a-/,
  },
  {
    name: "a read-only sibling (sync)",
    async arrange(c) {
      await cloned(c);
      // One commit behind, so sync has something to write.
      await gitIn(join(c.dir, "inner", "good"), ["reset", "--quiet", "--hard", "HEAD~1"]);
      await chmodTree(join(c.dir, "inner", "good"), "a-w");
    },
    args: ["sync"],
    readOnly: true,
    code: 1,
    says: /✗ good +failed +cannot open '\.git\/FETCH_HEAD': Permission denied/,
  },
  {
    name: "a read-only meta directory (add)",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.chmod(c.meta, 0o555);
    },
    args: ["add", URL],
    readOnly: true,
    code: 1,
    says: /^error: Permission denied \(os error 13\): .*\nhint: check the permissions/m,
    then: (_c, r) => assert.doesNotMatch(r.stderr, /bug in wrknv/),
  },
  {
    name: "a read-only meta directory (lock)",
    async arrange(c) {
      await cloned(c);
      await chmodTree(join(c.meta), "a-w");
    },
    args: ["lock"],
    readOnly: true,
    code: 1,
    says: /^error: Permission denied \(os error 13\): .*\nhint: check the permissions/m,
    then: (_c, r) => assert.doesNotMatch(r.stderr, /bug in wrknv/),
  },
  {
    name: "two wrknv bootstrap runs at once",
    arrange: oneSibling((c) => c.extra.hangingGit),
    async act(c) {
      // The first waits on a remote that never answers, holding the run lock.
      const first = spawn(["bootstrap", "--timeout", "120", "--retry", "0"], { cwd: c.meta });
      const lock = join(c.meta, ".wrknv", "run.lock");
      const deadline = Date.now() + 60_000;
      while (!(await exists(lock)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const second = await wrknv(["bootstrap", "--timeout", "5", "--retry", "0"], { cwd: c.meta });
      // Then Ctrl-C ends the first: exit 130, its half-made clone removed.
      first.kill("SIGINT");
      const done = await first.output();
      assert.equal(done.code, 130, new TextDecoder().decode(done.stderr));
      return second;
    },
    code: 1,
    says:
      /^error: another wrknv \(pid \d+, "wrknv bootstrap", since .*\) is working on this workspace\nhint: wait for it to finish/m,
  },
  {
    name: "a run lock held on another host",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.mkdir(join(c.meta, ".wrknv"));
      await Deno.writeTextFile(
        join(c.meta, ".wrknv", "run.lock"),
        JSON.stringify({ pid: 1, host: "elsewhere.invalid", command: "setup", started: "then" }),
      );
    },
    code: 1,
    says: /another wrknv \(pid 1, "wrknv setup", since then\) is working on this workspace/,
    // The lock is someone else's: it must still be there, unchanged.
    then: async (c) =>
      assert.match(await Deno.readTextFile(join(c.meta, ".wrknv", "run.lock")), /elsewhere/),
  },
  {
    name: "a symbolic link loop where a sibling goes",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.symlink("good", join(c.dir, "inner", "good"));
    },
    code: 1,
    says: /✗ good +conflict .*\n +a broken symbolic link is in the way; left untouched/,
  },
  {
    name: "a symbolic link loop beside the siblings (status)",
    async arrange(c) {
      await cloned(c);
      await Deno.symlink("loop2", join(c.dir, "inner", "loop1"));
      await Deno.symlink("loop1", join(c.dir, "inner", "loop2"));
    },
    args: ["status"],
    code: 0,
    says: /good +main +[0-9a-f]{7} +clean/,
    async then(c) {
      // Discovery walks past the loop too.
      const r = await ok(["init", "--yes", "--discover", "--force", "--root", "../inner"], {
        cwd: c.meta,
      });
      assert.match(r.stdout + r.stderr, /1 sibling/);
    },
  },
  {
    name: "a file where a sibling goes",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.writeTextFile(join(c.dir, "inner", "good"), "my notes, not a repository\n");
    },
    code: 1,
    says: /✗ good +conflict .*\n +a file is in the way; left untouched/,
  },
  {
    name: "a directory of someone's files where a sibling goes",
    async arrange(c) {
      await plainWorkspace(c);
      await Deno.mkdir(join(c.dir, "inner", "good"));
      await Deno.writeTextFile(join(c.dir, "inner", "good", "draft.txt"), "unsaved work\n");
    },
    code: 1,
    says: /the directory exists but is not a git repository; left untouched/,
  },
  {
    name: "a clone with uncommitted work is left alone",
    async arrange(c) {
      await cloned(c);
      await Deno.writeTextFile(join(c.dir, "inner", "good", "README.md"), "edited\n");
      await Deno.writeTextFile(join(c.dir, "inner", "good", "new.txt"), "new\n");
    },
    args: ["bootstrap", "--json"],
    code: 0,
    says: /"status": "present"/,
  },
  {
    name: "a wheelhouse with a corrupt build backend wheel",
    arrange: (c) =>
      corruptWheelhouse(c, c.fx.backend, "wrknvtest_corruptbackend-1.0-py3-none-any.whl"),
    args: (c) => ["setup", "--json", "--offline", "--find-links", join(c.dir, "wheels")],
    // uv (where it is on PATH) keeps a lock file in the venv it installs into.
    may: /^meta\/\.venv\/\.lock$/,
    code: 1,
    says:
      /"name": "needs-backend",\s+"status": "blocked",[^}]*"error": "needs wrknvtest-corruptbackend, which cannot be installed: /,
  },
  {
    name: "a wheelhouse with one corrupt dependency wheel",
    arrange: (c) => corruptWheelhouse(c, c.fx.extdep, "wrknvtest_extdep-1.0.0-py3-none-any.whl"),
    args: (c) => ["setup", "--json", "--offline", "--find-links", join(c.dir, "wheels")],
    // Its own build worked (the editable install and the backend's egg-info); what it needs did not.
    may: /^meta\/\.venv\/(\.lock$|lib\/)|^inner\/needs-ext\/src\/[^/]+\.egg-info(\/|$)/,
    code: 1,
    says:
      /"name": "needs-ext",\s+"status": "blocked",[^}]*"error": "needs wrknvtest-extdep, which cannot be installed: [^"]*(zip|wheel)/i,
  },
  {
    name: "kill -9 during wrknv add, at random moments",
    arrange: plainWorkspace,
    act: (c) =>
      killLoop(c, {
        args: (i) => ["add", `https://h.invalid/n${i < 0 ? "probe" : i}.git`],
        file: join(c.meta, "wrknv.toml"),
        expected: (old, i) =>
          old + `\n[[siblings]]\nname = "n${i}"\nrepo = "https://h.invalid/n${i}.git"\n`,
        runs: 30,
        seed: 1,
      }),
    code: 0,
    says: /good +\.\.\/inner\/good/,
    then: async (c) => {
      // What add writes is what `expected` says: check it once, in full.
      const path = join(c.meta, "wrknv.toml");
      const old = await Deno.readTextFile(path);
      await ok(["add", "https://h.invalid/n7.git"], { cwd: c.meta });
      const names = parseConfig(await Deno.readTextFile(path), path).siblings.map((s) => s.name);
      assert.deepEqual(names, ["good", "n7"]);
      assert.equal(
        await Deno.readTextFile(path),
        old + `\n[[siblings]]\nname = "n7"\nrepo = "https://h.invalid/n7.git"\n`,
      );
      await Deno.writeTextFile(path, old);
    },
  },
  {
    name: "kill -9 during wrknv lock, at random moments",
    async arrange(c) {
      await cloned(c);
      await ok(["lock"], { cwd: c.meta });
      // The sibling moves on, so the new lock differs from the old one.
      await gitIn(join(c.dir, "inner", "good"), ["reset", "--quiet", "--hard", "HEAD~1"]);
    },
    act: async (c) => {
      const file = join(c.meta, "wrknv.lock");
      const before = await Deno.readTextFile(file);
      const head = await gitIn(join(c.dir, "inner", "good"), ["rev-parse", "HEAD"]);
      const r = await killLoop(c, {
        args: () => ["lock"],
        file,
        expected: (old) => old.replace(/commit = "[0-9a-f]+"/, `commit = "${head}"`),
        runs: 24,
        seed: 2,
      });
      assert.equal(await Deno.readTextFile(file), before);
      assert.equal(parseLock(before).length, 1);
      return r;
    },
    code: 0,
    says: /good +\.\.\/inner\/good/,
  },
];

async function chmodTree(path: string, mode: string): Promise<void> {
  const r = await new Deno.Command("chmod", { args: ["-R", mode, path] }).output();
  assert.ok(r.success, `chmod -R ${mode} ${path}`);
}

// ---------------------------------------------------------------------------
// Hooks: one workspace with a real venv, cases in order

/**
 * The hooks workspace: a sibling that is not a Python package (so setup
 * installs nothing), a venv outside the meta directory (so a workspace
 * brought up from a bundle reuses it), hooks that write `hook-ran`.
 */
async function hooksWorkspace(dir: string, fx: Shared): Promise<string> {
  const toml = `[workspace]\nname = "hooked"\n\n[workspace.python]\nvenv = "${dir}/venv"\n\n` +
    `[workspace.hooks]\npre_install = ["echo pre >> ${dir}/hook-ran"]\n` +
    `post_install = ["echo post $VIRTUAL_ENV >> ${dir}/hook-ran"]\n` +
    `\n[[siblings]]\nname = "tool"\nrepo = "${fx.good.url}"\ninstall = false\n`;
  await Deno.mkdir(join(dir, "meta"), { recursive: true });
  await Deno.writeTextFile(join(dir, "meta", "wrknv.toml"), toml);
  return toml;
}

const HOOKS: Case[] = [
  {
    name: "a trusted workspace runs its hooks (the marker works)",
    arrange: (c) => trusted(c),
    args: ["setup", ...OFFLINE],
    code: 0,
    says: /setup done/,
    may: /^hook-ran$/,
    then: async (c) => {
      // Hooks run with the shared venv active.
      const venv = join(c.dir, "venv");
      assert.equal(await Deno.readTextFile(join(c.dir, "hook-ran")), `pre\npost ${venv}\n`);
    },
  },
  {
    name: "untrusted hooks never run (setup)",
    code: 0,
    args: ["setup", ...OFFLINE],
    says:
      /hooks skipped: this workspace is not trusted \(review wrknv\.toml, then run `wrknv trust`\)/,
  },
  {
    name: "untrusted hooks never run (up)",
    code: 0,
    args: ["up", ...OFFLINE],
    says: /hooks skipped: this workspace is not trusted/,
  },
  {
    name: "trust without a terminal asks for --yes and trusts nothing",
    code: 2,
    args: ["trust"],
    says:
      /^error: wrknv trust needs a terminal to ask; after reviewing wrknv\.toml, run `wrknv trust --yes`$/m,
    then: async (c) => {
      assert.equal(await exists(join(c.extra.trust, "trusted.json")), false);
      const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: c.meta, env: trustEnv(c) });
      assert.equal(JSON.parse(r.stdout).hooks, "skipped-untrusted");
    },
  },
  {
    name: "trust ends when a hook changes",
    async arrange(c) {
      await trusted(c);
      const path = join(c.meta, "wrknv.toml");
      const text = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, text.replace(/post_install = \["echo post/, "$& again"));
    },
    args: ["setup", "--json", ...OFFLINE],
    code: 0,
    says: /"hooks": "skipped-untrusted"/,
  },
  {
    name: "trust survives an edit that leaves the hooks alone (wrknv add)",
    async arrange(c) {
      await trusted(c);
      await ok(["add", "https://h.invalid/extra.git", "--no-install"], {
        cwd: c.meta,
        env: trustEnv(c),
      });
    },
    args: ["setup", "--json", "--only", "tool", ...OFFLINE],
    code: 0,
    says: /"hooks": "ran"/,
    may: /^(hook-ran|meta\/wrknv\.toml)$/,
  },
  {
    name: "a revoked trust",
    async arrange(c) {
      await trusted(c);
      await ok(["trust", "--revoke"], { cwd: c.meta, env: trustEnv(c) });
    },
    args: ["setup", "--json", ...OFFLINE],
    code: 0,
    says: /"hooks": "skipped-untrusted"/,
  },
  {
    name: "--no-hooks in a trusted workspace",
    arrange: (c) => trusted(c),
    args: ["setup", "--json", "--no-hooks", ...OFFLINE],
    code: 0,
    says: /"hooks": "skipped"/,
  },
  {
    name: "hooks from a bundle are untrusted until the user trusts them",
    async arrange(c) {
      // The user trusts their own copy; the very same file from a bundle is another matter.
      await trusted(c);
      await ok(["bundle", join(c.dir, "bundle")], { cwd: c.meta });
      await Deno.mkdir(join(c.dir, "fresh"));
    },
    cwd: "fresh",
    args: ["up", "--from", "../bundle", ...OFFLINE],
    code: 0,
    says: /took wrknv\.toml from the bundle[^]*hooks skipped: this workspace is not trusted/,
    may: /^fresh\/(wrknv\.toml|\.wrknv(\/.*)?)$/,
    then: async (c) => {
      const env = trustEnv(c);
      const cwd = join(c.dir, "fresh");
      await ok(["trust", "--yes"], { cwd, env });
      const r = await ok(["setup", "--json", ...OFFLINE], { cwd, env });
      assert.equal(JSON.parse(r.stdout).hooks, "ran");
      const venv = join(c.dir, "venv");
      assert.equal(await Deno.readTextFile(join(c.dir, "hook-ran")), `pre\npost ${venv}\n`);
      await Deno.remove(join(c.dir, "hook-ran"));
      await Deno.remove(cwd, { recursive: true });
      await Deno.remove(join(c.dir, "bundle"), { recursive: true });
    },
  },
  {
    name: "a failing hook is reported with its output, exit 1",
    async arrange(c) {
      // Each case starts from the hooks workspace's file; this one's post_install fails.
      const path = join(c.meta, "wrknv.toml");
      const toml = await Deno.readTextFile(path);
      const failing = `post_install = ["echo nope >&2; exit 3"]`;
      await Deno.writeTextFile(path, toml.replace(/post_install = .*/, failing));
      await trusted(c);
    },
    args: ["setup", ...OFFLINE],
    code: 1,
    says: /hook failed \(exit 3\): echo nope[^]*nope/,
    may: /^hook-ran$/,
  },
];

const trustEnv = (c: Ctx) => ({ WRKNV_CONFIG_DIR: c.extra.trust });

async function trusted(c: Ctx): Promise<void> {
  await ok(["trust", "--yes"], { cwd: c.meta, env: trustEnv(c) });
}

// ---------------------------------------------------------------------------
// Running a case

const STATE = (meta: string) => new RegExp(`^${meta}/\\.wrknv(/|$)`);

function comparable(tree: Record<string, string>, c: Case): Record<string, string> {
  const state = STATE(c.cwd ?? "meta");
  return Object.fromEntries(
    Object.entries(tree).filter(([k]) => !state.test(k) && !(c.may?.test(k))),
  );
}

async function runCase(c: Case, ctx: Ctx): Promise<void> {
  await c.arrange?.(ctx);
  const before = await snapshot(ctx.dir);
  const cwd = join(ctx.dir, c.cwd ?? "meta");
  const args = typeof c.args === "function" ? c.args(ctx) : c.args ?? ["bootstrap"];
  const r = c.act ? await c.act(ctx) : await wrknv(args, {
    cwd,
    env: { ...(ctx.extra.trust ? trustEnv(ctx) : {}), ...c.env?.(ctx) },
    readOnly: c.readOnly,
  });
  const shown = `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
  assert.equal(r.code, c.code, shown);
  assert.match(r.stdout + r.stderr, c.says, shown);
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, "no stack trace");
  if (c.code === 2) {
    assert.match(r.stderr, /^error: [^\n]+\n(hint: [^\n]+\n)?$/, `one line: ${r.stderr}`);
  }
  // Nothing lost, changed or added, but for wrknv's state and what the case allows.
  const after = await snapshot(ctx.dir);
  assert.deepEqual(comparable(after, c), comparable(before, c), "the tree changed");
  await c.then?.(ctx, r);
}

/** Run `cases` in a pool of `limit`, reporting each as a step, in table order. */
async function runSection(
  t: Deno.TestContext,
  cases: Case[],
  options: { limit: number; extra?: Record<string, string> },
): Promise<void> {
  const fx = await shared();
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, "case names are unique");
  // WRKNV_SEC_CASES=<regexp> runs only the cases whose names match (while working on a few).
  const only = Deno.env.get("WRKNV_SEC_CASES");
  if (only) cases = cases.filter((c) => new RegExp(only).test(c.name));
  const results = new Map<Case, Promise<unknown>>();
  const skipped = (c: Case) => c.readOnly === true && NO_READ_ONLY !== null;
  const runOne = async (c: Case) => {
    if (skipped(c)) return;
    await using tmp = await tempDir("wrknv-sec-");
    const ctx = { dir: tmp.path, meta: join(tmp.path, "meta"), fx, extra: options.extra ?? {} };
    try {
      await runCase(c, ctx);
    } finally {
      await chmodTree(tmp.path, "u+w").catch(() => {});
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const p = runOne(c).then(() => undefined, (e) => e ?? new Error("failed"));
      results.set(c, p);
      await p;
    }
  };
  const workers = Array.from({ length: options.limit }, worker);
  for (const c of cases) {
    await t.step({
      name: skipped(c) ? `${c.name} (skipped: ${NO_READ_ONLY})` : c.name,
      ignore: skipped(c),
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        while (!results.has(c)) await new Promise((r) => setTimeout(r, 10));
        const error = await results.get(c);
        if (error) throw error;
      },
    });
  }
  await Promise.all(workers);
}

const SECTIONS = {
  HOSTILE_CONFIGS,
  HOSTILE_ARGUMENTS,
  BUNDLES_AND_LOCKS,
  VENVS_LINKS_STATE,
  FAULTS,
  HOOKS,
};

Deno.test("the catalogue holds at least 60 cases", () => {
  const n = Object.values(SECTIONS).reduce((sum, s) => sum + s.length, 0);
  assert.ok(n >= 60, `only ${n} cases`);
});

Deno.test({
  name: "hostile configs: refused with exit code 2 and one line, before anything runs",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: (t) => runSection(t, HOSTILE_CONFIGS, { limit: 3 }),
});

Deno.test({
  name: "hostile arguments: refused with exit code 2, wrknv.toml unchanged",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: (t) => runSection(t, HOSTILE_ARGUMENTS, { limit: 3 }),
});

Deno.test({
  name: "hostile bundles and locks: refused before anything is cloned or written",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: (t) => runSection(t, BUNDLES_AND_LOCKS, { limit: 3 }),
});

Deno.test({
  name: "venvs, links and state: nothing deleted, run or written through that wrknv did not make",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: (t) => runSection(t, VENVS_LINKS_STATE, { limit: 3 }),
});

Deno.test({
  name: "faults: a clear message, and nothing that was there before is lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using hanging = hangingServer();
    await using auth = authServer();
    await runSection(t, FAULTS, {
      limit: 3,
      extra: {
        hangingGit: hanging.gitUrl("x.git"),
        hangingHttp: hanging.httpUrl("x.git"),
        auth: auth.url("x.git"),
      },
    });
  },
});

Deno.test({
  name: "hooks: never run untrusted; trust ends when a hook changes; bundles start untrusted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const fx = await shared();
    await using tmp = await tempDir("wrknv-sec-hooks-");
    const dir = tmp.path;
    const trust = join(dir, "..", `${dir.split("/").pop()}-trust`);
    const toml = await hooksWorkspace(dir, fx);
    const meta = join(dir, "meta");
    const env = { WRKNV_CONFIG_DIR: trust };
    try {
      await ok(["bootstrap"], { cwd: meta, env });
      await ok(["setup", ...OFFLINE], { cwd: meta, env });
      assert.equal(await exists(join(dir, "hook-ran")), false);
      for (const c of HOOKS) {
        await t.step({
          name: c.name,
          sanitizeOps: false,
          sanitizeResources: false,
          fn: async () => {
            // Every case starts from the same file, untrusted, no marker.
            await Deno.writeTextFile(join(meta, "wrknv.toml"), toml);
            await Deno.remove(join(trust, "trusted.json")).catch(() => {});
            await Deno.remove(join(dir, "hook-ran")).catch(() => {});
            await runCase(c, { dir, meta, fx, extra: { trust } });
            if (!c.may?.test("hook-ran")) {
              assert.equal(await exists(join(dir, "hook-ran")), false, "a hook ran");
            }
          },
        });
      }
    } finally {
      await Deno.remove(trust, { recursive: true }).catch(() => {});
    }
  },
});
