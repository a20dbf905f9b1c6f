/**
 * The bench's load generator. bench/run.ts forks this file as a child process, so that sending 200 requests and
 * reading 200 acks neither competes with the apps under test for their event loop nor counts in their RSS (Slack is
 * a remote client, after all). It can also be imported and run inline (BENCH_CLIENT=inline).
 * Times are process.hrtime in milliseconds: CLOCK_MONOTONIC, shared by both processes.
 */
import http from 'node:http';

export interface Prepared {
  body: string;
  headers: Record<string, string | number>;
}

export interface AckResult {
  /** hrtime ms when the request was written. */
  started: number;
  /** Request written → whole response read. */
  ms: number;
  status: number;
  error?: string;
}

export type LoadRequest =
  | { id: number; type: 'burst'; host: string; port: number; path: string; requests: Prepared[] }
  /** Destroys the keep-alive sockets to `port` (before that server stops). */
  | { id: number; type: 'drop'; port: number }
  | { id: number; type: 'close' };

export type LoadReply = { id: number; results: AckResult[] };

export const REQUEST_TIMEOUT_MS = 10_000;

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** One signed POST; resolves (never rejects) with its ack latency. */
export function send(agent: http.Agent, host: string, port: number, path: string, prepared: Prepared) {
  const started = nowMs();
  return new Promise<AckResult>((resolve) => {
    const fail = (e: Error) => resolve({ started, ms: nowMs() - started, status: 0, error: e.message });
    const req = http.request({ host, port, path, method: 'POST', agent, headers: prepared.headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ started, ms: nowMs() - started, status: res.statusCode ?? 0 }));
      res.on('error', fail);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timeout')));
    req.on('error', fail);
    req.end(prepared.body);
  });
}

/** Fires every request in one synchronous loop (all in flight at once), then waits for all acks. */
export function burst(agent: http.Agent, host: string, port: number, path: string, requests: Prepared[]) {
  return Promise.all(requests.map((r) => send(agent, host, port, path, r)));
}

export const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: 256 });

/** Forked with an IPC channel: serve requests from the parent until it says close (or goes away). */
if (process.send && process.env.BENCH_LOAD_CLIENT === '1') {
  const agents = new Map<number, http.Agent>();
  const reply = (msg: LoadReply, then?: () => void) => process.send?.(msg, undefined, undefined, () => then?.());
  const closeAll = () => {
    for (const agent of agents.values()) agent.destroy();
    agents.clear();
  };
  process.on('disconnect', () => {
    closeAll();
    process.exit(0);
  });
  process.on('message', (msg: LoadRequest) => {
    if (msg.type === 'close') {
      closeAll();
      reply({ id: msg.id, results: [] }, () => process.disconnect());
      return;
    }
    if (msg.type === 'drop') {
      agents.get(msg.port)?.destroy();
      agents.delete(msg.port);
      reply({ id: msg.id, results: [] });
      return;
    }
    let agent = agents.get(msg.port);
    if (!agent) {
      agent = newAgent();
      agents.set(msg.port, agent);
    }
    void burst(agent, msg.host, msg.port, msg.path, msg.requests).then((results) => reply({ id: msg.id, results }));
  });
}
