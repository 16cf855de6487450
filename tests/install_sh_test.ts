/**
 * install.sh against a server on 127.0.0.1 serving fake release archives.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { serveDir } from "./support/http.ts";
import { makeRelease } from "./support/release.ts";
import { snapshot } from "./support/tree.ts";

const SCRIPT = fileURLToPath(new URL("../install.sh", import.meta.url));

async function install(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command("sh", {
    args: [SCRIPT, ...args],
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", ...env },
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
      "latest, linux x86_64",
      [],
      { WRKNV_OS: "Linux", WRKNV_ARCH: "x86_64" },
      "wrknv 0.2.0 x86_64-unknown-linux-gnu",
    ],
    [
      "latest, linux arm64",
      [],
      { WRKNV_OS: "Linux", WRKNV_ARCH: "aarch64" },
      "wrknv 0.2.0 aarch64-unknown-linux-gnu",
    ],
    [
      "macOS arm64",
      [],
      { WRKNV_OS: "Darwin", WRKNV_ARCH: "arm64" },
      "wrknv 0.2.0 aarch64-apple-darwin",
    ],
    [
      "pinned by argument",
      ["0.1.0"],
      { WRKNV_OS: "Linux", WRKNV_ARCH: "x86_64" },
      "wrknv 0.1.0 x86_64-unknown-linux-gnu",
    ],
    ["pinned by WRKNV_VERSION", [], {
      WRKNV_VERSION: "v0.1.0",
      WRKNV_OS: "Darwin",
      WRKNV_ARCH: "x86_64",
    }, "wrknv 0.1.0 x86_64-apple-darwin"],
  ];
  for (const [name, args, env, want] of table) {
    await t.step(name, async () => {
      const dest = join(tmp.path, "bin", name.replace(/\W+/g, "-"));
      const r = await install(args, {
        HOME: home,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_INSTALL: dest,
        ...env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await runBinary(join(dest, "wrknv")), want);
      assert.match(r.stderr, /is not on your PATH/);
      assert.deepEqual(
        [...Deno.readDirSync(dest)].map((e) => e.name),
        ["wrknv"],
        "no temporary file is left",
      );
    });
  }
  await t.step(
    "the default directory is ~/.local/bin, and no PATH hint when it is on PATH",
    async () => {
      const r = await install([], {
        HOME: home,
        WRKNV_DOWNLOAD_URL: server.url,
        WRKNV_OS: "Linux",
        WRKNV_ARCH: "x86_64",
        PATH: `${home}/.local/bin:/usr/bin:/bin`,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        await runBinary(join(home, ".local", "bin", "wrknv")),
        "wrknv 0.2.0 x86_64-unknown-linux-gnu",
      );
      assert.doesNotMatch(r.stderr, /not on your PATH/);
    },
  );
});

Deno.test("a tampered archive is refused and nothing is installed", async () => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  const dir = await makeRelease(releases, "0.3.0");
  const file = join(dir, "wrknv-x86_64-unknown-linux-gnu.tar.gz");
  const bytes = await Deno.readFile(file);
  bytes[bytes.length - 5] ^= 0x01;
  await Deno.writeFile(file, bytes);
  await using server = serveDir(releases);
  const dest = join(tmp.path, "bin");
  await Deno.mkdir(dest);
  await Deno.writeTextFile(join(dest, "wrknv"), "the old one\n");
  const before = await snapshot(dest);
  const r = await install(["0.3.0"], {
    HOME: tmp.path,
    WRKNV_DOWNLOAD_URL: server.url,
    WRKNV_INSTALL: dest,
    WRKNV_OS: "Linux",
    WRKNV_ARCH: "x86_64",
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /checksum mismatch for wrknv-x86_64-unknown-linux-gnu\.tar\.gz .* nothing was installed/,
  );
  assert.deepEqual(await snapshot(dest), before);
});

Deno.test("WRKNV_DOWNLOAD_URL=file://... installs offline; unknown platforms and musl are refused; --help", async () => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.4.0", { latest: true });
  const dest = join(tmp.path, "bin");
  const ok = await install([], {
    HOME: tmp.path,
    WRKNV_DOWNLOAD_URL: `file://${releases}`,
    WRKNV_INSTALL: dest,
    WRKNV_OS: "Linux",
    WRKNV_ARCH: "x86_64",
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await runBinary(join(dest, "wrknv")), "wrknv 0.4.0 x86_64-unknown-linux-gnu");
  for (
    const [env, want] of [
      [{ WRKNV_OS: "FreeBSD", WRKNV_ARCH: "x86_64" }, /unsupported operating system: FreeBSD/],
      [{ WRKNV_OS: "Linux", WRKNV_ARCH: "riscv64" }, /unsupported architecture: riscv64/],
      [{ WRKNV_OS: "musl", WRKNV_ARCH: "x86_64" }, /musl libc/],
      [
        { WRKNV_OS: "MINGW64_NT-10.0", WRKNV_ARCH: "x86_64" },
        /on Windows, download wrknv-x86_64-pc-windows-msvc\.zip/,
      ],
    ] as const
  ) {
    const r = await install([], {
      HOME: tmp.path,
      WRKNV_DOWNLOAD_URL: `file://${releases}`,
      WRKNV_INSTALL: join(tmp.path, "never"),
      ...env,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, want);
  }
  let made = true;
  try {
    await Deno.stat(join(tmp.path, "never"));
  } catch {
    made = false;
  }
  assert.equal(made, false);
  const help = await install(["--help"], { HOME: tmp.path });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Install wrknv\./);
});

Deno.test("install.sh is clean under shellcheck", async () => {
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
  const out = await new Deno.Command("shellcheck", { args: [SCRIPT], stdout: "piped" }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stdout));
});
