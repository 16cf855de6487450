/**
 * `wrknv validate`: check the tools, the layers, every sibling, the venv and
 * the imports, each check with an id, a status, a message and a fix.
 *
 * @module
 */
import { join } from "node:path";
import type { Sibling, Workspace } from "../config/types.ts";
import { readLock } from "../config/lock.ts";
import * as git from "../git/mod.ts";
import { readRemoteUrl } from "../git/files.ts";
import { pool, run, which } from "../proc/mod.ts";
import { discoverImports, satisfies } from "../python/pep.ts";
import { readSiblingProjects } from "./projects.ts";
import {
  findInterpreter,
  foreignVenv,
  inspectVenv,
  lastLine,
  probeInterpreter,
  refusedVenv,
  venvPython,
} from "../python/venv.ts";
import { type ProbeResult, probeVenv } from "../python/probe.ts";
import { type SiblingPython, venvContentChecks } from "./validate_venv.ts";
import type { Check, CheckStatus } from "./check.ts";
import { buildGraph, layerViolations } from "../graph/mod.ts";
import { type Selection, selectSiblings } from "./select.ts";
import { isDir } from "../fs.ts";
import { shellQuote as q } from "../text.ts";

export type { Check, CheckStatus } from "./check.ts";

/** The result of validate. */
export interface ValidateResult {
  /** No errors. */
  ok: boolean;
  /** Count of errors. */
  errors: number;
  /** Count of warnings. */
  warnings: number;
  /** Every check, workspace-wide ones first, then per sibling in file order. */
  checks: Check[];
}

/** Options for {@link validate}. */
export interface ValidateOptions {
  /** Which siblings. */
  selection?: Selection;
  /** Run pytest in siblings that have tests/. */
  tests?: boolean;
  /** Test runs at once. */
  jobs?: number;
  /** Cancels. */
  signal?: AbortSignal;
}

async function checkSibling(
  s: Sibling,
  lockCommit: string | undefined,
  signal?: AbortSignal,
): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (id: string, status: CheckStatus, message: string, hint?: string) =>
    checks.push({ id, status, sibling: s.name, message, ...(hint ? { hint } : {}) });
  if (!(await isDir(s.path))) {
    add(
      "sibling.present",
      "error",
      `missing: ${s.path}`,
      `run: wrknv bootstrap --only ${q(s.name)}`,
    );
    return checks;
  }
  let isRepo = false;
  try {
    await Deno.lstat(join(s.path, ".git"));
    isRepo = true;
  } catch {
    isRepo = false;
  }
  if (!isRepo) {
    add(
      "sibling.present",
      "error",
      `${s.path} is not a git repository`,
      "move it away, then run: wrknv bootstrap",
    );
    return checks;
  }
  let origin: string | null, st: Awaited<ReturnType<typeof git.status>> | null;
  try {
    [origin, st] = await Promise.all([
      // From the clone's own config file where it is in the plain form git writes; else git.
      readRemoteUrl(join(s.path, ".git")).catch(() => null).then((url) =>
        url ?? git.remoteUrl(s.path, { signal }).catch(git.noneUnlessRefused)
      ),
      git.status(s.path, { signal }).catch(git.noneUnlessRefused),
    ]);
  } catch (error) {
    const e = error as git.GitError;
    add("sibling.present", "error", e.message, e.hint);
    return checks;
  }
  add("sibling.present", "ok", "present");
  if (origin === null) {
    add(
      "sibling.origin",
      "warn",
      "has no origin remote",
      `run: git -C ${q(s.path)} remote add origin ${q(s.repo)}`,
    );
  } else if (!git.sameRemote(origin, s.repo)) {
    add(
      "sibling.origin",
      "error",
      `origin is ${origin}, but wrknv.toml says ${s.repo}`,
      `run: git -C ${q(s.path)} remote set-url origin ${q(s.repo)} (or fix repo in wrknv.toml)`,
    );
  } else add("sibling.origin", "ok", `origin ${origin}`);
  if (s.revision !== undefined && st) {
    const want = await git.revParse(s.path, `${s.revision}^{commit}`, { signal }).catch(() =>
      null
    ) ??
      await git.revParse(s.path, `origin/${s.revision}^{commit}`, { signal }).catch(() => null);
    if (st.branch === s.revision) add("sibling.revision", "ok", `on ${s.revision}`);
    else if (want !== null && st.head === want) {
      // At the revision's commit, but say where it really is: a branch of its own, or detached.
      const where = st.branch === null ? "detached" : `on ${st.branch}`;
      add("sibling.revision", "ok", `${where}, at ${s.revision}'s commit (${want.slice(0, 7)})`);
    } else {
      add(
        "sibling.revision",
        "warn",
        `on ${st.branch ?? st.head?.slice(0, 12) ?? "nothing"}, not on ${s.revision}`,
        `run: git -C ${q(s.path)} checkout ${q(s.revision)}`,
      );
    }
  }
  if (lockCommit !== undefined && st) {
    if (st.head === lockCommit) add("sibling.lock", "ok", "at the locked commit");
    else {
      add(
        "sibling.lock",
        "warn",
        `at ${st.head?.slice(0, 12) ?? "no commit"}, wrknv.lock has ${lockCommit.slice(0, 12)}`,
        "run: wrknv sync --locked (or wrknv lock to take the current commits)",
      );
    }
  }
  if (st && st.staged + st.unstaged + st.conflicted + st.untracked > 0) {
    const n = st.staged + st.unstaged + st.conflicted;
    add("sibling.dirty", "info", `uncommitted changes: ${n} changed, ${st.untracked} untracked`);
  }
  return checks;
}

/** Run every check. */
export async function validate(
  ws: Workspace,
  options: ValidateOptions = {},
): Promise<ValidateResult> {
  const siblings = selectSiblings(ws, options.selection);
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);

  // Tools.
  const gitVersion = await git.version();
  if (gitVersion !== null) {
    add({ id: "tools.git", status: "ok", message: gitVersion });
  } else {add({
      id: "tools.git",
      status: "error",
      message: "git not found on PATH",
      hint: "install git",
    });}
  // Filled in once the venv has been looked at: a venv whose Python satisfies the
  // setting is that Python, and PATH need not be searched (a process per candidate).
  const toolsPython: Check = { id: "tools.python", status: "ok", message: "" };
  add(toolsPython);
  const uv = await which("uv");
  if (ws.python.installer === "uv") {
    add(
      uv ? { id: "tools.uv", status: "ok", message: `uv at ${uv}` } : {
        id: "tools.uv",
        status: "error",
        message: "installer is uv but uv is not on PATH",
        hint: 'install uv, or set installer = "auto"',
      },
    );
  }

  // Per sibling: git state.
  const lock = await readLock(ws).catch(() => null);
  const lockBy = new Map((lock ?? []).map((e) => [e.name, e.commit]));
  const perSibling = await pool(
    siblings,
    (s) => checkSibling(s, lockBy.get(s.name), options.signal),
    {
      limit: 8,
      signal: options.signal,
    },
  );

  // Python metadata of the installable siblings.
  // Any layout (pyproject, Poetry, setup.cfg, and what setup learnt from a backend).
  const meta = (await readSiblingProjects(ws, siblings)).map(({ sibling, project }) => {
    if (project === null || project.kind === "absent" || project.kind === "not-python") return null;
    if (project.kind === "error") {
      return { sibling, pyproject: null, error: `${project.file}: ${project.message}` };
    }
    return { sibling, pyproject: project.metadata };
  });
  const installable = meta.filter((m) => m !== null);

  // Layers.
  if (ws.layers.length) {
    const graph = buildGraph(
      installable.map((m) => ({
        name: m.sibling.name,
        index: m.sibling.index,
        layer: m.sibling.layer,
        dependsOn: m.sibling.dependsOn,
      })),
      installable.map((m) => m.pyproject),
    );
    const violations = layerViolations(graph.nodes, ws.layers);
    if (violations.length === 0) {
      add({ id: "layers", status: "ok", message: `dependencies respect ${ws.layers.join(" < ")}` });
    }
    for (const v of violations) {
      add({
        id: "layers",
        status: "error",
        sibling: v.from,
        message: `${v.from} (${v.fromLayer}) depends on ${v.to} (${v.toLayer}), a higher layer`,
        hint: `move ${v.from} to layer ${v.toLayer} or higher, or remove the dependency`,
      });
    }
  }

  // What each installable sibling is to import, for the one probe of the venv.
  const todo: SiblingPython[] = [];
  const unreadable: { sibling: Sibling; error: string }[] = [];
  for (const m of installable) {
    if ("error" in m && m.error) {
      unreadable.push({ sibling: m.sibling, error: m.error });
      continue;
    }
    const project = m.pyproject?.name ?? null;
    const found = m.sibling.imports !== undefined
      ? { names: [...m.sibling.imports], source: "config" as const }
      : await discoverImports(m.sibling.path, { project });
    todo.push({
      sibling: m.sibling,
      project,
      ...(m.pyproject?.requiresPython ? { requiresPython: m.pyproject.requiresPython } : {}),
      ...(m.pyproject?.version ? { version: m.pyproject.version } : {}),
      ...(m.pyproject?.scmVersion ? { scm: m.pyproject.scmVersion } : {}),
      imports: { names: found.names, source: found.source },
      ...("setting" in found && found.setting ? { setting: found.setting } : {}),
    });
  }

  // The venv: its Python is started once, for its version and every check of its contents.
  let probe: ProbeResult | undefined;
  let probeError: unknown;
  const venvState = await inspectVenv(ws.python.venv, {
    probe: async (python) => {
      try {
        probe = await probeVenv(
          python,
          Object.fromEntries(
            todo.map((t) => [t.sibling.name, { names: t.imports.names, path: t.sibling.path }]),
          ),
          { cwd: ws.python.venv, signal: options.signal },
        );
        return { path: python, version: probe.python, source: "venv" };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // Does it run at all? Then only the import check failed.
        probeError = error;
        return await probeInterpreter(python, "venv");
      }
    },
  });
  if (venvState.kind === "missing") {
    add({
      id: "venv.exists",
      status: "error",
      message: `no venv at ${ws.python.venv}`,
      hint: "run: wrknv setup",
    });
  } else if (venvState.kind === "not-a-venv" || venvState.kind === "tracked") {
    add({
      id: "venv.exists",
      status: "error",
      message: refusedVenv(ws.python.venv, venvState)!.message,
    });
  } else if (venvState.kind === "foreign") {
    const e = foreignVenv(ws.python.venv);
    add({ id: "venv.exists", status: "error", message: e.message, hint: e.hint });
  } else if (venvState.kind === "unfinished") {
    add({
      id: "venv.exists",
      status: "error",
      message: `the venv at ${ws.python.venv} is unfinished: a wrknv run stopped while making it`,
      hint: "run: wrknv setup",
    });
  } else if (venvState.kind === "broken") {
    add({
      id: "venv.exists",
      status: "error",
      message: `the venv is broken: ${venvState.reason}`,
      hint: "run: wrknv setup --recreate",
    });
  } else {
    add({ id: "venv.exists", status: "ok", message: `venv at ${ws.python.venv}` });
    if (satisfies(venvState.python.version, ws.python.version)) {
      add({
        id: "venv.python",
        status: "ok",
        message: `Python ${venvState.python.version} satisfies ${ws.python.version}`,
      });
    } else {
      add({
        id: "venv.python",
        status: "error",
        message:
          `the venv has Python ${venvState.python.version}, which does not satisfy ${ws.python.version}`,
        hint: "run: wrknv setup --recreate",
      });
    }
  }

  const siblingChecks = new Map<string, Check[]>();
  perSibling.forEach((r, i) =>
    siblingChecks.set(siblings[i].name, r.status === "fulfilled" ? r.value : [])
  );

  if (venvState.kind === "ok" && satisfies(venvState.python.version, ws.python.version)) {
    toolsPython.message =
      `the venv's Python ${venvState.python.version} satisfies ${ws.python.version}`;
  } else {
    try {
      const it = await findInterpreter(ws.python.version, { uv: null });
      toolsPython.message = `${it.source} ${it.version} satisfies ${ws.python.version}`;
    } catch (error) {
      Object.assign(toolsPython, {
        status: "error",
        message: (error as Error).message,
        hint:
          `install a Python that satisfies ${ws.python.version}, or change workspace.python.version`,
      });
    }
  }

  if (venvState.kind === "ok") {
    for (const u of unreadable) {
      siblingChecks.get(u.sibling.name)!.push({
        id: "venv.installed",
        status: "error",
        sibling: u.sibling.name,
        message: u.error,
      });
    }
    if (todo.length && probe) {
      checks.push(...await venvContentChecks(ws, todo, probe, siblingChecks));
    } else if (todo.length) {
      add({
        id: "imports",
        status: "error",
        message: `the import check failed: ${
          (probeError as Error | undefined)?.message ?? "the venv was not asked"
        }`,
      });
    }
  }

  if (options.tests) {
    const withTests: Sibling[] = [];
    for (const s of siblings) if (await isDir(join(s.path, "tests"))) withTests.push(s);
    const python = venvPython(ws.python.venv);
    // Without pytest in the venv, say so once, not once per sibling.
    const hasPytest = withTests.length > 0 &&
      (await run([python, "-c", "import pytest"], { signal: options.signal })).code === 0;
    if (withTests.length && !hasPytest) {
      add({
        id: "tests",
        status: "error",
        message: `pytest is not installed in the venv, so the tests of ${
          withTests.map((s) => s.name).join(", ")
        } did not run`,
        hint: `run: ${
          q(python)
        } -m pip install pytest (or add it to an extra in workspace.python.extras)`,
      });
      withTests.length = 0;
    }
    const results = await pool(
      withTests,
      (s) =>
        run([python, "-m", "pytest", "-q"], {
          cwd: s.path,
          signal: options.signal,
          env: { VIRTUAL_ENV: ws.python.venv },
        }),
      {
        limit: options.jobs ?? 2,
        signal: options.signal,
      },
    );
    results.forEach((r, i) => {
      const s = withTests[i];
      const list = siblingChecks.get(s.name)!;
      if (r.status === "rejected") {
        list.push({
          id: "tests",
          status: "error",
          sibling: s.name,
          message: (r.reason as Error).message,
        });
        return;
      }
      const summary = lastLine(r.value.stdout) || lastLine(r.value.stderr);
      list.push(
        r.value.code === 0
          ? { id: "tests", status: "ok", sibling: s.name, message: `pytest: ${summary}` }
          : r.value.code === 5
          ? { id: "tests", status: "warn", sibling: s.name, message: "pytest collected no tests" }
          : {
            id: "tests",
            status: "error",
            sibling: s.name,
            message: `pytest: ${summary}`,
            hint: `run: cd ${q(s.path)} && ${q(python)} -m pytest`,
          },
      );
    });
  }

  for (const s of siblings) checks.push(...(siblingChecks.get(s.name) ?? []));
  const errors = checks.filter((c) => c.status === "error").length;
  const warnings = checks.filter((c) => c.status === "warn").length;
  return { ok: errors === 0, errors, warnings, checks };
}
