/**
 * wrknv upgrade against a server on 127.0.0.1 serving fake releases.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { serveDir } from "./support/http.ts";
import { makeRelease } from "./support/release.ts";
import { wrknv } from "./support/cli.ts";
import { detectTarget, releaseUrls } from "../src/cli/upgrade.ts";

const target = detectTarget()!;

async function runBinary(path: string): Promise<string> {
  return new TextDecoder().decode(
    (await new Deno.Command(path, { stdout: "piped" }).output()).stdout,
  ).trim();
}

Deno.test("detectTarget and releaseUrls", () => {
  assert.equal(detectTarget("linux", "x86_64"), "x86_64-unknown-linux-gnu");
  assert.equal(detectTarget("darwin", "aarch64"), "aarch64-apple-darwin");
  assert.equal(detectTarget("windows", "x86_64"), "x86_64-pc-windows-msvc");
  assert.equal(detectTarget("freebsd", "x86_64"), null);
  assert.deepEqual(releaseUrls("https://h/r/", "v1.2.3", "x86_64-apple-darwin"), {
    archive: "https://h/r/download/v1.2.3/wrknv-x86_64-apple-darwin.tar.gz",
    sums: "https://h/r/download/v1.2.3/SHA256SUMS",
    name: "wrknv-x86_64-apple-darwin.tar.gz",
  });
  assert.equal(
    releaseUrls("https://h/r", "latest", "x86_64-pc-windows-msvc").archive,
    "https://h/r/latest/download/wrknv-x86_64-pc-windows-msvc.zip",
  );
});

Deno.test("upgrade replaces the binary with the verified release; a tampered one leaves it", async () => {
  await using tmp = await tempDir();
  const releases = join(tmp.path, "releases");
  await makeRelease(releases, "0.5.0", { latest: true });
  const pinned = await makeRelease(releases, "0.4.0");
  await using server = serveDir(releases);
  const binary = join(tmp.path, "bin", "wrknv");
  await Deno.mkdir(join(tmp.path, "bin"));
  await Deno.writeTextFile(binary, "#!/bin/sh\necho old\n", { mode: 0o755 });
  const env = { WRKNV_DOWNLOAD_URL: server.url, WRKNV_UPGRADE_BINARY: binary };

  const latest = await wrknv(["upgrade"], { cwd: tmp.path, env });
  assert.equal(latest.code, 0, latest.stderr);
  assert.equal(await runBinary(binary), `wrknv 0.5.0 ${target}`);
  const v = await wrknv(["upgrade", "--version", "0.4.0"], { cwd: tmp.path, env });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(await runBinary(binary), `wrknv 0.4.0 ${target}`);

  const file = join(pinned, `wrknv-${target}.tar.gz`);
  const bytes = await Deno.readFile(file);
  bytes[10] ^= 0xff;
  await Deno.writeFile(file, bytes);
  const bad = await wrknv(["upgrade", "--version", "0.4.0"], {
    cwd: tmp.path,
    env: { ...env, WRKNV_DOWNLOAD_URL: `file://${releases}` },
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /checksum mismatch .* nothing was changed/);
  assert.equal(await runBinary(binary), `wrknv 0.4.0 ${target}`, "the old binary stays");
  assert.deepEqual(
    [...Deno.readDirSync(join(tmp.path, "bin"))].map((e) => e.name),
    ["wrknv"],
    "no leftovers",
  );

  const missing = await wrknv(["upgrade", "--version", "9.9.9"], { cwd: tmp.path, env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /HTTP 404/);
});

Deno.test("under deno run, upgrade says how to update from source", async () => {
  const r = await wrknv(["upgrade"], { cwd: "." });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /running from source \(deno run\)/);
});
