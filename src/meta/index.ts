/**
 * Schema annotations and schema-tree utilities: pure, no I/O.
 */
export * from "./registry.js";
export * from "./walk.js";
export * from "./lookup.js";
export * from "./define.js";
export * from "./compile.js";
export * from "./build.js";
export * from "./names.js";
export * from "./field-errors.js";
export * from "./object-meta.js";
export * from "./structure.js";
