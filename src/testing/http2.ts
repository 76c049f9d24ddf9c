/**
 * The local server's TLS front: HTTP/2 for clients that offer it (ALPN `h2`), HTTP/1.1 for the
 * others — kubectl's upgrades for exec and attach, WebSockets, older clients — on one port, as
 * kube-apiserver serves both.
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import type { SecureServerOptions } from "node:http2";

/**
 * Headers that belong to an HTTP/1.1 connection and are forbidden in HTTP/2 (RFC 9113 §8.2.2);
 * handlers written for HTTP/1.1 set some of them (`Transfer-Encoding: chunked` on watches).
 */
const CONNECTION_HEADERS = new Set(["connection", "transfer-encoding", "keep-alive", "proxy-connection", "upgrade"]);

type Headers = http.OutgoingHttpHeaders | http.OutgoingHttpHeader[] | undefined;

function withoutConnectionHeaders(headers: Headers): Headers {
  if (!headers || Array.isArray(headers)) return headers;
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!CONNECTION_HEADERS.has(k.toLowerCase())) out[k] = v;
  return out;
}

/** Let an HTTP/1.1 handler answer an HTTP/2 request: connection-specific headers are dropped. */
function adapt(res: http2.Http2ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, a?: unknown, b?: unknown) => http2.Http2ServerResponse;
  const setHeader = res.setHeader.bind(res);
  Object.assign(res, {
    writeHead(status: number, a?: string | Headers, b?: Headers) {
      return typeof a === "string" ? writeHead(status, a, withoutConnectionHeaders(b)) : writeHead(status, withoutConnectionHeaders(a));
    },
    setHeader(name: string, value: number | string | readonly string[]) {
      return CONNECTION_HEADERS.has(name.toLowerCase()) ? res : setHeader(name, value);
    },
  });
}

/**
 * An HTTPS server speaking HTTP/2 and HTTP/1.1 (node's `http2.createSecureServer` with
 * `allowHTTP1`), calling an HTTP/1.1-style handler for both. It emits `upgrade`,
 * `connection`/`secureConnection` and `clientError` as an HTTPS server does; it is typed as the
 * `http.Server` its callers already use (it has no `closeAllConnections`: close its sockets).
 */
export function createDualProtocolServer(options: SecureServerOptions, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): http.Server {
  const server = http2.createSecureServer({ ...options, allowHTTP1: true }, (req, res) => {
    if (req.httpVersionMajor === 2) adapt(res);
    handler(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse);
  });
  return server as unknown as http.Server;
}
