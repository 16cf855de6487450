/**
 * The demo workspace, embedded as data (not files read relative to
 * import.meta.url) so that it works inside a compiled binary: four small
 * Python packages in three layers.
 *
 * @module
 */

/** One demo package: its repository's files. */
export interface DemoPackage {
  /** Sibling and project name. */
  name: string;
  /** Its layer. */
  layer: string;
  /** Files, by path. */
  files: Record<string, string>;
}

const pyproject = (name: string, deps: string[], extras: Record<string, string[]> = {}) =>
  `[build-system]
requires = ["setuptools>=61", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "${name}"
version = "0.1.0"
description = "Part of the wrknv demo workspace"
requires-python = ">=3.8"
dependencies = [${deps.map((d) => `"${d}"`).join(", ")}]
${
    Object.keys(extras).length
      ? `\n[project.optional-dependencies]\n${
        Object.entries(extras).map(([k, v]) => `${k} = [${v.map((d) => `"${d}"`).join(", ")}]`)
          .join("\n")
      }\n`
      : ""
  }
[tool.setuptools.packages.find]
where = ["src"]
`;

const GITIGNORE = "__pycache__/\n*.egg-info/\nbuild/\n";

/** The layers, bottom-up. */
export const DEMO_LAYERS = ["foundation", "framework", "apps"];

/** The four packages. */
export const DEMO_PACKAGES: DemoPackage[] = [
  {
    name: "demo-core",
    layer: "foundation",
    files: {
      "pyproject.toml": pyproject("demo-core", []),
      "README.md": "# demo-core\n\nThe foundation: a greeting.\n",
      ".gitignore": GITIGNORE,
      "src/demo_core/__init__.py": 'def greet(name: str) -> str:\n    return f"hello, {name}"\n',
    },
  },
  {
    name: "demo-log",
    layer: "foundation",
    files: {
      "pyproject.toml": pyproject("demo-log", []),
      "README.md": "# demo-log\n\nThe foundation: a logger.\n",
      ".gitignore": GITIGNORE,
      "src/demo_log/__init__.py": 'def log(message: str) -> str:\n    return f"[demo] {message}"\n',
    },
  },
  {
    name: "demo-framework",
    layer: "framework",
    files: {
      "pyproject.toml": pyproject("demo-framework", ["Demo_Core>=0.1", "demo-log"], { dev: [] }),
      "README.md": "# demo-framework\n\nBuilt on demo-core and demo-log.\n",
      ".gitignore": GITIGNORE,
      "src/demo_framework/__init__.py":
        "from demo_core import greet\nfrom demo_log import log\n\n\ndef hello(name: str) -> str:\n    return log(greet(name))\n",
    },
  },
  {
    name: "demo-app",
    layer: "apps",
    files: {
      "pyproject.toml": pyproject("demo-app", ["demo-framework"]),
      "README.md": "# demo-app\n\nThe top: uses the framework.\n",
      ".gitignore": GITIGNORE,
      "src/demo_app/__init__.py":
        'from demo_framework import hello\n\n\ndef main() -> None:\n    print(hello("wrknv"))\n',
    },
  },
];
