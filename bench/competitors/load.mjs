// Imports resolved from this folder, where the benchmark competitors are installed.
export function load(specifier) {
  return import(specifier);
}
