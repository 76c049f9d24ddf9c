/**
 * An HTTPS proxy in front of a local API server that breaks things the way networks and busy API
 * servers do: latency, connection resets, 429 with Retry-After, 500/503 bursts, 410 Gone on watches
 * (as an HTTP status and as an in-stream ERROR event), expired continue tokens, watches cut
 * mid-stream (at an event boundary or in the middle of a line), and black-holed watches (headers,
 * then silence on an open connection). Faults are drawn from a seeded generator, so a failing run
 * can be replayed.
 */
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { CertificateAuthority } from "../../../src/testing/certificates.js";

/** Fault probabilities (per request unless said otherwise). */
export interface FaultRates {
  /** Added latency: each request waits a random time up to this (ms). */
  latencyMs?: number;
  /** Destroy the connection without answering. */
  reset?: number;
  /** Answer 429 with Retry-After (0 or 1 s). */
  tooManyRequests?: number;
  /** Start a burst of 500/503 answers (1–4 requests long). */
  errorBurst?: number;
  /** The statuses of error bursts (default 500 and 503). */
  errorCodes?: number[];
  /** Watches with a resourceVersion: answer HTTP 410 Gone. */
  watchGone?: number;
  /** Watches: send an in-stream ERROR 410 event after a few events and end the stream. */
  watchGoneInStream?: number;
  /** Watches: cut the connection after a few events (sometimes in the middle of a line). */
  watchCut?: number;
  /** Lists with a continue token: answer 410 Expired. */
  continueExpired?: number;
  /** Watches: send the headers, then nothing, on a connection left open. */
  watchBlackhole?: number;
}

/** A fault applied for sure to the next request it fits. */
export type ScriptedFault = "reset" | "tooManyRequests" | "error" | "watchGone" | "watchGoneInStream" | "watchCut" | "continueExpired";

interface Plan {
  after: number;
  afterMs: number;
  how: "cut" | "gone" | "cut-mid-line";
}

export interface FaultCounts {
  requests: number;
  latency: number;
  reset: number;
  tooManyRequests: number;
  errors: number;
  watchGone: number;
  watchGoneInStream: number;
  watchCut: number;
  continueExpired: number;
  watchBlackhole: number;
}

function status(code: number, reason: string, message: string, retryAfterSeconds?: number): string {
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    details: retryAfterSeconds !== undefined ? { retryAfterSeconds } : {},
    code,
  });
}

export class FaultProxy {
  url = "";
  readonly ca: string;
  rates: FaultRates = {};
  /** Faults applied, in order, to the next requests they fit, before any random one. */
  script: ScriptedFault[] = [];
  readonly counts: FaultCounts = { requests: 0, latency: 0, reset: 0, tooManyRequests: 0, errors: 0, watchGone: 0, watchGoneInStream: 0, watchCut: 0, continueExpired: 0, watchBlackhole: 0 };
  readonly #server: https.Server;
  readonly #upstream: URL;
  readonly #agent: https.Agent;
  readonly #sockets = new Set<Socket>();
  #seed: number;
  #burst = 0;

  constructor(target: string, targetCa: string, seed = 1) {
    const ca = new CertificateAuthority("fault-proxy-ca");
    this.ca = ca.cert;
    const serving = ca.serving(["localhost"], ["127.0.0.1"]);
    this.#upstream = new URL(target);
    this.#agent = new https.Agent({ keepAlive: true, ca: targetCa, maxSockets: 64 });
    this.#seed = seed;
    this.#server = https.createServer({ cert: serving.cert, key: serving.key }, (req, res) => void this.#handle(req, res));
    this.#server.on("secureConnection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", () => resolve()));
    this.url = `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Cut every open connection (watches included). */
  cutAll(): void {
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#agent.destroy();
  }

  #random(): number {
    // mulberry32
    let t = (this.#seed = (this.#seed + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  #chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.#random() < p;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.requests++;
    const url = new URL(req.url ?? "/", "https://proxy");
    const isWatch = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
    const rv = url.searchParams.get("resourceVersion");
    const fits = (f: ScriptedFault): boolean =>
      f === "watchGone" ? isWatch && !!rv && rv !== "0" : f === "watchGoneInStream" || f === "watchCut" ? isWatch : f === "continueExpired" ? !isWatch && !!url.searchParams.get("continue") : true;
    const at = this.script.findIndex(fits);
    const scripted = at >= 0 ? this.script.splice(at, 1)[0] : undefined;
    const r: FaultRates = scripted
      ? {
          reset: scripted === "reset" ? 1 : 0,
          tooManyRequests: scripted === "tooManyRequests" ? 1 : 0,
          errorBurst: scripted === "error" ? 1 : 0,
          watchGone: scripted === "watchGone" ? 1 : 0,
          watchGoneInStream: scripted === "watchGoneInStream" ? 1 : 0,
          watchCut: scripted === "watchCut" ? 1 : 0,
          continueExpired: scripted === "continueExpired" ? 1 : 0,
        }
      : this.rates;
    if (this.rates.latencyMs) {
      this.counts.latency++;
      await new Promise((resolve) => setTimeout(resolve, this.#random() * this.rates.latencyMs!));
    }
    if (this.#chance(r.reset)) {
      this.counts.reset++;
      req.socket.destroy();
      return;
    }
    if ((this.#burst > 0 && !scripted) || this.#chance(r.errorBurst)) {
      if (this.#burst === 0) this.#burst = scripted ? 1 : 1 + Math.floor(this.#random() * 4);
      this.#burst--;
      this.counts.errors++;
      const codes = this.rates.errorCodes ?? [500, 503];
      const code = codes[Math.floor(this.#random() * codes.length)]!;
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(status(code, code === 500 ? "InternalError" : "ServiceUnavailable", "injected by the fault proxy"));
      return;
    }
    if (this.#chance(r.tooManyRequests)) {
      this.counts.tooManyRequests++;
      const after = this.#random() < 0.5 ? 0 : 1;
      res.writeHead(429, { "Content-Type": "application/json", "Retry-After": String(after) });
      res.end(status(429, "TooManyRequests", "Too many requests, please try again later.", after));
      return;
    }
    if (!isWatch && url.searchParams.get("continue") && this.#chance(r.continueExpired)) {
      this.counts.continueExpired++;
      res.writeHead(410, { "Content-Type": "application/json" });
      res.end(status(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."));
      return;
    }
    if (isWatch && rv && rv !== "0" && this.#chance(r.watchGone)) {
      this.counts.watchGone++;
      res.writeHead(410, { "Content-Type": "application/json" });
      res.end(status(410, "Expired", `too old resource version: ${rv} (${Number(rv) + 1})`));
      return;
    }
    if (isWatch && this.#chance(r.watchBlackhole)) {
      this.counts.watchBlackhole++;
      res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
      res.flushHeaders();
      return; // never another byte; the connection stays open
    }
    let plan: Plan | undefined;
    // A broken watch breaks after a few events or a little while, whichever comes first.
    const after = Math.floor(this.#random() * 200);
    const afterMs = 50 + Math.floor(this.#random() * 1000);
    if (isWatch && this.#chance(r.watchGoneInStream)) plan = { after, afterMs, how: "gone" };
    else if (isWatch && this.#chance(r.watchCut)) plan = { after, afterMs, how: this.#random() < 0.5 ? "cut" : "cut-mid-line" };
    this.#forward(req, res, plan);
  }

  #forward(req: IncomingMessage, res: ServerResponse, plan: Plan | undefined): void {
    const headers = { ...req.headers, host: this.#upstream.host };
    const up = https.request(
      { protocol: "https:", hostname: this.#upstream.hostname, port: this.#upstream.port, method: req.method, path: req.url, headers, agent: this.#agent },
      (upRes) => {
        const outHeaders = { ...upRes.headers };
        delete outHeaders.connection;
        delete outHeaders["keep-alive"];
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        if (!plan || (upRes.statusCode ?? 0) >= 300) {
          upRes.pipe(res);
          return;
        }
        let lines = 0;
        let pending = "";
        let broken = false;
        const breakNow = (line: string): void => {
          if (broken) return;
          broken = true;
          clearTimeout(timer);
          if (plan.how === "gone") {
            this.counts.watchGoneInStream++;
            res.end(`{"type":"ERROR","object":${status(410, "Expired", "too old resource version: 1 (2)")}}\n`);
          } else {
            this.counts.watchCut++;
            if (plan.how === "cut-mid-line" && line) res.write(line.slice(0, Math.max(1, line.length >> 1)));
            res.socket?.destroy();
          }
          upRes.destroy();
        };
        const timer = setTimeout(() => breakNow(""), plan.afterMs);
        upRes.setEncoding("utf8");
        upRes.on("data", (chunk: string) => {
          if (res.destroyed || broken) return;
          pending += chunk;
          let nl = pending.indexOf("\n");
          while (nl >= 0) {
            const line = pending.slice(0, nl + 1);
            pending = pending.slice(nl + 1);
            if (lines === plan.after) return breakNow(line);
            res.write(line);
            lines++;
            nl = pending.indexOf("\n");
          }
        });
        upRes.on("end", () => {
          clearTimeout(timer);
          if (!broken) res.end(pending);
        });
        upRes.on("error", () => res.destroy());
      },
    );
    up.on("error", () => {
      if (!res.headersSent) {
        res.writeHead(502, { "Content-Type": "application/json" });
        res.end(status(502, "", "the fault proxy could not reach the server"));
      } else res.destroy();
    });
    res.on("close", () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }
}
