/**
 * `wrknv validate --json` for tests: the document, and its checks by id.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { wrknv } from "./cli.ts";
import { SYSTEM_WHEELS } from "./python.ts";

/** One check of validate's JSON. */
export interface Check {
  id: string;
  status: string;
  sibling?: string;
  message: string;
  hint?: string;
}

/** What one validate run said. */
export interface ValidateRun {
  /** Exit code. */
  code: number;
  /** The JSON document. */
  doc: { ok: boolean; errors: number; warnings: number; checks: Check[] };
  /** The checks with this id about this sibling (none: the workspace-wide ones). */
  find(id: string, sibling?: string): Check[];
  /** The errors and warnings, in order. */
  bad(): Check[];
}

/** Run `wrknv validate --json` in `cwd`. */
export async function validateJson(cwd: string): Promise<ValidateRun> {
  const r = await wrknv(["validate", "--json"], { cwd });
  let doc: ValidateRun["doc"];
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`validate printed no JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
  }
  return {
    code: r.code,
    doc,
    find: (id, sibling) => doc.checks.filter((c) => c.id === id && c.sibling === sibling),
    bad: () => doc.checks.filter((c) => c.status === "error" || c.status === "warn"),
  };
}

/**
 * Install into the venv as a user would by hand, without wrknv: the
 * system's pip aimed at the venv (`--python`, so a venv made by uv, which
 * has no pip, works too), offline, no dependencies, no build isolation.
 */
export async function pipInstall(venv: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("python3", {
    args: [
      "-m",
      "pip",
      "--python",
      join(venv, "bin", "python"),
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "--no-deps",
      "--no-build-isolation",
      "--find-links",
      SYSTEM_WHEELS,
      ...args,
    ],
    env: { PIP_NO_INDEX: "1", PIP_CONFIG_FILE: "/dev/null" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}
