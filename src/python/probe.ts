/**
 * One Python process that tells validate what the venv holds: the marker
 * environment, every installed distribution with its core metadata
 * (version as installed, `Requires-Dist`, `Requires-Python`,
 * `Provides-Extra`, PEP 610 `direct_url.json`), and the outcome of
 * importing each sibling's modules, a namespace package expanded into the
 * sibling's own subpackages. Everything is read with `importlib.metadata`
 * and `importlib`, so it works in a venv without pip (uv's).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { WrknvError } from "../errors.ts";
import { run } from "../proc/mod.ts";
import { type MarkerEnv, normalizeName } from "./pep508.ts";
import { lastLine } from "./venv.ts";

/** An installed distribution, as its metadata in the venv says. */
export interface ProbedDist {
  /** `Name` as in its metadata. */
  name: string;
  /** PEP 503 normalized. */
  normalized: string;
  /** `Version`, as installed (a dynamic or SCM version as the backend computed it). */
  version: string;
  /** `Requires-Dist`, as written (markers included). */
  requires: string[];
  /** `Requires-Python`, when given. */
  requiresPython?: string;
  /** `Provides-Extra`. */
  extras: string[];
  /** True when installed editable (PEP 610). */
  editable: boolean;
  /** The local directory it was installed from, when any. */
  source?: string;
}

/** How importing one module went. */
export interface ImportOutcome {
  /** The dotted name imported. */
  name: string;
  /** Null when it imported. */
  error: null | {
    /** The exception's last line, such as `ModuleNotFoundError: No module named 'attrs'`. */
    text: string;
    /** For ModuleNotFoundError: the module that was not found. */
    missing?: string;
  };
  /**
   * For a namespace package with nothing of the sibling's in it: true (its
   * portions, `paths`, all lie outside the sibling's directory).
   */
  emptyNamespace?: boolean;
  /** The namespace package's portions, when `emptyNamespace`. */
  paths?: string[];
}

/** What the probe found. */
export interface ProbeResult {
  /** The interpreter's version (`3.11.7`). */
  python: string;
  /** PEP 508 marker variables of the venv's interpreter. */
  env: MarkerEnv;
  /** By PEP 503 normalized name; the first found on sys.path wins, as for importlib. */
  dists: Map<string, ProbedDist>;
  /** By sibling: each module imported, namespace packages expanded, in order. */
  imports: Record<string, ImportOutcome[]>;
}

/** What to import: by sibling, its top-level names and its directory. */
export type ImportRequest = Record<string, { names: readonly string[]; path: string }>;

const SCRIPT = String.raw`
import importlib, json, os, platform, sys, traceback
from importlib import metadata
todo = json.loads(sys.stdin.read() or "{}")
iv = sys.implementation.version
impl = "%d.%d.%d" % (iv.major, iv.minor, iv.micro)
if iv.releaselevel != "final":
    impl += iv.releaselevel[0] + str(iv.serial)
env = {
    "implementation_name": sys.implementation.name,
    "implementation_version": impl,
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
dists = []
for d in metadata.distributions():
    m = d.metadata
    name = m["Name"]
    if not name:
        continue
    info = {
        "name": name,
        "version": d.version,
        "requires": m.get_all("Requires-Dist") or [],
        "requires_python": m["Requires-Python"],
        "extras": m.get_all("Provides-Extra") or [],
        "editable": False,
        "url": None,
    }
    try:
        text = d.read_text("direct_url.json")
        if text:
            du = json.loads(text)
            info["url"] = du.get("url")
            info["editable"] = bool(du.get("dir_info", {}).get("editable"))
    except Exception:
        pass
    dists.append(info)

def attempt(name):
    try:
        return importlib.import_module(name), None
    except BaseException as e:
        lines = traceback.format_exception_only(type(e), e)
        err = {"text": (lines[-1] if lines else repr(e)).strip()}
        if isinstance(e, ModuleNotFoundError) and e.name:
            err["missing"] = e.name
        return None, err

def inside(path, root):
    try:
        return os.path.commonpath([os.path.realpath(path), root]) == root
    except ValueError:
        return False

def children(dirs, prefix):
    names = set()
    for d in dirs:
        try:
            entries = os.listdir(d)
        except OSError:
            continue
        for e in entries:
            full = os.path.join(d, e)
            if e.endswith(".py") and e[:-3].isidentifier() and e != "__init__.py":
                names.add(prefix + e[:-3])
            elif e.isidentifier() and e != "__pycache__" and os.path.isdir(full):
                names.add(prefix + e)
    return sorted(names)

def check(name, root, depth, out):
    mod, err = attempt(name)
    if err is not None:
        out.append({"name": name, "error": err})
        return
    path = getattr(mod, "__path__", None)
    if getattr(mod, "__file__", None) is not None or path is None:
        out.append({"name": name, "error": None})
        return
    portions = list(path)
    mine = [p for p in portions if inside(p, root)]
    subs = children(mine, name + ".") if depth > 0 else []
    if not subs:
        out.append({"name": name, "error": None, "emptyNamespace": not mine, "paths": portions})
        return
    for sub in subs:
        check(sub, root, depth - 1, out)

imports = {}
for sibling, job in todo.items():
    out = imports.setdefault(sibling, [])
    root = os.path.realpath(job["path"])
    for name in job["names"]:
        check(name, root, 3, out)
print(json.dumps({"python": env["python_full_version"], "env": env, "dists": dists, "imports": imports}))
`;

/**
 * Ask the venv's `python` what it holds and import each sibling's
 * modules, in one process. A namespace package is expanded into the
 * subpackages and modules found in its portions inside the sibling's
 * directory (three levels down at most).
 *
 * @throws {WrknvError} when the interpreter fails or prints no report
 */
export async function probeVenv(
  python: string,
  imports: ImportRequest,
  options: { signal?: AbortSignal; timeoutMs?: number; cwd?: string } = {},
): Promise<ProbeResult> {
  const r = await run([python, "-I", "-c", SCRIPT], {
    stdin: { data: JSON.stringify(imports) },
    cwd: options.cwd,
    timeoutMs: options.timeoutMs ?? 300_000,
    signal: options.signal,
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  let doc: {
    python: string;
    env: Record<string, string>;
    dists: {
      name: string;
      version: string;
      requires: string[];
      requires_python: string | null;
      extras: string[];
      editable: boolean;
      url: string | null;
    }[];
    imports: Record<string, ImportOutcome[]>;
  };
  try {
    doc = JSON.parse(last);
  } catch {
    throw new WrknvError(
      `could not inspect the venv with ${python}: ${
        lastLine(r.stderr) || `exit code ${r.code}, no report`
      }`,
    );
  }
  const dists = new Map<string, ProbedDist>();
  for (const d of doc.dists) {
    const normalized = normalizeName(d.name);
    if (dists.has(normalized)) continue;
    let source: string | undefined;
    if (d.url?.startsWith("file://")) {
      try {
        source = fileURLToPath(d.url);
      } catch {
        source = undefined;
      }
    }
    dists.set(normalized, {
      name: d.name,
      normalized,
      version: d.version,
      requires: d.requires,
      ...(d.requires_python ? { requiresPython: d.requires_python } : {}),
      extras: d.extras,
      editable: d.editable,
      ...(source !== undefined ? { source } : {}),
    });
  }
  return { python: doc.python, env: doc.env, dists, imports: doc.imports };
}
