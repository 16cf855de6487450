/**
 * wrknv upgrade: the pure helpers of src/release.ts table by table,
 * upgradeBinary against a server on 127.0.0.1 (and a file:// directory)
 * serving fake releases, and the command as a user runs it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { serveDir } from "./support/http.ts";
import { makeRelease } from "./support/release.ts";
import { wrknv } from "./support/cli.ts";
import { detectTarget, isCompiled, parseSums, parseVersion, releaseUrls } from "../src/release.ts";
import { upgradeBinary } from "../src/ops/upgrade.ts";
import { sha256Hex } from "../src/hash.ts";
import { ConfigError, WrknvError } from "../src/errors.ts";

const target = detectTarget()!;

async function runBinary(path: string): Promise<string> {
  return new TextDecoder().decode(
    (await new Deno.Command(path, { stdout: "piped" }).output()).stdout,
  ).trim();
}

/** A directory holding an old fake wrknv, as an installed binary would be. */
async function oldBinary(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const binary = join(dir, "wrknv");
  await Deno.writeTextFile(binary, "#!/bin/sh\necho old\n", { mode: 0o755 });
  return binary;
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("detectTarget maps Deno's and uname's names to release targets", () => {
  const table: [string, string, string | null][] = [
    ["linux", "x86_64", "x86_64-unknown-linux-gnu"],
    ["linux", "aarch64", "aarch64-unknown-linux-gnu"],
    ["Linux", "amd64", "x86_64-unknown-linux-gnu"],
    ["Linux", "arm64", "aarch64-unknown-linux-gnu"],
    ["darwin", "x86_64", "x86_64-apple-darwin"],
    ["Darwin", "arm64", "aarch64-apple-darwin"],
    ["windows", "x86_64", "x86_64-pc-windows-msvc"],
    ["windows", "aarch64", null],
    ["freebsd", "x86_64", null],
    ["linux", "riscv64", null],
    ["linux", "", null],
  ];
  for (const [os, arch, want] of table) {
    assert.equal(detectTarget(os, arch), want, `${os} ${arch}`);
  }
});

Deno.test("releaseUrls follows the GitHub releases layout", () => {
  const table: [string, string, string, string, string][] = [
    [
      "https://h/r/",
      "v1.2.3",
      "x86_64-apple-darwin",
      "https://h/r/download/v1.2.3/wrknv-x86_64-apple-darwin.tar.gz",
      "https://h/r/download/v1.2.3/SHA256SUMS",
    ],
    [
      "https://h/r",
      "1.2.3",
      "aarch64-unknown-linux-gnu",
      "https://h/r/download/v1.2.3/wrknv-aarch64-unknown-linux-gnu.tar.gz",
      "https://h/r/download/v1.2.3/SHA256SUMS",
    ],
    [
      "file:///srv/mirror//",
      "latest",
      "x86_64-pc-windows-msvc",
      "file:///srv/mirror/latest/download/wrknv-x86_64-pc-windows-msvc.zip",
      "file:///srv/mirror/latest/download/SHA256SUMS",
    ],
  ];
  for (const [base, version, t, archive, sums] of table) {
    const urls = releaseUrls(base, version, t);
    assert.equal(urls.archive, archive);
    assert.equal(urls.sums, sums);
    assert.equal(urls.archive, `${urls.dir}/${urls.name}`);
  }
});

Deno.test("parseVersion accepts versions and latest, refuses the rest", () => {
  const ok: [string, string][] = [
    ["0.2.0", "0.2.0"],
    ["v0.2.0", "0.2.0"],
    ["1.0.0-rc.1", "1.0.0-rc.1"],
    ["latest", "latest"],
  ];
  for (const [input, want] of ok) assert.equal(parseVersion(input), want);
  for (const bad of ["", "1.2", "vv1.2.3", "../../etc", "1.2.3/x", "-1.2.3", "Latest"]) {
    assert.throws(() => parseVersion(bad), ConfigError, bad);
  }
});

Deno.test("parseSums reads both sha256sum forms and nothing else", () => {
  const a = "a".repeat(64);
  const b = "B".repeat(64);
  const text = [
    `${a}  wrknv-x86_64-apple-darwin.tar.gz`,
    `${b} *wrknv-aarch64-apple-darwin.tar.gz\r`,
    `${"c".repeat(63)}  short.tar.gz`,
    "# a comment",
    "",
  ].join("\n");
  const table: [string, string | null][] = [
    ["wrknv-x86_64-apple-darwin.tar.gz", a],
    ["wrknv-aarch64-apple-darwin.tar.gz", "b".repeat(64)],
    ["short.tar.gz", null],
    ["wrknv-x86_64-apple-darwin", null],
    ["missing.tar.gz", null],
  ];
  for (const [name, want] of table) assert.equal(parseSums(text, name), want, name);
});

Deno.test("isCompiled tells deno itself from a compiled binary", () => {
  const table: [string, boolean][] = [
    ["/usr/bin/deno", false],
    ["C:\\deno\\deno.exe", false],
    ["/home/me/.deno/bin/DENO", false],
    ["/home/me/.local/bin/wrknv", true],
    ["C:\\tools\\wrknv.exe", true],
    ["/opt/denote", true],
  ];
  for (const [path, want] of table) assert.equal(isCompiled(path), want, path);
  assert.equal(isCompiled(), false, "these tests run under deno");
});

Deno.test("upgradeBinary puts the verified release in place, latest or pinned", async () => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.5.0", { latest: true });
  await makeRelease(releases, "0.4.0");
  await using server = serveDir(releases);
  const bin = join(tmp.path, "bin");
  const binary = await oldBinary(bin);

  const latest = await upgradeBinary({
    base: server.url,
    version: "latest",
    target,
    binaryPath: binary,
  });
  assert.equal(await runBinary(binary), `wrknv 0.5.0 ${target}`);
  assert.equal(latest.url, `${server.url}/latest/download/wrknv-${target}.tar.gz`);
  assert.equal(latest.binaryPath, binary);
  assert.equal(
    latest.sha256,
    await sha256Hex(
      await Deno.readFile(join(releases, "latest", "download", `wrknv-${target}.tar.gz`)),
    ),
  );
  assert.equal((await Deno.stat(binary)).mode! & 0o777, 0o755);

  await upgradeBinary({ base: `${server.url}/`, version: "0.4.0", target, binaryPath: binary });
  assert.equal(await runBinary(binary), `wrknv 0.4.0 ${target}`);
  assert.deepEqual(
    [...server.requests].sort(),
    [
      `/latest/download/wrknv-${target}.tar.gz`,
      "/latest/download/SHA256SUMS",
      `/download/v0.4.0/wrknv-${target}.tar.gz`,
      "/download/v0.4.0/SHA256SUMS",
    ].sort(),
  );
  assert.deepEqual(names(bin), ["wrknv"], "nothing is left beside the binary");
});

Deno.test("upgradeBinary reads a file:// mirror and follows a symbolic link to the real binary", async () => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.6.0");
  const real = await oldBinary(join(tmp.path, "opt"));
  const link = join(tmp.path, "wrknv-link");
  await Deno.symlink(real, link);
  const r = await upgradeBinary({
    base: `file://${releases}`,
    version: "v0.6.0",
    target,
    binaryPath: link,
  });
  assert.equal(r.binaryPath, real);
  assert.equal(await runBinary(real), `wrknv 0.6.0 ${target}`);
  assert.equal((await Deno.lstat(link)).isSymlink, true, "the link stays a link");
  assert.deepEqual(names(join(tmp.path, "opt")), ["wrknv"]);
});

Deno.test("upgradeBinary downloads through the fetch it is given", async () => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  const dir = await makeRelease(releases, "0.7.0");
  const binary = await oldBinary(join(tmp.path, "bin"));
  const asked: string[] = [];
  const fakeFetch = async (input: string | URL | Request) => {
    const url = String(input);
    asked.push(url);
    const file = url.replace("https://mirror.invalid/releases/download/v0.7.0", dir);
    return new Response(await Deno.readFile(file));
  };
  await upgradeBinary({
    base: "https://mirror.invalid/releases",
    version: "0.7.0",
    target,
    binaryPath: binary,
    fetch: fakeFetch as typeof fetch,
  });
  assert.equal(await runBinary(binary), `wrknv 0.7.0 ${target}`);
  assert.deepEqual(asked.sort(), [
    "https://mirror.invalid/releases/download/v0.7.0/SHA256SUMS",
    `https://mirror.invalid/releases/download/v0.7.0/wrknv-${target}.tar.gz`,
  ]);
});

Deno.test("upgradeBinary changes nothing when the release is wrong", async (t) => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  const tampered = await makeRelease(releases, "0.8.0");
  const file = join(tampered, `wrknv-${target}.tar.gz`);
  const bytes = await Deno.readFile(file);
  bytes[10] ^= 0xff;
  await Deno.writeFile(file, bytes);

  // A release whose archive is listed and verified but holds no wrknv.
  const empty = join(releases, "download", "v0.9.0");
  await Deno.mkdir(empty, { recursive: true });
  await Deno.writeTextFile(join(tmp.path, "README"), "not a binary\n");
  const tar = await new Deno.Command("tar", {
    args: ["-czf", join(empty, `wrknv-${target}.tar.gz`), "-C", tmp.path, "README"],
  }).output();
  assert.equal(tar.code, 0);
  const sum = await sha256Hex(await Deno.readFile(join(empty, `wrknv-${target}.tar.gz`)));
  await Deno.writeTextFile(join(empty, "SHA256SUMS"), `${sum}  wrknv-${target}.tar.gz\n`);

  // A release whose SHA256SUMS does not list this target.
  const unlisted = await makeRelease(releases, "0.10.0");
  await Deno.writeTextFile(join(unlisted, "SHA256SUMS"), `${"0".repeat(64)}  other.tar.gz\n`);

  // A release whose archive is verified but is not a gzip'd tar at all.
  const garbled = join(releases, "download", "v0.11.0");
  await Deno.mkdir(garbled, { recursive: true });
  const junk = new TextEncoder().encode("this is not a tar.gz\n");
  await Deno.writeFile(join(garbled, `wrknv-${target}.tar.gz`), junk);
  await Deno.writeTextFile(
    join(garbled, "SHA256SUMS"),
    `${await sha256Hex(junk)}  wrknv-${target}.tar.gz\n`,
  );

  await using server = serveDir(releases);
  const bin = join(tmp.path, "bin");
  const binary = await oldBinary(bin);
  const table: [string, string, RegExp][] = [
    ["a tampered archive", "0.8.0", /^checksum mismatch for wrknv-.*; nothing was changed$/],
    ["an archive without wrknv", "0.9.0", /does not hold a wrknv binary/],
    ["a SHA256SUMS without the archive", "0.10.0", /has no line for wrknv-.*nothing was changed/],
    ["an archive that cannot be unpacked", "0.11.0", /^cannot unpack wrknv-.*\.tar\.gz: /],
    ["a release that does not exist", "9.9.9", /cannot download .*\/v9\.9\.9\/.*: HTTP 404/],
  ];
  for (const [name, version, want] of table) {
    await t.step(name, async () => {
      await assert.rejects(
        upgradeBinary({ base: server.url, version, target, binaryPath: binary }),
        (error: Error) => {
          assert.ok(error instanceof WrknvError, String(error));
          assert.match(error.message, want);
          return true;
        },
      );
      assert.equal(await runBinary(binary), "old", "the old binary stays");
      assert.deepEqual(names(bin), ["wrknv"], "no leftovers");
    });
  }
  await t.step("no binary at the path", async () => {
    await assert.rejects(
      upgradeBinary({
        base: `file://${releases}`,
        version: "0.9.0",
        target,
        binaryPath: join(bin, "nope"),
      }),
      /no binary to replace at .*nope/,
    );
  });
});

Deno.test("wrknv upgrade, as a user runs it (WRKNV_UPGRADE_BINARY stands in for a compiled wrknv)", async () => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.5.0", { latest: true });
  const pinned = await makeRelease(releases, "0.4.0");
  await using server = serveDir(releases);
  const binary = await oldBinary(join(tmp.path, "bin"));
  const env = { WRKNV_DOWNLOAD_URL: server.url, WRKNV_UPGRADE_BINARY: binary };

  const latest = await wrknv(["upgrade"], { cwd: tmp.path, env });
  assert.equal(latest.code, 0, latest.stderr);
  assert.equal(await runBinary(binary), `wrknv 0.5.0 ${target}`);
  const v = await wrknv(["upgrade", "--to", "0.4.0"], { cwd: tmp.path, env });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(await runBinary(binary), `wrknv 0.4.0 ${target}`);

  const file = join(pinned, `wrknv-${target}.tar.gz`);
  const bytes = await Deno.readFile(file);
  bytes[10] ^= 0xff;
  await Deno.writeFile(file, bytes);
  const bad = await wrknv(["upgrade", "--to", "0.4.0"], {
    cwd: tmp.path,
    env: { ...env, WRKNV_DOWNLOAD_URL: `file://${releases}` },
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /checksum mismatch .* nothing was changed/);
  assert.equal(await runBinary(binary), `wrknv 0.4.0 ${target}`, "the old binary stays");
  assert.deepEqual(names(join(tmp.path, "bin")), ["wrknv"], "no leftovers");

  const missing = await wrknv(["upgrade", "--to", "9.9.9"], { cwd: tmp.path, env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /HTTP 404/);
});

Deno.test("under deno run, wrknv upgrade says how to update from source", async () => {
  const r = await wrknv(["upgrade"], { cwd: "." });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /running from source \(deno run\)/);
});
