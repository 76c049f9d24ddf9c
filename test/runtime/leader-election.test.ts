/**
 * Leader election on a Lease of the local API server: three candidates; the leader is cut off the
 * network (it keeps running, as a partitioned process does) → it steps down by its own clock and
 * one other candidate takes over; at no moment do two candidates act as leader (a fencing log of
 * every action). Graceful shutdown releases the Lease.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lease } from "kubezod/k8s";
import { InvalidResponseError, KubeApiError, LeaderElection, ValidationError, connect, defineCluster, microTime, type Kube } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { connectVia, until } from "./support/helpers.js";
import { TcpGate } from "./support/tcp-gate.js";
import { hostileApi } from "./support/hostile-api.js";

let server: TestServer;
let kube: Kube;
beforeAll(async () => {
  server = await startTestServer();
  kube = await server.connect();
});
afterAll(async () => {
  await kube?.close();
  await server?.close();
});

const LEASE_MS = 2000;
const RENEW_MS = 1500;
const RETRY_MS = 250;
const MICROTIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

interface Candidate {
  id: string;
  election: LeaderElection;
  gate: TcpGate;
  client: Kube;
  running: Promise<void>;
  stop: AbortController;
  started: number[];
  stopped: number[];
}

/** Every action a leader took: who, and when (one clock for all candidates). */
type FenceLog = Array<{ id: string; at: number }>;

async function candidates(lease: string, log: FenceLog, releaseOnCancel = true): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const id of ["a", "b", "c"]) {
    const gate = await TcpGate.forUrl(server.url).listen();
    const client = await connectVia(server, gate.url, server.caCertificate!, { retry: false, timeoutMs: 1000 });
    const stop = new AbortController();
    const c: Candidate = { id, gate, client, stop, started: [], stopped: [], election: undefined as unknown as LeaderElection, running: Promise.resolve() };
    c.election = new LeaderElection(client, {
      name: lease,
      identity: id,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_MS,
      retryPeriodMs: RETRY_MS,
      releaseOnCancel,
      onStartedLeading: async (signal) => {
        c.started.push(performance.now());
        // Act while leading, checking leadership before every action (the fencing a controller does).
        while (!signal.aborted) {
          if (c.election.isLeader) log.push({ id, at: performance.now() });
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      onStoppedLeading: () => c.stopped.push(performance.now()),
    });
    c.running = c.election.run(stop.signal);
    out.push(c);
  }
  return out;
}

async function shutdown(cs: Candidate[]): Promise<void> {
  for (const c of cs) c.stop.abort();
  await Promise.all(cs.map((c) => c.running));
  for (const c of cs) {
    await c.client.close();
    await c.gate.close();
  }
}

/** The log never goes back to an earlier leader, and leaders never interleave. */
function fencingViolations(log: FenceLog): string[] {
  const problems: string[] = [];
  const done = new Set<string>();
  let current: string | undefined;
  for (const { id, at } of [...log].sort((x, y) => x.at - y.at)) {
    if (id === current) continue;
    if (done.has(id)) problems.push(`${id} acted again at ${at.toFixed(1)} after another leader`);
    if (current) done.add(current);
    current = id;
  }
  return problems;
}

describe("LeaderElection", () => {
  it("three candidates: one leads; cut off, it steps down by itself and exactly one other takes over in time; no two ever act at once", async () => {
    const log: FenceLog = [];
    const cs = await candidates("partition", log);
    await until(() => cs.filter((c) => c.election.isLeader).length === 1);
    const first = cs.find((c) => c.election.isLeader)!;
    await until(() => log.some((e) => e.id === first.id));
    const lease = (await kube.get(Lease, "partition")) as Lease;
    expect(lease.spec?.holderIdentity).toBe(first.id);
    expect(lease.spec?.leaseDurationSeconds).toBe(2);
    expect(lease.spec?.acquireTime).toMatch(MICROTIME);
    expect(lease.spec?.renewTime).toMatch(MICROTIME);

    const cutAt = performance.now();
    first.gate.block();
    await until(() => cs.some((c) => c !== first && c.started.length > 0), 15_000);
    const second = cs.find((c) => c !== first && c.started.length > 0)!;
    const takeover = second.started[0]! - cutAt;
    // The partitioned leader stopped by its own renew deadline before anyone else started.
    expect(first.stopped.length).toBe(1);
    expect(first.stopped[0]!).toBeLessThan(second.started[0]!);
    await until(() => log.some((e) => e.id === second.id));
    expect(fencingViolations(log)).toEqual([]);
    expect(cs.filter((c) => c.election.isLeader).map((c) => c.id)).toEqual([second.id]);
    // The others count the lease duration from when they saw the last renewal (each looks every
    // retry period, with client-go's 1.2 jitter) and try again right when it runs out; the rest is
    // scheduling slack for a loaded machine.
    expect(takeover).toBeLessThan(LEASE_MS + 2.2 * RETRY_MS + 1500);
    const after = (await kube.get(Lease, "partition")) as Lease;
    expect(after.spec?.holderIdentity).toBe(second.id);
    expect(after.spec?.leaseTransitions).toBe((lease.spec?.leaseTransitions ?? 0) + 1);

    // Back on the network, the old leader is a follower.
    first.gate.unblock();
    await new Promise((r) => setTimeout(r, 3 * RETRY_MS));
    expect(cs.filter((c) => c.election.isLeader).map((c) => c.id)).toEqual([second.id]);
    expect(first.election.leader).toBe(second.id);
    await shutdown(cs);
    expect(fencingViolations(log)).toEqual([]);
    console.log(`leader election: takeover ${Math.round(takeover)} ms after the cut (lease ${LEASE_MS} ms, retry ${RETRY_MS} ms)`);
  }, 30_000);

  it("a killed leader (gone without releasing) is replaced; a stopped leader releases the Lease and a successor takes it at once", async () => {
    const log: FenceLog = [];
    const cs = await candidates("killed", log, false);
    await until(() => cs.filter((c) => c.election.isLeader).length === 1);
    const first = cs.find((c) => c.election.isLeader)!;
    // Killed: its process ends without a word to the server.
    first.stop.abort();
    await first.running;
    await until(() => cs.some((c) => c !== first && c.election.isLeader), 15_000);
    expect(fencingViolations(log)).toEqual([]);
    await shutdown(cs);

    const graceful: FenceLog = [];
    const ds = await candidates("graceful", graceful, true);
    await until(() => ds.filter((c) => c.election.isLeader).length === 1);
    const leader = ds.find((c) => c.election.isLeader)!;
    leader.stop.abort();
    await leader.running;
    const released = (await kube.get(Lease, "graceful")) as Lease;
    expect(released.spec?.holderIdentity === "" || released.spec?.holderIdentity !== leader.id).toBe(true);
    const releasedAt = performance.now();
    await until(() => ds.some((c) => c !== leader && c.election.isLeader), 10_000);
    // Released: no waiting out the old lease (its duration was set to 1 s).
    expect(performance.now() - releasedAt).toBeLessThan(LEASE_MS);
    expect(fencingViolations(graceful)).toEqual([]);
    await shutdown(ds);
    const end = (await kube.get(Lease, "graceful")) as Lease;
    expect(end.spec?.holderIdentity).toBe("");
    expect(end.spec?.leaseDurationSeconds).toBe(1);
  }, 30_000);

  it("the Lease deleted while leading: the leader writes it anew and the others wait out the lease they saw; never two leaders", async () => {
    const log: FenceLog = [];
    const cs = await candidates("deleted", log);
    await until(() => cs.filter((c) => c.election.isLeader).length === 1);
    const first = cs.find((c) => c.election.isLeader)!;
    // Let the others see the holder.
    await until(() => cs.every((c) => c.election.leader === first.id));
    for (let round = 0; round < 3; round++) {
      await kube.delete(Lease, "deleted");
      await new Promise((r) => setTimeout(r, LEASE_MS / 2));
    }
    await new Promise((r) => setTimeout(r, LEASE_MS + 4 * RETRY_MS));
    expect(fencingViolations(log)).toEqual([]);
    const leaders = cs.filter((c) => c.election.isLeader).map((c) => c.id);
    expect(leaders).toHaveLength(1);
    const lease = (await kube.get(Lease, "deleted")) as Lease;
    expect(lease.spec?.holderIdentity).toBe(leaders[0]);
    await shutdown(cs);
    expect(fencingViolations(log)).toEqual([]);
  }, 30_000);

  it("renewals failing with 500, 409 storms or expired credentials (401): the leader steps down by its renew deadline and leads again once the server takes writes", async () => {
    for (const status of [500, 409, 401]) {
      const name = `storm-${status}`;
      let started = 0;
      let stopped = 0;
      const errors: unknown[] = [];
      const stop = new AbortController();
      const election = new LeaderElection(kube, {
        name,
        identity: "solo",
        leaseDurationMs: LEASE_MS,
        renewDeadlineMs: RENEW_MS,
        retryPeriodMs: RETRY_MS,
        onStartedLeading: () => void started++,
        onStoppedLeading: () => void stopped++,
        onError: (e) => errors.push(e),
      });
      const running = election.run(stop.signal);
      await until(() => election.isLeader);
      const fault = server.faults.inject({ match: { method: "PUT", resource: "leases", name }, status });
      await until(() => stopped === 1, 10_000);
      expect(election.isLeader).toBe(false);
      expect(fault.hits).toBeGreaterThan(1);
      fault.remove();
      await until(() => election.isLeader && started === 2, 10_000);
      stop.abort();
      await running;
      expect(errors.every((e) => e instanceof KubeApiError && e.status === status)).toBe(true);
      if (status !== 409) expect(errors.length).toBeGreaterThan(0);
    }
  }, 30_000);

  it("a hostile server: a Lease it cannot read is never taken over (typed errors, no TypeError), a null spec is free, a write answered with another holder is not leadership", async () => {
    const leasePath = "/apis/coordination.k8s.io/v1/namespaces/default/leases/x";
    let stored: Record<string, unknown> = {};
    let answerPut: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
    let puts = 0;
    const api = await hostileApi({}, (req, res, body) => {
      if (!req.url?.startsWith(leasePath)) return false;
      res.setHeader("content-type", "application/json");
      if (req.method === "GET") {
        res.end(JSON.stringify({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "x", namespace: "default", resourceVersion: "7" }, ...stored }));
      } else if (req.method === "PUT") {
        puts++;
        const sent = JSON.parse(body) as Record<string, unknown>;
        res.end(JSON.stringify(answerPut ? answerPut(sent) : { ...sent, metadata: { ...(sent.metadata as object), resourceVersion: String(8 + puts) } }));
      } else {
        res.statusCode = 405;
        res.end("{}");
      }
      return true;
    });
    const elect = async (kubeFor: Kube, wait: number) => {
      const errors: unknown[] = [];
      let started = 0;
      const stop = new AbortController();
      const e = new LeaderElection(kubeFor, { name: "x", namespace: "default", identity: "me", leaseDurationMs: LEASE_MS, renewDeadlineMs: RENEW_MS, retryPeriodMs: RETRY_MS, onStartedLeading: () => void started++, onError: (err) => errors.push(err) });
      const running = e.run(stop.signal);
      await new Promise((r) => setTimeout(r, wait));
      const leader = e.isLeader;
      stop.abort();
      await running;
      return { errors, started, leader };
    };
    const lax = await connect({ config: defineCluster({ server: api.url, namespace: "default" }), retry: false, validate: "off" });
    // Fields of other types, held by another: never taken over, whatever the validation mode.
    for (const spec of [{ holderIdentity: 5, leaseDurationSeconds: 15 }, { holderIdentity: "other", leaseDurationSeconds: "x" }, { holderIdentity: "other", leaseDurationSeconds: 1.5 }]) {
      stored = { spec };
      puts = 0;
      const [strict, loose] = await Promise.all([elect(api.kube, 2 * RETRY_MS), elect(lax, 2 * RETRY_MS)]);
      expect(puts).toBe(0);
      for (const [r, type] of [[strict, ValidationError], [loose, InvalidResponseError]] as const) {
        expect(r.started).toBe(0);
        expect(r.errors.length).toBeGreaterThan(0);
        for (const err of r.errors) expect(err).toBeInstanceOf(type);
      }
    }
    expect(String((await elect(lax, 2 * RETRY_MS)).errors[0])).toMatch(/the Lease default\/x cannot be read: spec.leaseDurationSeconds is not an integer/);
    stored = { spec: "garbage" };
    expect(String((await elect(lax, 2 * RETRY_MS)).errors[0])).toMatch(/the Lease default\/x has a spec that is not an object/);
    // A Lease without a spec, or a null one, is free: taken at once. So is one whose duration is 0 or
    // negative (client-go adds it to the time it first observed the record: past by the next
    // attempt), whatever its timestamps say — renewTime far in the future included, as times are
    // never read from the holder.
    const future = "9999-12-31T23:59:59.999999Z";
    for (const free of [{}, { spec: null }, { spec: { holderIdentity: "other", leaseDurationSeconds: 0, renewTime: future, acquireTime: future } }, { spec: { holderIdentity: "other", leaseDurationSeconds: -5, renewTime: future } }]) {
      stored = free;
      const r = await elect(api.kube, 5 * RETRY_MS);
      expect(r).toMatchObject({ started: 1, leader: true, errors: [] });
    }
    // The server answers the write naming someone else: not leadership, and said so.
    stored = { spec: null };
    answerPut = (sent) => ({ ...sent, spec: { ...(sent.spec as object), holderIdentity: "someone-else" } });
    const r = await elect(api.kube, 3 * RETRY_MS);
    expect(r.started).toBe(0);
    expect(String(r.errors[0])).toMatch(/answer names "someone-else" as its holder/);
    await lax.close();
    await api.close();
  }, 30_000);

  it("work that throws or rejects: the leader steps down and releases the Lease instead of holding it idle, then campaigns again", async () => {
    let calls = 0;
    let stopped = 0;
    const errors: string[] = [];
    const stop = new AbortController();
    const election = new LeaderElection(kube, {
      name: "failing-work",
      identity: "worker",
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_MS,
      retryPeriodMs: RETRY_MS,
      onStartedLeading: async (signal) => {
        calls++;
        if (calls === 1) throw new Error("cache never synced");
        await new Promise((r) => setTimeout(r, 20));
        if (calls === 2) throw new Error("controller crashed");
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
      },
      onStoppedLeading: () => void stopped++,
      onError: (e) => errors.push((e as Error).message),
    });
    const running = election.run(stop.signal);
    await until(() => calls === 3 && election.isLeader, 10_000);
    expect(stopped).toBe(2);
    expect(errors).toEqual(["cache never synced", "controller crashed"]);
    // Each failure released the Lease (empty holder), so each new term was a transition.
    const lease = (await kube.get(Lease, "failing-work")) as Lease;
    expect(lease.spec?.holderIdentity).toBe("worker");
    expect(lease.spec?.leaseTransitions).toBe(2);
    stop.abort();
    await running;
    expect(stopped).toBe(3);
  }, 30_000);

  it("checks client-go's parameter rules and writes MicroTime", () => {
    expect(() => new LeaderElection(kube, { name: "x", leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(/greater than renewDeadlineMs/);
    expect(() => new LeaderElection(kube, { name: "x", renewDeadlineMs: 2000, retryPeriodMs: 2000 })).toThrow(/1.2/);
    expect(() => new LeaderElection(kube, { name: "x", leaseDurationMs: Number.NaN })).toThrow(/leaseDurationMs must be a finite number/);
    expect(() => new LeaderElection(kube, { name: "x", leaseDurationMs: 40 * 24 * 3600_000, renewDeadlineMs: 30 * 24 * 3600_000 })).toThrow(/at most 2147483647/);
    expect(() => new LeaderElection(kube, { name: "x", retryPeriodMs: "2000" as never })).toThrow(/retryPeriodMs must be a finite number/);
    expect(microTime(new Date(Date.UTC(2026, 10, 1, 12, 0, 0, 123)))).toBe("2026-11-01T12:00:00.123000Z");
    const e = new LeaderElection(kube, { name: "defaults" });
    expect(e.identity).toMatch(/_[0-9a-f-]{36}$/);
  });
});
