/**
 * wrknv init as people and scripts run it: --yes with flags, and the wizard
 * in a real terminal (tmux holds the pseudo-terminal).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn } from "./support/git.ts";
import { MAIN, STATE_DIR, wrknv } from "./support/cli.ts";
import { packageFiles } from "./support/python.ts";

/** Two repositories beside a meta directory, with origins and pyproject.toml files. */
async function neighbourhood(dir: string) {
  const meta = join(dir, "meta");
  await Deno.mkdir(meta, { recursive: true });
  for (const [name, deps, py] of [["alpha", [], ">=3.9"], ["beta", ["alpha"], ">=3.10"]] as const) {
    const path = join(dir, name);
    await Deno.mkdir(path);
    await gitIn(path, ["init", "-q"]);
    await gitIn(path, ["remote", "add", "origin", `https://example.invalid/${name}.git`]);
    for (
      const [file, text] of Object.entries(
        packageFiles({
          name: `wrknvtest-${name}`,
          deps: deps.map((d) => `wrknvtest-${d}`),
          requiresPython: py,
          extras: { dev: [], docs: [] },
        }),
      )
    ) {
      await Deno.mkdir(join(path, file, ".."), { recursive: true });
      await Deno.writeTextFile(join(path, file), text);
    }
  }
  return meta;
}

Deno.test("init --yes --discover writes a commented file that loads, with proposals from the siblings", async () => {
  await using tmp = await tempDir();
  const meta = await neighbourhood(tmp.path);
  const r = await wrknv([
    "init",
    "--yes",
    "--discover",
    "--sibling",
    "https://example.invalid/gamma.git=../libs/gamma",
  ], { cwd: meta });
  assert.equal(r.code, 0, r.stderr);
  const text = await Deno.readTextFile(join(meta, "wrknv.toml"));
  assert.match(text, /^#:schema https:\/\/\S+wrknv\.schema\.json\n/);
  assert.match(text, /version = ">=3\.10"/, "the strictest requires-python");
  assert.match(text, /extras = \["dev", "docs"\]/, "the extras every sibling has");
  const cfg = JSON.parse((await wrknv(["config", "--json"], { cwd: meta })).stdout);
  assert.deepEqual(cfg.siblings.map((s: { name: string }) => s.name), ["alpha", "beta", "gamma"]);
  assert.equal(cfg.siblings[2].path, join(tmp.path, "libs", "gamma"));
  assert.equal(cfg.siblings[0].repo, "https://example.invalid/alpha.git");
  // Stable: the same answers give the same file.
  const again = await wrknv([
    "init",
    "--yes",
    "--discover",
    "--sibling",
    "https://example.invalid/gamma.git=../libs/gamma",
    "--force",
  ], {
    cwd: meta,
  });
  assert.equal(again.code, 0);
  assert.equal(await Deno.readTextFile(join(meta, "wrknv.toml")), text);
});

Deno.test("init never overwrites without --force, and without a terminal it says how to run it", async () => {
  await using tmp = await tempDir();
  const meta = join(tmp.path, "meta");
  await Deno.mkdir(meta);
  await Deno.writeTextFile(join(meta, "wrknv.toml"), "# mine\n[workspace]\n");
  const r = await wrknv(["init", "--yes"], { cwd: meta });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /already exists here; pass --force/);
  assert.equal(await Deno.readTextFile(join(meta, "wrknv.toml")), "# mine\n[workspace]\n");
  const noTty = await wrknv(["init"], { cwd: meta });
  assert.equal(noTty.code, 2);
  assert.match(noTty.stderr, /use --yes with flags, e\.g\. wrknv init --yes --discover/);
  const bad = await wrknv(["init", "--yes", "--force", "--installer", "conda"], { cwd: meta });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--installer: expected auto, uv or pip/);
  assert.equal(await Deno.readTextFile(join(meta, "wrknv.toml")), "# mine\n[workspace]\n");
});

Deno.test("add and remove through the CLI keep a comment between two siblings", async () => {
  await using tmp = await tempDir();
  const meta = join(tmp.path, "meta");
  await Deno.mkdir(meta);
  const text =
    '[workspace]\nname = "w"\n\n[[siblings]]\nname = "a"\nrepo = "https://h.invalid/a.git"\n\n' +
    '# b is the tools layer: keep this note\n[[siblings]]\nname = "b"\nrepo = "https://h.invalid/b.git"\n';
  await Deno.writeTextFile(join(meta, "wrknv.toml"), text);
  assert.equal(
    (await wrknv(["add", "https://h.invalid/org/c.git", "--group", "core"], { cwd: meta })).code,
    0,
  );
  let now = await Deno.readTextFile(join(meta, "wrknv.toml"));
  assert.ok(now.startsWith(text));
  assert.match(
    now,
    /name = "c"\nrepo = "https:\/\/h\.invalid\/org\/c\.git"\ngroups = \["core"\]\n$/,
  );
  assert.equal((await wrknv(["remove", "a"], { cwd: meta })).code, 0);
  now = await Deno.readTextFile(join(meta, "wrknv.toml"));
  assert.ok(now.includes('# b is the tools layer: keep this note\n[[siblings]]\nname = "b"'));
  assert.ok(!now.includes('name = "a"'));
  const dup = await wrknv(["add", "https://elsewhere.invalid/b.git"], { cwd: meta });
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /cannot add "b": duplicate sibling name "b"/);
  const missing = await wrknv(["remove", "zz"], { cwd: meta });
  assert.equal(missing.code, 2);
  assert.equal(
    await Deno.readTextFile(join(meta, "wrknv.toml")),
    now,
    "failed edits change nothing",
  );
});

// ---------------------------------------------------------------- the wizard

async function haveTmux(): Promise<boolean> {
  try {
    return (await new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

class Terminal implements AsyncDisposable {
  constructor(readonly session: string, readonly socket: string) {}

  static async start(cwd: string, command: string): Promise<Terminal> {
    const session = `wrknv-${crypto.randomUUID().slice(0, 8)}`;
    const socket = join(STATE_DIR, `${session}.sock`);
    const t = new Terminal(session, socket);
    await t.tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "50", "-c", cwd, command]);
    return t;
  }

  async tmux(args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-S", this.socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(out.stdout);
  }

  screen(): Promise<string> {
    return this.tmux(["capture-pane", "-p", "-S", "-100", "-t", this.session]);
  }

  /** Wait until the screen shows `text`. */
  async waitFor(text: string | RegExp, timeoutMs = 60_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const screen = await this.screen();
      if (typeof text === "string" ? screen.includes(text) : text.test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${text}; the screen:\n${await this.screen()}`);
  }

  async keys(...keys: string[]): Promise<void> {
    const named = /^(Enter|Up|Down|Left|Right|Space|BSpace|Tab|Escape|C-[a-z])$/;
    for (const k of keys) {
      // Named keys as keys; anything else as literal text (so "-bad" is not read as flags).
      await this.tmux(
        named.test(k)
          ? ["send-keys", "-t", this.session, k]
          : ["send-keys", "-t", this.session, "-l", "--", k],
      );
      await new Promise((r) => setTimeout(r, 80));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.tmux(["kill-server"]);
  }
}

Deno.test("the wizard in a real terminal: typing, arrows, space, enter; the file it writes loads", async () => {
  if (!(await haveTmux())) {
    console.log("skipped: tmux is not installed (the wizard test needs a pseudo-terminal)");
    return;
  }
  await using tmp = await tempDir();
  const meta = await neighbourhood(tmp.path);
  const cmd =
    `NO_COLOR=1 WRKNV_CONFIG_DIR=${STATE_DIR}/config ${Deno.execPath()} run -A --quiet ${MAIN} init; echo "EXIT=$?"; sleep 60`;
  await using term = await Terminal.start(meta, cmd);
  await term.waitFor("Workspace name");
  await term.keys("provide", "Enter");
  await term.waitFor("Where do the sibling repositories live");
  await term.keys("Enter");
  await term.waitFor("which are siblings?");
  await term.keys("Down", "Space", "Enter"); // keep alpha, drop beta
  await term.waitFor("Add a sibling by URL");
  await term.keys("-bad", "Enter");
  await term.waitFor("begins with");
  await term.keys(
    "BSpace",
    "BSpace",
    "BSpace",
    "BSpace",
    "https://example.invalid/org/gamma.git",
    "Enter",
  );
  await term.waitFor(/Add a sibling by URL[^\n]*\n[^\n]*Add a sibling by URL/);
  await term.keys("Enter");
  await term.waitFor("Python version");
  await term.keys("Enter");
  await term.waitFor("Where the shared venv goes");
  await term.keys("Enter");
  await term.waitFor("Installer");
  await term.keys("Down", "Down", "Enter"); // pip
  await term.waitFor("Extras to install");
  await term.keys("Enter"); // dev is proposed and checked
  await term.waitFor("Write wrknv.toml?");
  await term.keys("Enter");
  const screen = await term.waitFor("EXIT=");
  assert.match(screen, /EXIT=0/);
  const cfg = JSON.parse((await wrknv(["config", "--json"], { cwd: meta })).stdout);
  assert.equal(cfg.workspace.name, "provide");
  assert.equal(cfg.workspace.python.installer, "pip");
  assert.equal(
    cfg.workspace.python.version,
    ">=3.9",
    "the strictest requires-python of the chosen siblings (alpha)",
  );
  assert.deepEqual(cfg.workspace.python.extras, ["dev"]);
  assert.deepEqual(cfg.siblings.map((s: { name: string }) => s.name), ["alpha", "gamma"]);
});

Deno.test("the wizard checks each answer at its prompt, goes back one question, and --force does not ask", async () => {
  if (!(await haveTmux())) {
    console.log("skipped: tmux is not installed (the wizard test needs a pseudo-terminal)");
    return;
  }
  await using tmp = await tempDir();
  const meta = await neighbourhood(tmp.path);
  await Deno.writeTextFile(join(meta, "wrknv.toml"), "# an old file, replaced with --force\n");
  const cmd =
    `NO_COLOR=1 WRKNV_CONFIG_DIR=${STATE_DIR}/config ${Deno.execPath()} run -A --quiet ${MAIN} init --force; echo "EXIT=$?"; sleep 60`;
  await using term = await Terminal.start(meta, cmd);
  const first = await term.waitFor("Workspace name");
  assert.doesNotMatch(first, /Replace it\?/, "--force does not ask");
  const clear = (n: number) => Array(n).fill("BSpace");
  await term.keys(...clear(10), "My Workspace!", "Enter");
  await term.waitFor('"My Workspace!" must start with a letter or digit and hold only letters');
  await term.keys(...clear(13), "acme", "Enter");
  await term.waitFor("Where do the sibling repositories live");
  await term.keys(...clear(2), "../nope", "Enter");
  await term.waitFor("../nope does not exist");
  // Back one question: the name is asked again, with the answer given as its default.
  await term.keys(...clear(7), "<", "Enter");
  await term.waitFor(/Workspace name[^]*Workspace name \(acme\)/);
  await term.keys("Enter");
  await term.waitFor(
    /Where do the sibling repositories live[^]*Where do the sibling repositories live/,
  );
  await term.keys("Enter");
  await term.waitFor("which are siblings?");
  await term.keys("Enter");
  await term.waitFor("Add a sibling by URL");
  await term.keys("not a url", "Enter");
  await term.waitFor("Neither a URL");
  await term.keys(...clear(9), "Enter");
  await term.waitFor("Python version");
  await term.keys(...clear(8), "3.11", "Enter");
  await term.waitFor('"3.11" read as "==3.11.*"');
  await term.waitFor("Where the shared venv goes");
  await term.keys("Enter");
  await term.waitFor("Installer");
  await term.keys("Enter");
  await term.waitFor("Extras to install");
  await term.keys("Enter");
  await term.waitFor("Name them as layers?");
  await term.keys("Enter");
  await term.waitFor("Write wrknv.toml?");
  await term.keys("Enter");
  const screen = await term.waitFor("EXIT=");
  assert.match(screen, /EXIT=0/);
  const cfg = JSON.parse((await wrknv(["config", "--json"], { cwd: meta })).stdout);
  assert.equal(cfg.workspace.name, "acme");
  assert.equal(cfg.workspace.python.version, "==3.11.*");
  assert.deepEqual(cfg.siblings.map((s: { name: string }) => s.name), ["alpha", "beta"]);
});

Deno.test("Ctrl-C in the wizard writes nothing and exits 130", async () => {
  if (!(await haveTmux())) {
    console.log("skipped: tmux is not installed (the wizard test needs a pseudo-terminal)");
    return;
  }
  await using tmp = await tempDir();
  const meta = await neighbourhood(tmp.path);
  const cmd = `NO_COLOR=1 ${Deno.execPath()} run -A --quiet ${MAIN} init; echo "EXIT=$?"; sleep 60`;
  await using term = await Terminal.start(meta, cmd);
  await term.waitFor("Workspace name");
  await term.keys("half-typed", "Enter");
  await term.waitFor("Where do the sibling repositories live");
  await term.keys("C-c");
  const screen = await term.waitFor("EXIT=");
  assert.match(screen, /EXIT=130/);
  assert.match(screen, /nothing was written/);
  let exists = true;
  try {
    await Deno.stat(join(meta, "wrknv.toml"));
  } catch {
    exists = false;
  }
  assert.equal(exists, false);
});

Deno.test("init --yes --from a vcstool file, and export back", async () => {
  await using tmp = await tempDir();
  const meta = join(tmp.path, "meta");
  await Deno.mkdir(meta);
  await Deno.copyFile(
    new URL("./fixtures/manifests/ws.repos", import.meta.url),
    join(tmp.path, "ws.repos"),
  );
  const r = await wrknv(["init", "--yes", "--from", "../ws.repos", "--python", ">=3.11"], {
    cwd: meta,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /type hg is not git; skipped/);
  const cfg = JSON.parse((await wrknv(["config", "--json"], { cwd: meta })).stdout);
  assert.deepEqual(
    cfg.siblings.map((
      s: { name: string; path: string; revision: string },
    ) => [s.name, s.path, s.revision]),
    [
      ["foundation", join(tmp.path, "src", "core", "foundation"), "main"],
      ["tools", join(tmp.path, "tools"), "v1.2.0"],
    ],
  );
  // Exported paths are relative to the root, as vcstool and git take them (git
  // refuses "../tools": outside repository).
  const exported = await wrknv(["export", "--format", "repos"], { cwd: meta });
  assert.equal(exported.code, 0);
  assert.match(
    exported.stdout,
    /\n {2}src\/core\/foundation:\n {4}type: git\n {4}url: https:\/\/github\.com\/example\/foundation\.git\n {4}version: main\n/,
  );
  const gm = await wrknv(["export", "--format", "gitmodules"], { cwd: meta });
  assert.match(
    gm.stdout,
    /\[submodule "tools"\]\n\tpath = tools\n\turl = git@github\.com:example\/tools\.git\n\tbranch = v1\.2\.0\n/,
  );
  // Read back from anywhere (a loose file, a git repository elsewhere) into another workspace.
  const elsewhere = join(tmp.path, "downloads");
  await Deno.mkdir(elsewhere);
  await gitIn(elsewhere, ["init", "--quiet"]);
  await Deno.writeTextFile(join(elsewhere, "ws.repos"), exported.stdout);
  await Deno.writeTextFile(join(elsewhere, ".gitmodules"), gm.stdout);
  for (const file of ["ws.repos", ".gitmodules"]) {
    const other = join(tmp.path, `other-${file.replace(".", "")}`, "meta");
    await Deno.mkdir(other, { recursive: true });
    const back = await wrknv(["init", "--yes", "--from", join(elsewhere, file)], { cwd: other });
    assert.equal(back.code, 0, back.stderr);
    const again = JSON.parse((await wrknv(["config", "--json"], { cwd: other })).stdout);
    assert.deepEqual(
      again.siblings.map((s: { name: string; path: string; revision: string; repo: string }) => [
        s.name,
        s.repo,
        s.path,
        s.revision,
      ]),
      cfg.siblings.map((s: { name: string; path: string; revision: string; repo: string }) => [
        s.name,
        s.repo,
        s.path.replace(tmp.path, join(tmp.path, `other-${file.replace(".", "")}`)),
        s.revision,
      ]),
      file,
    );
  }
  const bad = await wrknv(["init", "--yes", "--force", "--from", "../nothing.repos"], {
    cwd: meta,
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--from \.\.\/nothing\.repos: no such file/);
});

Deno.test("init adds the venv and .wrknv/ to .gitignore once, keeping what is there", async () => {
  await using tmp = await tempDir();
  const meta = join(tmp.path, "meta");
  await Deno.mkdir(meta);
  await Deno.writeTextFile(join(meta, ".gitignore"), "node_modules\n# mine\n*.log");
  const r = await wrknv(["init", "--yes", "--name", "x", "--venv", "envs/shared"], { cwd: meta });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /added \/envs\/shared\/ and \.wrknv\/ to \.gitignore/);
  const want = "node_modules\n# mine\n*.log\n/envs/shared/\n.wrknv/\n";
  assert.equal(await Deno.readTextFile(join(meta, ".gitignore")), want);
  const again = await wrknv(["init", "--yes", "--name", "x", "--venv", "envs/shared", "--force"], {
    cwd: meta,
  });
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /gitignore/);
  assert.equal(await Deno.readTextFile(join(meta, ".gitignore")), want, "nothing added twice");
  // git agrees: the venv and the state directory are ignored.
  await gitIn(meta, ["init", "-q"]);
  await Deno.mkdir(join(meta, "envs", "shared"), { recursive: true });
  await Deno.writeTextFile(join(meta, "envs", "shared", "pyvenv.cfg"), "");
  await Deno.mkdir(join(meta, ".wrknv"), { recursive: true });
  await Deno.writeTextFile(join(meta, ".wrknv", "x"), "");
  const st = await gitIn(meta, ["status", "--porcelain", "--untracked-files=all"]);
  assert.doesNotMatch(st, /envs\/shared|\.wrknv/);
});
