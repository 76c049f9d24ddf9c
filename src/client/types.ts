/**
 * Option and result types of the typed client, named after Kubernetes' own options.
 */
import type * as z from "zod";
import type { ApiErrorByStatus } from "../errors.js";
import type { KubeApiError, Status } from "../errors.js";
import type { LogOptions } from "../transport/log.js";
import type { RetryOptions } from "../transport/retry.js";
import type { ReturnErrors } from "../transport/transport.js";
import type { FieldSelectorInput, LabelSelectorInput } from "./selectors.js";
import type { AnyPath } from "../patch/paths.js";
import type { PatchType } from "../meta/registry.js";

/**
 * How responses (and, with `reject`, request bodies) are checked against the schema: `reject`
 * throws `ValidationError` on a mismatch, `report` hands it to `onValidationIssue` and returns the
 * object as received, `off` does not check.
 */
export type ValidationMode = "reject" | "report" | "off";

/** Options every call takes. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Time limit of the call in ms: retries, waits and reading the body included. */
  timeoutMs?: number;
  /** Return (not throw) API errors with these HTTP statuses or of these classes (or all, with `true`). */
  returnErrors?: ReturnErrors;
  /** Retry settings for this call (merged over the client's), or `false`. */
  retry?: RetryOptions | false;
  /** Logging switches for this call. */
  log?: Omit<LogOptions, "logger">;
  /** Response validation for this call (default: the client's). */
  validate?: ValidationMode;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** Where an object lives: its namespace (default: the object's, else the context's). */
export interface NamespaceOption {
  namespace?: string;
}

/** Options of writes: `dryRun`, `fieldValidation`, `fieldManager`. */
export interface WriteOptions extends CallOptions, NamespaceOption {
  /** `true` or `"All"`: validate and admit but do not persist. */
  dryRun?: boolean | "All";
  /** How the server treats unknown or duplicate fields. */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  /** The field manager recorded for this write (default: the client's `fieldManager`). */
  fieldManager?: string;
}

/** Options of `get`. */
export interface GetOptions extends CallOptions, NamespaceOption {
  resourceVersion?: string;
  /** Read a subresource (`status`, `scale`) instead of the object. */
  subresource?: string;
}

/** Options of `list`, `listAll`, `watch` and `deleteCollection`. */
export interface ListOptions extends CallOptions, NamespaceOption {
  /** List across every namespace. */
  allNamespaces?: boolean;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "NotOlderThan" | "Exact";
  timeoutSeconds?: number;
}

/** Options of `watch`. */
export interface WatchOptions extends Omit<ListOptions, "limit" | "continue" | "returnErrors"> {
  /** Watch a single object. */
  name?: string;
  allowWatchBookmarks?: boolean;
  /** Begin with ADDED events for the current state, then a bookmark (`k8s.io/initial-events-end`). */
  sendInitialEvents?: boolean;
  /**
   * End the watch with `IdleTimeoutError` when nothing (no event, no bookmark) arrives for this
   * long, in ms: a connection that went quiet without closing. Default: `timeoutSeconds` plus a
   * minute when set, else 5 minutes; 0 for none.
   */
  idleTimeoutMs?: number;
}

/** A change to a watched object. BOOKMARK events carry only the resourceVersion reached. */
export type WatchEvent<T> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T }
  | { type: "BOOKMARK"; object: BookmarkObject };

/** The object of a BOOKMARK event. */
export interface BookmarkObject {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
}

/** A list response with typed items. */
export interface KubeList<T> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number; selfLink?: string };
  items: T[];
}

/** Deletion options (`DeleteOptions`). */
export interface DeleteOptions extends CallOptions, NamespaceOption {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean | "All";
}

/** Options of `deleteCollection`: which objects, and how to delete them. */
export type DeleteCollectionOptions = DeleteOptions & Omit<ListOptions, keyof CallOptions | "namespace">;

/** Options of `patch`. */
export interface PatchOptions extends WriteOptions {
  /** The patch type (default: strategic when the kind accepts it, else merge). */
  type?: PatchType;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** Patch a subresource (`status`, `scale`). */
  subresource?: string;
}

/** Options of `update` (diff-based patching). */
export interface UpdateOptions<T> extends WriteOptions {
  /** The object `modified` was built from; the diff is taken against it (default: the live object). */
  builtFromLatest?: T;
  /**
   * Only send changes under these paths: pickers (`(o) => o.spec.replicas`), `pathOf(…)` results,
   * JSON Pointers (`/spec/replicas`) or dotted paths (`spec.replicas`, `spec.containers[0].image`).
   * A path the schema does not have is a `UsageError`.
   */
  paths?: ReadonlyArray<AnyPath<T>>;
  /** Send the whole object with PUT instead of a patch. */
  force?: boolean;
  /** For kinds without strategic merge: no `test` guards on list operations. */
  ignoreListConflicts?: boolean;
  /** Update a subresource (`status`). */
  subresource?: string;
}

/** Options of server-side `apply`. */
export interface ApplyOptions extends WriteOptions {
  /** Take ownership of fields another manager owns. */
  force?: boolean;
  subresource?: string;
}

/** Options of `modify` (read, change, write, retry on conflict). */
export interface ModifyOptions extends WriteOptions {
  /** How many conflicts to retry (default 4: five attempts, 10 ms apart, as client-go's `retry.DefaultRetry`). */
  retries?: number;
}

/** Options of `logs`. */
export interface LogsOptions extends CallOptions, NamespaceOption {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  tailLines?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

/** Options of `exec`. */
export interface PodExecOptions extends Omit<CallOptions, "returnErrors" | "validate" | "retry">, NamespaceOption {
  container?: string;
  /** Sent to the process's standard input, which is then closed. */
  stdin?: string | Uint8Array;
  tty?: boolean;
}

/** The outcome of a command run with `exec`. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The process's exit code (0 on success). */
  exitCode: number;
  /** The `Status` the server sent on the error channel. */
  status: Status;
  /** The WebSocket subprotocol used (`v5.channel.k8s.io` or `v4.channel.k8s.io`). */
  protocol: string;
}

/** The result type of a call made with `returnErrors`: the value, or the listed errors (by status or class). */
export type Returned<T, O> = O extends { returnErrors: true }
  ? T | KubeApiError
  : O extends { returnErrors: readonly (infer S)[] }
    ? T | (S extends keyof ApiErrorByStatus ? ApiErrorByStatus[S] : S extends abstract new (...args: never[]) => infer E ? E : S extends number ? KubeApiError : never)
    : T;

/** The object type a schema parses to. */
export type Out<S extends z.ZodType> = z.output<S>;
