/**
 * Content negotiation as kube-apiserver's `negotiation` package does it: the `Accept` header's media
 * ranges in order of preference (`q` weights, then position), the first one the server can produce
 * wins. Objects are served as JSON or, for kinds with a protobuf message, as protobuf.
 */

/** What a response is encoded as. */
export type OutputFormat = "json" | "protobuf";

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
  index: number;
}

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  accept.split(",").forEach((clause, index) => {
    const [type, ...rest] = clause.split(";").map((p) => p.trim());
    if (!type) return;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    const q = params.q === undefined ? 1 : Number(params.q);
    out.push({ type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0, index });
  });
  return out.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
}

/**
 * The format of an object response: the client's first acceptable choice among JSON and (when the
 * object has a message) protobuf. Ranges that ask for a transformed object (`as=Table`) are left to
 * their own handling; with no usable range, JSON.
 */
export function outputFormat(accept: string | undefined, protobufAvailable: boolean): OutputFormat {
  if (!accept) return "json";
  for (const r of parseAccept(accept)) {
    if (r.params.as !== undefined) continue;
    if (r.type === "application/vnd.kubernetes.protobuf") {
      if (protobufAvailable) return "protobuf";
      continue;
    }
    if (r.type === "application/json" || r.type === "application/*" || r.type === "*/*") return "json";
  }
  return "json";
}

/** Whether a watch asks for protobuf frames (`application/vnd.kubernetes.protobuf[;stream=watch]` first). */
export function watchFormat(accept: string | undefined, protobufAvailable: boolean): OutputFormat {
  return outputFormat(accept, protobufAvailable);
}
