/**
 * Telling whether inputs hold admission policy bindings (then the policies apply to them), cheaply:
 * the bytes of each regular file are searched in chunks, not parsed. FIFOs and devices are not
 * opened here: reading one would consume what the run itself must read, or never end.
 */
import { statSync } from "node:fs";
import { isRecord } from "../meta/values.js";
import { expandPaths, scanManifestFileSetsSync, type ScanNeedles } from "./sources.js";

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
  return scanInputs(input, maxFileSize).bindings;
}

/** What a file's scan found for a second set of needles: its size, and whether they were found. */
export interface FileScan {
  size: number;
  found: boolean;
}

/**
 * {@link inputsHoldPolicyBindings}, looking through each regular file for `also` in the same
 * reading: what was found for it, by file (files not looked through, or whose reading failed, are
 * not there), for the run to take instead of reading the file again. When a binding is found the
 * search stops there.
 *
 * @example
 * const { bindings, scans } = scanInputs([{ path: "k8s/" }], 32 << 20, { any: ["CustomResourceDefinition"], all: [] });
 */
export function scanInputs(input: readonly unknown[], maxFileSize: number, also?: ScanNeedles): { bindings: boolean; scans: Map<string, FileScan> } {
  const scans = new Map<string, FileScan>();
  const sets = also ? [BINDING, also] : [BINDING];
  for (const i of input) {
    if (isPathInput(i)) {
      for (const e of expandPaths([i.path])) {
        if ("error" in e || e.file === "-") continue;
        // Unreadable, oversized and non-regular files are reported by the run itself. A FIFO is not
        // even opened: opening it as a reader would let its writer go on into an unread pipe.
        if (!isRegularFile(e.file)) continue;
        const scan = scanManifestFileSetsSync(e.file, maxFileSize, sets);
        if (!("found" in scan)) continue;
        if (scan.found[0]) return { bindings: true, scans };
        if (also) scans.set(e.file, { size: scan.size, found: scan.found[1]! });
      }
    } else if (typeof i === "string") {
      if (i.includes("AdmissionPolicyBinding")) return { bindings: true, scans };
    } else if (isTextInput(i)) {
      if (i.text.includes("AdmissionPolicyBinding")) return { bindings: true, scans };
    } else if (isRecord(i) && typeof i.kind === "string" && i.kind.endsWith("AdmissionPolicyBinding")) return { bindings: true, scans };
  }
  return { bindings: false, scans };
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
