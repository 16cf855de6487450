/** The file-system questions of src/fs.ts, on real directories. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isDir, surelyAbsent } from "../src/fs.ts";
import { tempDir } from "./support/tmp.ts";

Deno.test("surelyAbsent: only what a listing proves missing, and no more", async () => {
  await using tmp = await tempDir("wrknv-fs-");
  const root = tmp.path;
  await Deno.mkdir(join(root, "here"));
  await Deno.mkdir(join(root, "Mixed"));
  await Deno.writeTextFile(join(root, "a-file"), "x");
  await Deno.symlink(join(root, "here"), join(root, "link"));
  await Deno.symlink(join(root, "nowhere"), join(root, "dangling"));
  await Deno.mkdir(join(root, "deep", "inner"), { recursive: true });
  const paths = {
    here: join(root, "here"),
    gone: join(root, "gone"),
    // Another case of a listed name: a case-insensitive file system would find it.
    mixed: join(root, "mixed"),
    file: join(root, "a-file"),
    link: join(root, "link"),
    dangling: join(root, "dangling"),
    inner: join(root, "deep", "inner"),
    innerGone: join(root, "deep", "other"),
    underMissing: join(root, "no-parent", "child"),
    underFile: join(root, "a-file", "child"),
  };
  const absent = await surelyAbsent(Object.values(paths));
  assert.deepEqual(
    Object.entries(paths).filter(([, p]) => absent.has(p)).map(([k]) => k).sort(),
    ["gone", "innerGone", "underFile", "underMissing"],
  );
  // Whatever it calls absent is not a directory: never a false "missing".
  for (const p of absent) assert.equal(await isDir(p), false, p);
});

Deno.test("surelyAbsent: 5,000 siblings in one root, one of them there", async () => {
  await using tmp = await tempDir("wrknv-fs-");
  await Deno.mkdir(join(tmp.path, "pkg-7"));
  const paths = Array.from({ length: 5000 }, (_, i) => join(tmp.path, `pkg-${i}`));
  const absent = await surelyAbsent(paths);
  assert.equal(absent.size, 4999);
  assert.equal(absent.has(join(tmp.path, "pkg-7")), false);
});
