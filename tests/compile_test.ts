/**
 * scripts/compile.ts in two parts.
 *
 * Everything but `deno compile` itself (flags, the deno compile command
 * lines, packing, SHA256SUMS, the zip writer, a dist/ that install.sh installs
 * from) runs everywhere, with a stand-in `deno` that writes a fake binary.
 *
 * The real build needs a Deno base runtime (denort): DENORT_BIN, one cached in
 * DENO_DIR by an earlier compile, or Deno's download server. Where none can be
 * had the test is skipped and says why; where one can, the Linux binary is
 * built and run (--version, init --yes, demo).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import {
  cachedDenort,
  compile,
  compileArgs,
  INCLUDE,
  parseArgs,
  PERMISSIONS,
  TARGETS,
  zipFiles,
} from "../scripts/compile.ts";
import { sha256Hex } from "../src/hash.ts";
import { VERSION } from "../src/version.ts";

const SCRIPT = fileURLToPath(new URL("../scripts/compile.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dec = new TextDecoder();

async function sh(cmd: string[], options: Deno.CommandOptions = {}) {
  const o = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
}

Deno.test("parseArgs: targets, --out, --help, and refusals", () => {
  const ok: [string[], string[], string, boolean][] = [
    [[], [...TARGETS], "dist", false],
    [["--target", "x86_64-apple-darwin"], ["x86_64-apple-darwin"], "dist", false],
    [
      ["--target=aarch64-apple-darwin", "--target", "x86_64-pc-windows-msvc", "--out", "o"],
      ["aarch64-apple-darwin", "x86_64-pc-windows-msvc"],
      "o",
      false,
    ],
    [
      ["--target", "x86_64-apple-darwin", "--target", "x86_64-apple-darwin"],
      [
        "x86_64-apple-darwin",
      ],
      "dist",
      false,
    ],
    [["--out=/tmp/x", "-h"], [...TARGETS], "/tmp/x", true],
  ];
  for (const [args, targets, out, help] of ok) {
    assert.deepEqual(parseArgs(args), { targets, out, help }, args.join(" "));
  }
  const bad: [string[], RegExp][] = [
    [["--target", "riscv64-unknown-linux-gnu"], /unknown target "riscv64-unknown-linux-gnu"/],
    [["--target"], /--target needs a value/],
    [["--out="], /--out needs a value/],
    [["--release"], /unknown argument "--release"/],
    [["x86_64-apple-darwin"], /unknown argument/],
  ];
  for (const [args, want] of bad) assert.throws(() => parseArgs(args), want, args.join(" "));
});

Deno.test("compileArgs: permissions, includes, target, output, entry last", () => {
  assert.deepEqual(
    compileArgs("x86_64-apple-darwin", {
      output: "/o/wrknv",
      entry: "/r/main.ts",
      include: ["/r/a.json", "/r/demo"],
    }),
    [
      "compile",
      "--quiet",
      ...PERMISSIONS,
      "--include",
      "/r/a.json",
      "--include",
      "/r/demo",
      "--target",
      "x86_64-apple-darwin",
      "--output",
      "/o/wrknv",
      "/r/main.ts",
    ],
  );
  assert.deepEqual(
    compileArgs("x86_64-pc-windows-msvc", { output: "w.exe", entry: "m.ts" }).slice(-5),
    ["--target", "x86_64-pc-windows-msvc", "--output", "w.exe", "m.ts"],
  );
  for (const path of INCLUDE) assert.ok(!path.startsWith("/"), "INCLUDE paths are relative");
});

Deno.test("zipFiles writes a zip that Python's zipfile reads back, byte for byte the same each time", async () => {
  await using tmp = await tempDir();
  const binary = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
  const entries = [
    { name: "wrknv.exe", data: binary, mode: 0o755 },
    { name: "notes/é.txt", data: new TextEncoder().encode("hello\n") },
    { name: "empty", data: new Uint8Array() },
  ];
  const zip = zipFiles(entries);
  assert.deepEqual(zipFiles(entries), zip, "deterministic");
  const file = join(tmp.path, "a.zip");
  await Deno.writeFile(file, zip);
  const check = await sh([
    "python3",
    "-c",
    `import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([[i.filename, i.external_attr >> 16, i.file_size,
                   hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))`,
    file,
  ]);
  assert.equal(check.code, 0, check.stderr);
  const want = [];
  for (const e of entries) {
    want.push([e.name, 0o100000 | (e.mode ?? 0o644), e.data.length, await sha256Hex(e.data)]);
  }
  assert.deepEqual(JSON.parse(check.stdout), want);
});

Deno.test("compile packs every target, writes SHA256SUMS and install.sh, and install.sh installs from it", async () => {
  await using tmp = await tempDir();
  // A stand-in for deno: logs its arguments and writes a script as the binary.
  const log = join(tmp.path, "deno.log");
  const fakeDeno = join(tmp.path, "fake-deno");
  await Deno.writeTextFile(
    fakeDeno,
    `#!/bin/sh
printf '%s\\n' "$*" >> '${log}'
out= target=
while [ $# -gt 0 ]; do
  case "$1" in
  --output) out="$2"; shift ;;
  --target) target="$2"; shift ;;
  esac
  shift
done
printf '#!/bin/sh\\necho "fake wrknv for %s"\\n' "$target" > "$out"
chmod 755 "$out"
`,
    { mode: 0o755 },
  );
  const out = join(tmp.path, "dist");
  const lines: string[] = [];
  const result = await compile({
    targets: TARGETS,
    out,
    deno: fakeDeno,
    include: ["wrknv.schema.json", "no-such-dir"],
    log: (line) => lines.push(line),
  });
  assert.deepEqual(result.archives, [
    "wrknv-x86_64-unknown-linux-gnu.tar.gz",
    "wrknv-aarch64-unknown-linux-gnu.tar.gz",
    "wrknv-x86_64-apple-darwin.tar.gz",
    "wrknv-aarch64-apple-darwin.tar.gz",
    "wrknv-x86_64-pc-windows-msvc.zip",
  ]);
  assert.equal(lines.length, TARGETS.length);

  const calls = (await Deno.readTextFile(log)).trim().split("\n");
  assert.equal(calls.length, TARGETS.length);
  for (const [i, target] of TARGETS.entries()) {
    const exe = target.includes("windows") ? "wrknv.exe" : "wrknv";
    assert.equal(
      calls[i],
      compileArgs(target, {
        output: join(out, "build", target, exe),
        entry: join(ROOT, "main.ts"),
        include: [join(ROOT, "wrknv.schema.json")],
      }).join(" "),
      "an include that does not exist is skipped",
    );
    assert.equal(result.binaries[target], join(out, "build", target, exe));
  }

  const sums = await Deno.readTextFile(join(out, "SHA256SUMS"));
  const want = [];
  for (const name of result.archives) {
    want.push(`${await sha256Hex(await Deno.readFile(join(out, name)))}  ${name}`);
  }
  assert.equal(sums, want.join("\n") + "\n");
  assert.equal(
    await Deno.readTextFile(join(out, "install.sh")),
    await Deno.readTextFile(join(ROOT, "install.sh")),
  );

  // Each archive holds the one binary, executable.
  const tar = await sh(["tar", "-tvzf", join(out, "wrknv-aarch64-apple-darwin.tar.gz")]);
  assert.equal(tar.code, 0, tar.stderr);
  assert.match(tar.stdout, /^-rwxr-xr-x .* wrknv\n$/);
  const zip = await sh([
    "python3",
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.namelist()); print(z.read('wrknv.exe').decode(), end='')",
    join(out, "wrknv-x86_64-pc-windows-msvc.zip"),
  ]);
  assert.equal(zip.code, 0, zip.stderr);
  assert.equal(
    zip.stdout,
    "['wrknv.exe']\n#!/bin/sh\necho \"fake wrknv for x86_64-pc-windows-msvc\"\n",
  );

  // dist/ as a release: install.sh from it installs the right archive, checked.
  const release = join(tmp.path, "mirror", "download", "v0.0.1");
  await Deno.mkdir(release, { recursive: true });
  for (const entry of Deno.readDirSync(out)) {
    if (entry.isFile) await Deno.copyFile(join(out, entry.name), join(release, entry.name));
  }
  const bin = join(tmp.path, "bin");
  const installed = await sh(["sh", join(out, "install.sh"), "0.0.1"], {
    env: {
      WRKNV_DOWNLOAD_URL: `file://${join(tmp.path, "mirror")}`,
      WRKNV_INSTALL: bin,
      WRKNV_OS: "Linux",
      WRKNV_ARCH: "aarch64",
    },
  });
  assert.equal(installed.code, 0, installed.stderr);
  assert.equal(
    (await sh([join(bin, "wrknv")])).stdout,
    "fake wrknv for aarch64-unknown-linux-gnu\n",
  );
});

Deno.test("deno task compile refuses DENORT_BIN for several targets, or naming no file", async () => {
  await using tmp = await tempDir();
  const table: [string[], string, RegExp][] = [
    [[], "/bin/sh", /DENORT_BIN is one base runtime for one target/],
    [
      ["--target", "x86_64-unknown-linux-gnu"],
      join(tmp.path, "nope"),
      /DENORT_BIN=.*nope is not a file/,
    ],
  ];
  for (const [args, denort, want] of table) {
    const r = await sh([
      Deno.execPath(),
      "run",
      "-A",
      SCRIPT,
      "--out",
      join(tmp.path, "d"),
      ...args,
    ], {
      env: { DENORT_BIN: denort, NO_COLOR: "1" },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, want);
  }
  const usage = await sh([Deno.execPath(), "run", "-A", SCRIPT, "--target", "sparc"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown target "sparc"[\s\S]*usage: deno task compile/);
});

/** Why the real build cannot run here, or null when it can. */
async function whyNoDenort(target: string): Promise<string | null> {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    return `the real build is tested for x86_64 Linux, this is ${Deno.build.os} ${Deno.build.arch}`;
  }
  if (Deno.env.get("DENORT_BIN")) return null;
  if (await cachedDenort(target)) return null;
  const url = `https://dl.deno.land/release/v${Deno.version.deno}/denort-${target}.zip`;
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    if (res.ok) return null;
    return `DENORT_BIN is not set, no denort is cached in DENO_DIR, and ${url} answered HTTP ${res.status}`;
  } catch (error) {
    return `DENORT_BIN is not set, no denort is cached in DENO_DIR, and ${url} cannot be reached (${
      (error as Error).message
    })`;
  }
}

const LINUX = "x86_64-unknown-linux-gnu";
const skip = await whyNoDenort(LINUX);
if (skip) console.log(`compile_test: the real build is skipped: ${skip}`);

Deno.test({
  name: "the compiled Linux binary runs --version, init --yes and demo",
  ignore: skip !== null,
}, async () => {
  await using tmp = await tempDir();
  const out = join(tmp.path, "dist");
  const { archives, binaries } = await compile({ targets: [LINUX], out });
  assert.deepEqual(archives, [`wrknv-${LINUX}.tar.gz`]);
  const sums = await Deno.readTextFile(join(out, "SHA256SUMS"));
  assert.match(sums, /^[0-9a-f]{64} {2}wrknv-x86_64-unknown-linux-gnu\.tar\.gz\n$/);

  // Run the binary as it comes out of the archive, with a clean environment.
  const unpacked = join(tmp.path, "unpacked");
  await Deno.mkdir(unpacked);
  assert.equal((await sh(["tar", "-xzf", join(out, archives[0]), "-C", unpacked])).code, 0);
  const bin = join(unpacked, "wrknv");
  assert.ok(binaries[LINUX]);
  const env = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: tmp.path,
    TMPDIR: tmp.path,
    NO_COLOR: "1",
  };
  const run = (args: string[], cwd: string) => sh([bin, ...args], { cwd, env, clearEnv: true });

  const version = await run(["--version"], tmp.path);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, `${VERSION}\n`);
  const meta = join(tmp.path, "smoke");
  await Deno.mkdir(meta);
  const init = await run(["init", "--yes", "--name", "smoke"], meta);
  assert.equal(init.code, 0, init.stderr);
  assert.match(await Deno.readTextFile(join(meta, "wrknv.toml")), /name = "smoke"/);
  const demo = await run(["demo"], tmp.path);
  assert.equal(demo.code, 0, demo.stdout + demo.stderr);
  assert.match(demo.stdout, /0 errors, 0 warnings/);
});
