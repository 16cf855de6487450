/**
 * The compiled binary, where a Deno base runtime (denort) can be had:
 * DENORT_BIN, one cached by an earlier compile, or the network. Otherwise
 * the test is skipped and says why.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { compile } from "../scripts/compile.ts";

async function runtimeAvailable(): Promise<string | null> {
  if (Deno.env.get("DENORT_BIN")) return null;
  try {
    const res = await fetch("https://dl.deno.land/release-latest.txt", {
      signal: AbortSignal.timeout(3000),
    });
    await res.body?.cancel();
    if (res.ok) return null;
    return `the Deno download server answered HTTP ${res.status}`;
  } catch (error) {
    return `no denort: DENORT_BIN is not set and the Deno download server cannot be reached (${
      (error as Error).message
    })`;
  }
}

const skip = Deno.build.os !== "linux" || Deno.build.arch !== "x86_64"
  ? `the compile test builds x86_64 Linux, this is ${Deno.build.os} ${Deno.build.arch}`
  : await runtimeAvailable();
if (skip) console.log(`compile test skipped: ${skip}`);

Deno.test({
  name: "the compiled Linux binary runs --version, init --yes and demo",
  ignore: skip !== null,
}, async () => {
  await using tmp = await tempDir();
  const out = join(tmp.path, "dist");
  const [archive] = await compile(["x86_64-unknown-linux-gnu"], out);
  assert.equal(archive, "wrknv-x86_64-unknown-linux-gnu.tar.gz");
  const sums = await Deno.readTextFile(join(out, "SHA256SUMS"));
  assert.match(sums, /^[0-9a-f]{64} {2}wrknv-x86_64-unknown-linux-gnu\.tar\.gz\n$/);
  const bin = join(out, "build", "x86_64-unknown-linux-gnu", "wrknv");
  const run = async (args: string[], cwd: string) => {
    const o = await new Deno.Command(bin, { args, cwd, stdout: "piped", stderr: "piped" }).output();
    return {
      code: o.code,
      stdout: new TextDecoder().decode(o.stdout),
      stderr: new TextDecoder().decode(o.stderr),
    };
  };
  assert.match((await run(["--version"], tmp.path)).stdout, /^\d+\.\d+\.\d+\n$/);
  const meta = join(tmp.path, "smoke");
  await Deno.mkdir(meta);
  const init = await run(["init", "--yes", "--name", "smoke"], meta);
  assert.equal(init.code, 0, init.stderr);
  const demo = await run(["demo"], tmp.path);
  assert.equal(demo.code, 0, demo.stdout + demo.stderr);
  assert.match(demo.stdout, /0 errors, 0 warnings/);
});
