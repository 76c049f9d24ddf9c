/**
 * A TCP forwarder that can cut a client off the server: `block()` destroys its connections and
 * swallows new ones (a network partition: connects succeed, nothing ever answers).
 */
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export class TcpGate {
  port = 0;
  /** Connections accepted so far. */
  connections = 0;
  #blocked = false;
  readonly #sockets = new Set<net.Socket>();
  readonly #server: net.Server;

  constructor(private readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => {
      this.connections++;
      this.#sockets.add(client);
      client.on("close", () => this.#sockets.delete(client));
      client.on("error", () => undefined);
      if (this.#blocked) return; // held open, never answered
      const upstream = net.connect(this.target.port, this.target.host);
      this.#sockets.add(upstream);
      upstream.on("close", () => this.#sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static forUrl(url: string): TcpGate {
    const u = new URL(url);
    return new TcpGate({ host: u.hostname, port: Number(u.port) });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", () => resolve()));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  block(): void {
    this.#blocked = true;
    for (const s of this.#sockets) s.destroy();
  }

  unblock(): void {
    this.#blocked = false;
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
