/**
 * install.sh against a server on 127.0.0.1 (and file:// directories) serving
 * fake release archives: tiny shell scripts named wrknv that print their
 * version and target, packed as the real archives are, with a real SHA256SUMS.
 *
 * The platform comes either from WRKNV_OS/WRKNV_ARCH or, to test the
 * detection itself, from stand-in `uname` and `ldd` commands on PATH.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { serveDir } from "./support/http.ts";
import { makeRelease } from "./support/release.ts";
import { snapshot } from "./support/tree.ts";

const SCRIPT = fileURLToPath(new URL("../install.sh", import.meta.url));
const SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run install.sh with only the given environment (PATH defaults to the system's). */
async function install(
  args: string[],
  env: Record<string, string>,
  shell = "sh",
): Promise<Result> {
  // Found on the system PATH, since the one given may hold only a few tools.
  const program = SYSTEM_PATH.split(":").map((d) => join(d, shell)).find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  }) ?? shell;
  const out = await new Deno.Command(program, {
    args: [SCRIPT, ...args],
    env: { PATH: SYSTEM_PATH, ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

async function runBinary(path: string): Promise<string> {
  const out = await new Deno.Command(path, { stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** A refusal: exit 1 and one line on stderr matching `want`. */
function assertRefused(r: Result, want: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, want);
}

/**
 * A directory of stand-ins: `uname` printing `os`/`arch`, and `ldd` answering
 * `--version` as glibc's or musl's does (musl's prints to stderr, exit 1).
 */
async function fakePlatform(
  dir: string,
  os: string,
  arch: string,
  libc: "glibc" | "musl" | "none",
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "uname"),
    `#!/bin/sh\ncase "$1" in -s) echo '${os}' ;; -m) echo '${arch}' ;; *) echo '${os}' ;; esac\n`,
    { mode: 0o755 },
  );
  const ldd = {
    glibc: "echo 'ldd (Debian GLIBC 2.36-9) 2.36'",
    musl: "echo 'musl libc (x86_64)' >&2; echo 'Version 1.2.4' >&2; exit 1",
    none: "echo 'ldd: not found' >&2; exit 127",
  }[libc];
  await Deno.writeTextFile(join(dir, "ldd"), `#!/bin/sh\n${ldd}\n`, { mode: 0o755 });
  return `${dir}:${SYSTEM_PATH}`;
}

/** A PATH of links to just these system commands (to take curl or sha256sum away). */
async function toolbox(dir: string, tools: string[]): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  for (const tool of tools) {
    for (const d of SYSTEM_PATH.split(":")) {
      if (await exists(join(d, tool))) {
        await Deno.symlink(join(d, tool), join(dir, tool));
        break;
      }
    }
  }
  return dir;
}

Deno.test("install.sh installs the right archive for the platform, the latest or a pinned version", async (t) => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.1.0");
  await makeRelease(releases, "0.2.0", { latest: true });
  await using server = serveDir(releases);
  const home = join(tmp.path, "home");
  await Deno.mkdir(home);
  const table: [string, string[], Record<string, string>, string][] = [
    [
      "latest, Linux x86_64",
      [],
      { WRKNV_OS: "Linux", WRKNV_ARCH: "x86_64" },
      "0.2.0 x86_64-unknown-linux-gnu",
    ],
    [
      "latest, Linux arm64",
      [],
      { WRKNV_OS: "Linux", WRKNV_ARCH: "aarch64" },
      "0.2.0 aarch64-unknown-linux-gnu",
    ],
    [
      "latest, Linux amd64",
      [],
      { WRKNV_OS: "Linux", WRKNV_ARCH: "amd64" },
      "0.2.0 x86_64-unknown-linux-gnu",
    ],
    ["macOS arm64", [], { WRKNV_OS: "Darwin", WRKNV_ARCH: "arm64" }, "0.2.0 aarch64-apple-darwin"],
    [
      "pinned by argument",
      ["0.1.0"],
      { WRKNV_OS: "Linux", WRKNV_ARCH: "x86_64" },
      "0.1.0 x86_64-unknown-linux-gnu",
    ],
    [
      "pinned by argument with v",
      ["v0.1.0"],
      { WRKNV_OS: "Darwin", WRKNV_ARCH: "x86_64" },
      "0.1.0 x86_64-apple-darwin",
    ],
    ["pinned by WRKNV_VERSION", [], {
      WRKNV_VERSION: "v0.1.0",
      WRKNV_OS: "Darwin",
      WRKNV_ARCH: "x86_64",
    }, "0.1.0 x86_64-apple-darwin"],
    ["the argument wins over WRKNV_VERSION", ["latest"], {
      WRKNV_VERSION: "0.1.0",
      WRKNV_OS: "Linux",
      WRKNV_ARCH: "x86_64",
    }, "0.2.0 x86_64-unknown-linux-gnu"],
  ];
  for (const shell of ["sh", "bash"]) {
    for (const [name, args, env, want] of table) {
      await t.step(`${name} (${shell})`, async () => {
        const dest = join(tmp.path, "bin", shell, name.replace(/\W+/g, "-"));
        const r = await install(args, {
          HOME: home,
          WRKNV_DOWNLOAD_URL: server.url,
          WRKNV_INSTALL: dest,
          ...env,
        }, shell);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await runBinary(join(dest, "wrknv")), `wrknv ${want}`);
        assert.equal((await Deno.stat(join(dest, "wrknv"))).mode! & 0o777, 0o755);
        assert.match(r.stderr, /is not on your PATH/);
        assert.deepEqual(
          [...Deno.readDirSync(dest)].map((e) => e.name),
          ["wrknv"],
          "no temporary file is left",
        );
      });
    }
  }
  await t.step("piped to sh -s -- VERSION, as curl ... | sh runs it", async () => {
    const dest = join(tmp.path, "bin", "piped");
    const child = new Deno.Command("/bin/sh", {
      args: ["-s", "--", "0.1.0"],
      env: {
        PATH: SYSTEM_PATH,
        HOME: home,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_INSTALL: dest,
        WRKNV_OS: "Linux",
        WRKNV_ARCH: "aarch64",
      },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(await Deno.readFile(SCRIPT));
    await writer.close();
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(await runBinary(join(dest, "wrknv")), "wrknv 0.1.0 aarch64-unknown-linux-gnu");
  });
  await t.step("an installed wrknv is replaced", async () => {
    const dest = join(tmp.path, "bin", "sh", "pinned-by-argument");
    const r = await install([], {
      HOME: home,
      WRKNV_DOWNLOAD_URL: server.url,
      WRKNV_INSTALL: dest,
      WRKNV_OS: "Linux",
      WRKNV_ARCH: "x86_64",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await runBinary(join(dest, "wrknv")), "wrknv 0.2.0 x86_64-unknown-linux-gnu");
  });
  await t.step(
    "the default directory is ~/.local/bin, with no PATH hint when it is on PATH",
    async () => {
      const r = await install([], {
        HOME: home,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_OS: "Linux",
        WRKNV_ARCH: "x86_64",
        PATH: `${home}/.local/bin:${SYSTEM_PATH}`,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        await runBinary(join(home, ".local", "bin", "wrknv")),
        "wrknv 0.2.0 x86_64-unknown-linux-gnu",
      );
      assert.doesNotMatch(r.stderr, /note:/);
    },
  );
  await t.step("another wrknv earlier on PATH is pointed out", async () => {
    const other = join(tmp.path, "other");
    await Deno.mkdir(other);
    await Deno.writeTextFile(join(other, "wrknv"), "#!/bin/sh\n", { mode: 0o755 });
    const r = await install([], {
      HOME: home,
      WRKNV_DOWNLOAD_URL: server.url,
      WRKNV_OS: "Linux",
      WRKNV_ARCH: "x86_64",
      PATH: `${other}:${home}/.local/bin:${SYSTEM_PATH}`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`note: ${other}/wrknv comes first on your PATH`));
  });
});

Deno.test("install.sh detects the platform with uname, and refuses musl and unknown platforms", async (t) => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.2.0", { latest: true });
  await using server = serveDir(releases);
  const ok: [string, string, "glibc" | "none", string][] = [
    ["Linux", "x86_64", "glibc", "x86_64-unknown-linux-gnu"],
    ["Linux", "aarch64", "glibc", "aarch64-unknown-linux-gnu"],
    ["Darwin", "arm64", "none", "aarch64-apple-darwin"],
    ["Darwin", "x86_64", "none", "x86_64-apple-darwin"],
  ];
  for (const [os, arch, libc, want] of ok) {
    await t.step(`${os} ${arch}`, async () => {
      const dest = join(tmp.path, "bin", `${os}-${arch}`);
      const r = await install([], {
        HOME: tmp.path,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_INSTALL: dest,
        PATH: await fakePlatform(join(tmp.path, "fake", `${os}-${arch}`), os, arch, libc),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await runBinary(join(dest, "wrknv")), `wrknv 0.2.0 ${want}`);
    });
  }
  const refused: [string, string, "glibc" | "musl" | "none", RegExp][] = [
    ["Linux", "x86_64", "musl", /musl libc .*glibc builds only: build from source/],
    [
      "MINGW64_NT-10.0-19045",
      "x86_64",
      "none",
      /on Windows, download .*\/latest\/download\/wrknv-x86_64-pc-windows-msvc\.zip/,
    ],
    ["FreeBSD", "amd64", "none", /unsupported operating system: FreeBSD/],
    ["Linux", "riscv64", "glibc", /unsupported architecture: riscv64/],
    ["Darwin", "ppc", "none", /unsupported architecture: ppc/],
  ];
  for (const [os, arch, libc, want] of refused) {
    await t.step(`${os} ${arch} ${libc} is refused`, async () => {
      const dest = join(tmp.path, "never");
      const r = await install([], {
        HOME: tmp.path,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_INSTALL: dest,
        PATH: await fakePlatform(join(tmp.path, "fake", `${os}-${arch}-${libc}`), os, arch, libc),
      });
      assertRefused(r, want);
      assert.equal(await exists(dest), false, "nothing is made");
    });
  }
  await t.step(
    "WRKNV_OS and WRKNV_ARCH win over detection (a musl host may fetch for another)",
    async () => {
      const dest = join(tmp.path, "bin", "override");
      const r = await install([], {
        HOME: tmp.path,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_INSTALL: dest,
        WRKNV_OS: "Darwin",
        WRKNV_ARCH: "arm64",
        PATH: await fakePlatform(join(tmp.path, "fake", "musl-host"), "Linux", "x86_64", "musl"),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await runBinary(join(dest, "wrknv")), "wrknv 0.2.0 aarch64-apple-darwin");
    },
  );
  assert.equal(
    server.requests.length,
    2 * (ok.length + 1),
    "refused platforms download nothing",
  );
});

Deno.test("a tampered, unlisted, garbled or missing archive is refused and nothing is installed", async (t) => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  const linux = "wrknv-x86_64-unknown-linux-gnu.tar.gz";
  const tampered = await makeRelease(releases, "0.3.0");
  const bytes = await Deno.readFile(join(tampered, linux));
  bytes[bytes.length - 5] ^= 0x01;
  await Deno.writeFile(join(tampered, linux), bytes);
  const unlisted = await makeRelease(releases, "0.3.1");
  const sums = await Deno.readTextFile(join(unlisted, "SHA256SUMS"));
  await Deno.writeTextFile(
    join(unlisted, "SHA256SUMS"),
    sums.split("\n").filter((l) => !l.endsWith(linux)).join("\n"),
  );
  const garbled = join(releases, "download", "v0.3.2");
  await Deno.mkdir(garbled, { recursive: true });
  const junk = new TextEncoder().encode("not a tar.gz\n");
  await Deno.writeFile(join(garbled, linux), junk);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", junk));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.writeTextFile(join(garbled, "SHA256SUMS"), `${hex}  ${linux}\n`);
  await using server = serveDir(releases);

  const dest = join(tmp.path, "bin");
  await Deno.mkdir(dest);
  await Deno.writeTextFile(join(dest, "wrknv"), "the old one\n");
  const before = await snapshot(dest);
  const table: [string, RegExp][] = [
    [
      "0.3.0",
      /checksum mismatch for wrknv-x86_64-unknown-linux-gnu\.tar\.gz .* nothing was installed/,
    ],
    [
      "0.3.1",
      /SHA256SUMS has no line for wrknv-x86_64-unknown-linux-gnu\.tar\.gz; nothing was installed/,
    ],
    ["0.3.2", /could not unpack wrknv-x86_64-unknown-linux-gnu\.tar\.gz; nothing was installed/],
    [
      "9.9.9",
      /could not download http:\/\/127\.0\.0\.1:\d+\/download\/v9\.9\.9\/wrknv-x86_64-unknown-linux-gnu\.tar\.gz/,
    ],
  ];
  for (const [version, want] of table) {
    await t.step(version, async () => {
      const r = await install([version], {
        HOME: tmp.path,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_INSTALL: dest,
        WRKNV_OS: "Linux",
        WRKNV_ARCH: "x86_64",
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, want);
      assert.deepEqual(await snapshot(dest), before, "the install directory is unchanged");
    });
  }
});

Deno.test("install.sh reads a file:// URL or a directory, and falls back to wget and shasum", async (t) => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.4.0", { latest: true });
  await makeRelease(releases, "0.3.9");
  const platform = { WRKNV_OS: "Linux", WRKNV_ARCH: "x86_64" };
  const common = ["mktemp", "rm", "cp", "mkdir", "chmod", "mv", "awk", "tar", "gzip", "grep"];
  const table: [string, string, string[], string, string][] = [
    ["file://", `file://${releases}`, [], SYSTEM_PATH, "0.4.0"],
    ["a plain directory, pinned", `${releases}/`, ["0.3.9"], SYSTEM_PATH, "0.3.9"],
  ];
  for (const [name, base, args, path, version] of table) {
    await t.step(name, async () => {
      const dest = join(tmp.path, "bin", name.replace(/\W+/g, "-"));
      const r = await install(args, {
        HOME: tmp.path,
        WRKNV_DOWNLOAD_URL: base,
        WRKNV_INSTALL: dest,
        PATH: path,
        ...platform,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        await runBinary(join(dest, "wrknv")),
        `wrknv ${version} x86_64-unknown-linux-gnu`,
      );
    });
  }
  await using server = serveDir(releases);
  const wget = await toolbox(join(tmp.path, "wget-shasum"), [...common, "wget", "shasum", "perl"]);
  const none = await toolbox(join(tmp.path, "none"), [...common, "sha256sum"]);
  const noSum = await toolbox(join(tmp.path, "no-sum"), [...common, "curl"]);
  await t.step("no curl: wget downloads, and no sha256sum: shasum checks", async () => {
    assert.equal(await exists(join(wget, "curl")), false);
    if (!(await exists(join(wget, "wget"))) || !(await exists(join(wget, "shasum")))) {
      console.log("skipped: wget or shasum is not installed");
      return;
    }
    const dest = join(tmp.path, "bin", "wget");
    const r = await install([], {
      HOME: tmp.path,
      WRKNV_DOWNLOAD_URL: server.url,
      WRKNV_INSTALL: dest,
      PATH: wget,
      ...platform,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await runBinary(join(dest, "wrknv")), "wrknv 0.4.0 x86_64-unknown-linux-gnu");
  });
  const refused: [string, string, RegExp][] = [
    ["neither curl nor wget", none, /neither curl nor wget is installed/],
    [
      "neither sha256sum nor shasum",
      noSum,
      /neither sha256sum nor shasum is installed; cannot verify/,
    ],
  ];
  for (const [name, path, want] of refused) {
    await t.step(name, async () => {
      const dest = join(tmp.path, "never");
      const r = await install([], {
        HOME: tmp.path,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_INSTALL: dest,
        PATH: path,
        ...platform,
      });
      assertRefused(r, want);
      assert.equal(await exists(dest), false);
    });
  }
});

Deno.test("install.sh: --help, and bad arguments refused", async () => {
  await using tmp = await tempDir();
  const help = await install(["--help"], { HOME: tmp.path });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Install wrknv\.\n/);
  for (
    const name of ["WRKNV_VERSION", "WRKNV_INSTALL", "WRKNV_DOWNLOAD_URL", "WRKNV_OS", "WRKNV_ARCH"]
  ) {
    assert.match(help.stdout, new RegExp(name));
  }
  assert.equal((await install(["-h"], { HOME: tmp.path })).stdout, help.stdout);
  const table: [string[], Record<string, string>, RegExp][] = [
    [["--force"], {}, /unknown option --force/],
    [["0.1.0", "0.2.0"], {}, /at most one argument/],
    [["../../etc"], {}, /not a version: \.\.\/\.\.\/etc/],
    [["0.1.0/x"], {}, /not a version/],
    [[], { WRKNV_VERSION: "newest" }, /not a version: newest/],
    [["1.2.3 4"], {}, /not a version/],
  ];
  for (const [args, env, want] of table) {
    const r = await install(args, {
      HOME: tmp.path,
      WRKNV_DOWNLOAD_URL: `file://${tmp.path}`,
      WRKNV_INSTALL: join(tmp.path, "never"),
      ...env,
    });
    assertRefused(r, want);
  }
  assert.equal(await exists(join(tmp.path, "never")), false);
});

Deno.test("install.sh is clean under shellcheck, as POSIX sh", async () => {
  let found = true;
  try {
    await new Deno.Command("shellcheck", { args: ["--version"], stdout: "null" }).output();
  } catch {
    found = false;
  }
  if (!found) {
    console.log("skipped: shellcheck is not installed (apt-get install shellcheck)");
    return;
  }
  const out = await new Deno.Command("shellcheck", {
    args: ["--shell=sh", SCRIPT],
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stdout));
});
