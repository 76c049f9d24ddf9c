/**
 * Injected faults for reliability tests: error statuses (with Retry-After), latency, connection
 * resets and watches cut after a number of events, matched against incoming requests.
 */

/**
 * A request as the server received it (the Authorization header is redacted).
 *
 * @example
 * const lists = server.requests.filter((r: RecordedRequest) => r.verb === "list");
 */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /**
   * The request body as text: undefined when there was none or the request failed authentication
   * (its body is not read); cut at the server's `maxRecordedBodyBytes`.
   */
  body: string | undefined;
  /** The body's full size in bytes, when `body` was cut. */
  bodyBytes?: number;
  /** Resource request facts, when the path addresses a resource. */
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The authenticated user, when authentication succeeded. */
  user?: string;
  /** The response status (set when the response was written). */
  status?: number;
}

/**
 * Which requests a fault applies to (every given property must match).
 *
 * @example
 * const match: FaultMatch = { verb: "watch", resource: "pods", namespace: "default" };
 */
export interface FaultMatch {
  method?: string;
  /** An exact path, a path prefix ending in `*`, or a RegExp tested against the path. */
  path?: string | RegExp;
  verb?: string;
  /** The resource plural (`pods`). */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  group?: string;
  /** Only watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
}

/**
 * A fault to inject.
 *
 * @example
 * const fault: FaultSpec = { match: { method: "POST" }, status: 503, retryAfter: 1, times: 3 };
 */
export interface FaultSpec {
  match?: FaultMatch | ((request: RecordedRequest) => boolean);
  /** Answer with this HTTP status and a matching `Status` body. */
  status?: number;
  /** The `Status` message (default: the apiserver's text for the status). */
  message?: string;
  /** Seconds for the `Retry-After` header and `details.retryAfterSeconds`. */
  retryAfter?: number;
  /** How many requests the fault applies to (default: every matching request). */
  times?: number;
  /** Delay before the request is handled (or failed). */
  latencyMs?: number;
  /** Destroy the connection without answering. */
  resetConnection?: boolean;
  /** For watches: close the connection abruptly after this many events. */
  cutWatchAfterEvents?: number;
}

/**
 * An injected fault.
 *
 * @example
 * const fault: Fault = server.faults.inject({ latencyMs: 200 });
 * fault.remove();
 */
export interface Fault {
  readonly spec: FaultSpec;
  /** How many requests it has been applied to. */
  readonly hits: number;
  /** Remove it. */
  remove(): void;
}

/**
 * The injected faults of a server.
 *
 * @example
 * server.faults.clear();
 */
export interface Faults {
  /**
   * Inject a fault; returns a handle to inspect or remove it.
   *
   * @example
   * server.faults.inject({ match: { verb: "list", resource: "pods" }, status: 429, retryAfter: 1, times: 2 });
   */
  inject(spec: FaultSpec): Fault;
  /** Remove every fault. */
  clear(): void;
}

class FaultEntry implements Fault {
  hits = 0;
  constructor(
    readonly spec: FaultSpec,
    private readonly owner: FaultSet,
  ) {}
  remove(): void {
    this.owner.delete(this);
  }
  exhausted(): boolean {
    return this.spec.times !== undefined && this.hits >= this.spec.times;
  }
}

function matches(m: FaultSpec["match"], r: RecordedRequest): boolean {
  if (m === undefined) return true;
  if (typeof m === "function") return m(r);
  if (m.method !== undefined && m.method.toUpperCase() !== r.method) return false;
  if (m.path !== undefined) {
    if (m.path instanceof RegExp) {
      if (!m.path.test(r.path)) return false;
    } else if (m.path.endsWith("*")) {
      if (!r.path.startsWith(m.path.slice(0, -1))) return false;
    } else if (m.path !== r.path) return false;
  }
  if (m.verb !== undefined && m.verb !== r.verb) return false;
  if (m.resource !== undefined && m.resource !== r.resource) return false;
  if (m.subresource !== undefined && m.subresource !== r.subresource) return false;
  if (m.namespace !== undefined && m.namespace !== r.namespace) return false;
  if (m.name !== undefined && m.name !== r.name) return false;
  if (m.group !== undefined && m.group !== r.group) return false;
  if (m.watch !== undefined && m.watch !== (r.verb === "watch")) return false;
  return true;
}

/** The fault table; the first live fault that matches a request applies to it. */
export class FaultSet implements Faults {
  private readonly entries: FaultEntry[] = [];

  inject(spec: FaultSpec): Fault {
    if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)) {
      throw new RangeError(`fault status must be an HTTP status code, got ${spec.status}`);
    }
    const e = new FaultEntry({ ...spec }, this);
    this.entries.push(e);
    return e;
  }

  clear(): void {
    this.entries.length = 0;
  }

  delete(e: FaultEntry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
  }

  /** The fault for a request (counting the hit), if any. */
  take(r: RecordedRequest): FaultSpec | undefined {
    for (const e of this.entries) {
      if (e.exhausted() || !matches(e.spec.match, r)) continue;
      e.hits++;
      return e.spec;
    }
    return undefined;
  }
}

const REASONS: Record<number, [string, string]> = {
  400: ["BadRequest", "the server rejected our request for an unknown reason"],
  401: ["Unauthorized", "Unauthorized"],
  403: ["Forbidden", "forbidden"],
  404: ["NotFound", "the server could not find the requested resource"],
  409: ["Conflict", "the server reported a conflict"],
  410: ["Expired", "the resource version is too old"],
  429: ["TooManyRequests", "Too many requests, please try again later."],
  500: ["InternalError", "an error on the server (\"\") has prevented the request from succeeding"],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  504: ["Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"],
};

/** The Status body of an injected error. */
export function faultStatus(spec: FaultSpec): Record<string, unknown> {
  const code = spec.status!;
  const [reason, text] = REASONS[code] ?? ["", `HTTP ${code}`];
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: spec.message ?? text,
    ...(reason ? { reason } : {}),
    details: spec.retryAfter !== undefined ? { retryAfterSeconds: spec.retryAfter } : {},
    code,
  };
}
