/**
 * The local API server in a process of its own (so it does not weigh on the measured client):
 * sends `{ url, ca, token }` to its parent, and serves until killed.
 */
import { startTestServer } from "kubezod/testing";

const server = await startTestServer({ bookmarkIntervalMs: 60_000 });
process.send?.({ url: server.url, ca: server.caCertificate, token: server.kubeconfig.users[0]!.user.token });
