/**
 * Python packaging standards in one import: PEP 503 names, PEP 440 versions
 * and specifiers (`pep440.ts`), PEP 508 requirements and markers
 * (`pep508.ts`), what a pyproject.toml declares (`pyproject.ts`), and import
 * names found from a project's layout (`imports.ts`, the one part that reads
 * the disk).
 *
 * @module
 */
export {
  type Clause,
  compareVersions,
  parseSpecifierSet,
  parseVersion,
  satisfies,
  strictest,
  type Version,
} from "./pep440.ts";
export {
  evaluateMarker,
  formatRequirement,
  type Marker,
  type MarkerEnv,
  type MarkerValue,
  normalizeName,
  parseMarker,
  parseRequirement,
  type Requirement,
} from "./pep508.ts";
export { type Pyproject, PyprojectError, readPyproject } from "./pyproject.ts";
export {
  type DiscoveredImports,
  discoverImportNames,
  discoverImports,
  type ImportHints,
  importHints,
} from "./imports.ts";
