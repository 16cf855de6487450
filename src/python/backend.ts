/**
 * Calling PEP 517/660 build backend hooks inside the venv, as a frontend
 * does for a build without isolation: `get_requires_for_build_editable`
 * (what the backend needs beyond `build-system.requires`: setuptools < 70
 * answers `wheel`, hatchling `editables`) and
 * `prepare_metadata_for_build_editable` (the core metadata of a project
 * whose dependencies only the backend knows).
 *
 * One Python process serves every project: it imports each shared backend
 * once, then forks a child per project (a fresh copy of the interpreter's
 * state, as pip's subprocess per hook gives), a few at a time. Each child's
 * output goes to the project's log.
 *
 * @module
 */
import { run } from "../proc/mod.ts";
import { activated } from "./install.ts";

/** One project to ask. */
export interface HookJob {
  /** An id for the answer (the sibling name). */
  id: string;
  /** The project directory. */
  path: string;
  /** `module:object` of the backend. */
  backend: string;
  /** `build-system.backend-path`. */
  backendPath: string[];
  /** Where the child's output is appended. */
  log: string;
}

/** A hook's answer for one project. */
export type HookAnswer =
  | { ok: true; requires: string[]; metadata?: string }
  | { ok: false; error: string };

// The parent imports shared backends once, then forks one child per job.
const SCRIPT = String.raw`
import importlib, json, os, sys, tempfile, traceback
req = json.loads(sys.stdin.read())
hook, jobs, limit, workdir = req["hook"], req["jobs"], req["limit"], req["workdir"]

def load(spec):
    mod, _, obj = spec.partition(":")
    backend = importlib.import_module(mod)
    for part in filter(None, obj.split(".")):
        backend = getattr(backend, part)
    return backend

for spec in sorted({j["backend"] for j in jobs if not j["backendPath"]}):
    try:
        load(spec)
    except BaseException:
        pass  # the child reports it

def child(i, job):
    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    out = os.path.join(workdir, "%d.json" % i)
    try:
        os.chdir(job["path"])
        for p in reversed(job["backendPath"]):
            sys.path.insert(0, os.path.join(job["path"], p))
        print("== %s (%s)" % (hook, job["backend"]), flush=True)
        backend = load(job["backend"])
        result = {"requires": []}
        if hook == "requires":
            fn = getattr(backend, "get_requires_for_build_editable", None) or getattr(backend, "get_requires_for_build_wheel", None)
            result["requires"] = list(fn({}) if fn else [])
        else:
            md = tempfile.mkdtemp(dir=workdir)
            fn = getattr(backend, "prepare_metadata_for_build_editable", None) or getattr(backend, "prepare_metadata_for_build_wheel", None)
            if fn is None:
                raise RuntimeError("the backend has no prepare_metadata hook")
            name = fn(md, {})
            with open(os.path.join(md, name, "METADATA"), encoding="utf-8") as f:
                result["metadata"] = f.read()
        sys.stdout.flush(); sys.stderr.flush()
        with open(out, "w") as f:
            json.dump(result, f)
        os._exit(0)
    except BaseException as e:
        traceback.print_exc()
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(1)

running = {}
answers = {}
todo = list(enumerate(jobs))
while todo or running:
    while todo and len(running) < limit:
        i, job = todo.pop(0)
        sys.stdout.flush(); sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(i, job)
        running[pid] = i
    pid, status = os.wait()
    i = running.pop(pid, None)
    if i is None:
        continue
    job = jobs[i]
    try:
        with open(os.path.join(workdir, "%d.json" % i)) as f:
            answers[job["id"]] = {"ok": True, **json.load(f)}
    except OSError:
        answers[job["id"]] = {"ok": False}
print(json.dumps(answers))
`;

/**
 * Ask every project's backend one hook: `requires`
 * (`get_requires_for_build_editable`, else `..._wheel`) or `metadata`
 * (`prepare_metadata_for_build_editable`, else `..._wheel`, giving the
 * METADATA text). A project whose hook raised answers `ok: false` with the
 * last lines of its output.
 */
export async function callHooks(
  python: string,
  jobs: readonly HookJob[],
  options: { hook: "requires" | "metadata"; workdir: string; limit?: number; signal?: AbortSignal },
): Promise<Map<string, HookAnswer>> {
  const answers = new Map<string, HookAnswer>();
  if (!jobs.length) return answers;
  const r = await run([python, "-c", SCRIPT], {
    stdin: {
      data: JSON.stringify({
        hook: options.hook,
        jobs,
        limit: options.limit ?? Math.max(1, navigator.hardwareConcurrency || 1),
        workdir: options.workdir,
      }),
    },
    env: { ...activated(python), PYTHONDONTWRITEBYTECODE: "1", PYTHONNOUSERSITE: "1" },
    signal: options.signal,
    timeoutMs: 600_000,
  });
  let doc: Record<string, { ok: boolean; requires?: string[]; metadata?: string }> = {};
  try {
    doc = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
  } catch {
    doc = {};
  }
  for (const job of jobs) {
    const a = doc[job.id];
    if (a?.ok) {
      answers.set(job.id, {
        ok: true,
        requires: a.requires ?? [],
        ...(a.metadata !== undefined ? { metadata: a.metadata } : {}),
      });
    } else {
      const log = await Deno.readTextFile(job.log).catch(() => "");
      answers.set(job.id, {
        ok: false,
        error: tailOf(log) || tailOf(r.stderr) || `the ${options.hook} hook failed`,
      });
    }
  }
  return answers;
}

/** The telling end of a Python failure: the last non-empty line (a traceback's exception). */
export function tailOf(text: string): string {
  const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
  return (lines.at(-1) ?? "").trim();
}
