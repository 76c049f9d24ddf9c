/**
 * Telling whether inputs hold admission policy bindings (then the policies apply to them), cheaply:
 * the bytes of each regular file are searched in chunks, not parsed. FIFOs and devices are not
 * opened here: reading one would consume what the run itself must read, or never end.
 */
import { statSync } from "node:fs";
import { isRecord } from "../meta/values.js";
import { expandPaths, scanManifestFileSync } from "./sources.js";

const BINDING = { any: ["AdmissionPolicyBinding"], all: [] };

/** `{ path }`. @example isPathInput({ path: "k8s/" }); // true */
export function isPathInput(i: unknown): i is { path: string } {
  return isRecord(i) && typeof i.path === "string" && Object.keys(i).length === 1;
}

/** `{ text, file? }`. @example isTextInput({ text: "kind: Pod" }); // true */
export function isTextInput(i: unknown): i is { text: string; file?: string } {
  return isRecord(i) && typeof i.text === "string" && !("apiVersion" in i);
}

/**
 * Whether inputs (as `validateManifests` takes them: strings are manifest text) hold an admission
 * policy binding.
 *
 * @example
 * inputsHoldPolicyBindings([{ path: "k8s/" }], 32 << 20); // true when a binding is there
 */
export function inputsHoldPolicyBindings(input: readonly unknown[], maxFileSize: number): boolean {
  for (const i of input) {
    if (isPathInput(i)) {
      for (const e of expandPaths([i.path])) {
        if ("error" in e || e.file === "-") continue;
        // Unreadable, oversized and non-regular files are reported by the run itself. A FIFO is not
        // even opened: opening it as a reader would let its writer go on into an unread pipe.
        if (!isRegularFile(e.file)) continue;
        const scan = scanManifestFileSync(e.file, maxFileSize, BINDING);
        if ("found" in scan && scan.found) return true;
      }
    } else if (typeof i === "string") {
      if (i.includes("AdmissionPolicyBinding")) return true;
    } else if (isTextInput(i)) {
      if (i.text.includes("AdmissionPolicyBinding")) return true;
    } else if (isRecord(i) && typeof i.kind === "string" && i.kind.endsWith("AdmissionPolicyBinding")) return true;
  }
  return false;
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
