import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthority, type Presented, type SimulatorCredentials } from './auth.js';
import { errorAnswer, playOf, type SimulatedAnswer, type SimulatedFault } from './faults.js';
import {
  instanceDetailAnswer,
  instanceListPage,
  instanceStatusAt,
  progressAnswer,
  type SimulatedGateway,
  type SimulatedOperation,
  type StoredGateway,
} from './timeline.js';

/**
 * A real HTTP server that plays Huawei Cloud's APIG "creation progress of a dedicated gateway"
 * API, the instance detail (ShowDetailsOfInstanceV2), the instance list (ListInstancesV2, paged)
 * and IAM's `POST /v3/auth/tokens`, for
 * `apig-watch simulate`, integration tests, the demo and local runs. What it answers comes from
 * the gateways' timelines (timeline.ts), who it lets in from auth.ts, its misbehaviours from
 * faults.ts; this file routes, counts and throttles.
 */

export interface SimulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** The simulated clock (gateway timelines, token expiry, `X-Sdk-Date` skew). Default `Date.now`. */
  now?: () => number;
  /** Default `SIMULATOR_DEFAULT_CREDENTIALS`. */
  credentials?: SimulatorCredentials;
  /** Requests beyond this many per real-time second are answered 429 APIG.0308. */
  rateLimitPerSecond?: number;
  /** Lifetime of tokens issued by the IAM endpoint. Default 24 h, like Huawei's. */
  tokenTtlMs?: number;
  /**
   * `false`: the credentials lack `apig:instance:list`, and the instance list answers an empty
   * list (as Huawei does), not an error. Default `true`.
   */
  listPermission?: boolean;
}

export interface SimulatedRequest {
  method: string;
  path: string;
  /** HTTP status answered; 0 when the socket was destroyed. */
  status: number;
  /** The credentials the request presented (valid or not); `password` for IAM logins. */
  auth: Presented['auth'] | 'password';
}

export interface SimulatorStats {
  requests: number;
  /** Every `POST /v3/auth/tokens`, accepted or not. */
  iamLogins: number;
  iamRefusals: number;
  throttled: number;
  /** APIG requests answered 401 (IAM refusals are `iamRefusals`). */
  unauthorized: number;
  faultsServed: number;
  /** Authenticated APIG requests per API, answered or faulted (a refused or throttled one is not counted here). */
  progressRequests: number;
  detailRequests: number;
  listRequests: number;
}

/** The gateway APIs whose requests a scripted fault can take: `any` is whichever of progress and detail asks first. */
export type FaultedEndpoint = 'progress' | 'detail' | 'any';

export interface ApigSimulator {
  /** Base URL (`http://127.0.0.1:PORT`) serving both the APIG and the IAM paths. */
  url: string;
  port: number;
  addGateway(spec: SimulatedGateway): void;
  /**
   * Queues faults for a gateway's next requests, one per request, in order: its progress requests
   * (default), its instance detail requests, or `any` of the two. A request takes a fault of its
   * own endpoint first, then one queued for `any`.
   */
  fail(projectId: string, instanceId: string, faults: SimulatedFault[], endpoint?: FaultedEndpoint): void;
  /** Queues faults for a project's next instance list requests (one page each), in order. */
  failList(projectId: string, faults: SimulatedFault[]): void;
  /**
   * Scripts an operation or a health change on a gateway added before, from `atMs` (counted from
   * its creation, like its timeline) or, without it, from now.
   */
  operate(projectId: string, instanceId: string, operation: Omit<SimulatedOperation, 'atMs'> & { atMs?: number }): void;
  /** Queues faults for the next IAM logins (`POST /v3/auth/tokens`), one per login, in order. */
  failLogins(faults: SimulatedFault[]): void;
  /** Invalidates every token the IAM endpoint issued (static tokens stay valid). */
  revokeTokens(): void;
  requests: SimulatedRequest[];
  stats(): SimulatorStats;
  close(): Promise<void>;
}

type RequestEntry = Omit<SimulatedRequest, 'status'>;

const DAY_MS = 24 * 60 * 60 * 1000;
const PROGRESS_PATH = /^\/v2\/([^/]+)\/apigw\/instances\/([^/]+)\/progress$/;
const DETAIL_PATH = /^\/v2\/([^/]+)\/apigw\/instances\/([^/]+)$/;
const INSTANCES_PATH = /^\/v2\/([^/]+)\/apigw\/instances$/;

/**
 * Starts the simulator on 127.0.0.1. Use its `url` as both `APIG_ENDPOINT` and `IAM_ENDPOINT`.
 *
 * @example
 * const simulator = await startApigSimulator({ credentials: { tokens: ['t0k3n'] } });
 * simulator.addGateway({ projectId, instanceId, steps: [{ atMs: 0, progress: 30 }],
 *   finish: { atMs: 60_000, status: 'success' } });
 * simulator.fail(projectId, instanceId, [{ status: 500, code: 'APIC.9000' }]);
 * // … GET `${simulator.url}/v2/${projectId}/apigw/instances/${instanceId}/progress` …
 * simulator.operate(projectId, instanceId, { operation: 'resize', phases: [{ status: 'Resizing', forMs: 600_000 }], end: 'Running' });
 * // … GET `${simulator.url}/v2/${projectId}/apigw/instances/${instanceId}` → status 'Resizing', later 'Running' …
 * await simulator.close();
 */
export async function startApigSimulator(options: SimulatorOptions = {}): Promise<ApigSimulator> {
  const now = options.now ?? Date.now;
  const authority = createAuthority(options.credentials, options.tokenTtlMs ?? DAY_MS, now);
  const gateways = new Map<string, StoredGateway>();
  /** Keyed by `faultKey`: the endpoint, then the gateway (or, for the list, the project). */
  const faults = new Map<string, SimulatedFault[]>();
  const loginFaults: SimulatedFault[] = [];
  const requests: SimulatedRequest[] = [];
  const counters: SimulatorStats = {
    requests: 0,
    iamLogins: 0,
    iamRefusals: 0,
    throttled: 0,
    unauthorized: 0,
    faultsServed: 0,
    progressRequests: 0,
    detailRequests: 0,
    listRequests: 0,
  };
  const rateWindow = { second: 0, count: 0 };
  const closing = new AbortController();

  function record(entry: SimulatedRequest): void {
    requests.push(entry);
    counters.requests += 1;
    if (entry.status === 401 && entry.auth !== 'password') counters.unauthorized += 1;
  }

  function reply(res: ServerResponse, entry: RequestEntry, { status, body, headers = {} }: SimulatedAnswer): void {
    record({ ...entry, status });
    const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    // `Date` from the simulated clock: clients read Huawei's time from it (AK/SK clock skew).
    const date = new Date(now()).toUTCString();
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', Date: date, ...headers }).end(text);
  }

  function isThrottled(): boolean {
    if (options.rateLimitPerSecond === undefined) return false;
    const second = Math.floor(Date.now() / 1000);
    if (second !== rateWindow.second) Object.assign(rateWindow, { second, count: 0 });
    rateWindow.count += 1;
    return rateWindow.count > options.rateLimitPerSecond;
  }

  /** Plays one fault; false when it only delayed the request, which is then answered normally. */
  async function serveFault(fault: SimulatedFault, req: IncomingMessage, res: ServerResponse, entry: RequestEntry): Promise<boolean> {
    counters.faultsServed += 1;
    const play = playOf(fault);
    if (play.kind === 'reset') {
      record({ ...entry, status: 0 });
      req.socket.destroy();
      return true;
    }
    if (play.kind === 'answer') {
      reply(res, entry, play.answer);
      return true;
    }
    await sleep(play.delayMs, undefined, { signal: closing.signal });
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    if (method === 'POST' && url.pathname === '/v3/auth/tokens') {
      const entry: RequestEntry = { method, path: url.pathname, auth: 'password' };
      counters.iamLogins += 1;
      const fault = loginFaults.shift();
      if (fault && (await serveFault(fault, req, res, entry))) return;
      const { answer, refused } = authority.login(body);
      if (refused) counters.iamRefusals += 1;
      reply(res, entry, answer);
      return;
    }
    const { auth, valid } = authority.authenticate({ method, url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, headers: req.headers, body });
    const entry = { method, path: url.pathname, auth };
    if (isThrottled()) {
      counters.throttled += 1;
      reply(res, entry, errorAnswer(429, 'APIG.0308'));
      return;
    }
    // Huawei answers a refused signature (a wrong key, or an X-Sdk-Date 15 minutes off) with APIG.0301.
    const refusal = errorAnswer(401, auth === 'aksk' ? 'APIG.0301' : 'APIC.7102');
    const list = method === 'GET' ? INSTANCES_PATH.exec(url.pathname) : null;
    if (list) {
      if (!valid) return reply(res, entry, refusal);
      counters.listRequests += 1;
      const projectId = decodeURIComponent(list[1] ?? '');
      const fault = faults.get(faultKey('list', projectId))?.shift();
      if (fault && (await serveFault(fault, req, res, entry))) return;
      const listed = options.listPermission === false ? [] : gateways.values();
      const page = instanceListPage(listed, projectId, url.searchParams, now());
      return reply(res, entry, page ? { status: 200, body: page } : errorAnswer(400, 'APIG.2012', 'Invalid parameter value: limit or offset'));
    }
    const progress = method === 'GET' ? PROGRESS_PATH.exec(url.pathname) : null;
    const detail = method === 'GET' && !progress ? DETAIL_PATH.exec(url.pathname) : null;
    const match = progress ?? detail;
    if (!match) return reply(res, entry, errorAnswer(404, 'APIG.0101'));
    if (!valid) return reply(res, entry, refusal);

    const endpoint = progress ? 'progress' : 'detail';
    counters[progress ? 'progressRequests' : 'detailRequests'] += 1;
    const key = gatewayKey(decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? ''));
    const fault = faults.get(faultKey(endpoint, key))?.shift() ?? faults.get(faultKey('any', key))?.shift();
    if (fault && (await serveFault(fault, req, res, entry))) return;
    const gateway = gateways.get(key);
    const status = gateway ? instanceStatusAt(gateway, now()) : null;
    // A deleted gateway is unknown to every API, with the same answer as one that never existed.
    if (!gateway || status === null) return reply(res, entry, errorAnswer(404, 'APIC.7302'));
    reply(res, entry, { status: 200, body: progress ? progressAnswer(gateway, now()) : instanceDetailAnswer(gateway, status) });
  }

  function queueFaults(key: string, newFaults: SimulatedFault[]): void {
    faults.set(key, [...(faults.get(key) ?? []), ...newFaults]);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    addGateway(spec) {
      gateways.set(gatewayKey(spec.projectId, spec.instanceId), { ...spec, createdAtMs: spec.createdAtMs ?? now() });
    },
    fail(projectId, instanceId, newFaults, endpoint = 'progress') {
      queueFaults(faultKey(endpoint, gatewayKey(projectId, instanceId)), newFaults);
    },
    failList(projectId, newFaults) {
      queueFaults(faultKey('list', projectId), newFaults);
    },
    operate(projectId, instanceId, operation) {
      const gateway = gateways.get(gatewayKey(projectId, instanceId));
      if (!gateway) throw new Error(`the simulator has no gateway ${instanceId} in project ${projectId}`);
      const scripted = { ...operation, atMs: operation.atMs ?? now() - gateway.createdAtMs };
      gateway.operations = [...(gateway.operations ?? []), scripted];
    },
    failLogins(newFaults) {
      loginFaults.push(...newFaults);
    },
    revokeTokens: () => authority.revokeTokens(),
    requests,
    stats: () => ({ ...counters }),
    async close() {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function gatewayKey(projectId: string, instanceId: string): string {
  return `${projectId}/${instanceId}`;
}

function faultKey(endpoint: FaultedEndpoint | 'list', key: string): string {
  return `${endpoint} ${key}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
