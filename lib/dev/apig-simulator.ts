import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { parseJsonLeniently } from '../lenient-json.js';
import { verifySignature } from '../apig/signing.js';

/**
 * A real HTTP server that plays Huawei Cloud's APIG "creation progress of a dedicated gateway"
 * API, its instance list (ListInstancesV2, paged) and IAM's `POST /v3/auth/tokens`, for integration tests, the demo and local runs. Its
 * answers copy the examples of Huawei's API page (progress 0 and the error fields in failed
 * answers, `end_time` filled in while creating).
 */

/** How a simulated gateway's creation unfolds, offsets counted from `createdAtMs`. */
export interface SimulatedGateway {
  projectId: string;
  instanceId: string;
  /** Default: the simulator's clock when added. */
  createdAtMs?: number;
  /** Progress reached at each offset; before the first step the progress is 0. */
  steps: { atMs: number; progress: number }[];
  /** `null`: the creation never finishes. A failure defaults to APIC.9206 `create failed...`. */
  finish: { atMs: number; status: 'success' | 'failed'; errorCode?: string; errorMsg?: string } | null;
  /** Unit of `start_time` and `end_time`; Huawei's examples use milliseconds (default). */
  startTimeUnit?: 'ms' | 's';
  statusCase?: 'lower' | 'upper';
  /** Reported instead of `creating` until the creation finishes. */
  unknownStatus?: string;
  /** `instance_name` in the instance list. Default: `gw-` and the first 8 characters of the id. */
  instanceName?: string;
  /**
   * The instance list's `status`, fixed (e.g. `Running` for a gateway created long ago). Default:
   * `Creating` until the creation finishes (and `listLagMs` longer), then `Running` or `CreateFail`.
   */
  listStatus?: string;
  /** How long the instance list still says `Creating` after the progress API reported the end. */
  listLagMs?: number;
}

/** One scripted misbehaviour, consumed by one authenticated progress request of its gateway. */
export type SimulatedFault =
  /** An error answer; the code defaults by status: 401 APIC.7102, 403 APIC.7106, 404 APIC.7302,
   *  429 APIG.0308, anything else APIC.9000. */
  | { status: number; code?: string; message?: string }
  /** Destroys the socket without answering. */
  | { reset: true }
  /** Waits this long (real time), then answers normally. */
  | { delayMs: number }
  /** Answers 200 with this raw body. */
  | { body: string }
  /** Answers a redirect (default 302) with `Location: redirectTo`. */
  | { redirectTo: string; status?: 301 | 302 | 303 | 307 | 308 };

export interface SimulatorCredentials {
  /** Static `X-Auth-Token` values that are always accepted. */
  tokens?: string[];
  /** With `securityToken`, requests must carry it as a signed `X-Security-Token` (temporary credentials). */
  aksk?: { accessKey: string; secretKey: string; securityToken?: string }[];
  /** IAM users that can log in by password. */
  users?: { name: string; password: string; domain: string }[];
}

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
  auth: 'token' | 'aksk' | 'password' | 'none';
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
}

export interface ApigSimulator {
  /** Base URL (`http://127.0.0.1:PORT`) serving both the APIG and the IAM paths. */
  url: string;
  port: number;
  addGateway(spec: SimulatedGateway): void;
  /** Queues faults for a gateway's next progress requests, one per request, in order. */
  fail(projectId: string, instanceId: string, faults: SimulatedFault[]): void;
  /** Queues faults for the next IAM logins (`POST /v3/auth/tokens`), one per login, in order. */
  failLogins(faults: SimulatedFault[]): void;
  /** Invalidates every token the IAM endpoint issued (static tokens stay valid). */
  revokeTokens(): void;
  requests: SimulatedRequest[];
  stats(): SimulatorStats;
  close(): Promise<void>;
}

export const SIMULATOR_DEFAULT_CREDENTIALS: Required<SimulatorCredentials> = {
  tokens: ['simulator-token'],
  aksk: [{ accessKey: 'SIMULATORACCESSKEY00', secretKey: 'simulator-secret-key' }],
  users: [{ name: 'simulator-user', password: 'simulator-password', domain: 'simulator-domain' }],
};

type StoredGateway = SimulatedGateway & { createdAtMs: number };
type RequestEntry = Omit<SimulatedRequest, 'status'>;

const DAY_MS = 24 * 60 * 60 * 1000;
const PROGRESS_PATH = /^\/v2\/([^/]+)\/apigw\/instances\/([^/]+)\/progress$/;
const INSTANCES_PATH = /^\/v2\/([^/]+)\/apigw\/instances$/;
/** ListInstancesV2's `limit`: 1–500, default 20. */
const LIST_DEFAULT_LIMIT = 20;
const LIST_MAX_LIMIT = 500;
const DEFAULT_CODES: Record<number, string> = {
  401: 'APIC.7102',
  403: 'APIC.7106',
  404: 'APIC.7302',
  429: 'APIG.0308',
};
const MESSAGES: Record<string, string> = {
  'APIC.7102': 'Incorrect token or token resolution failed',
  'APIC.7106': 'No permissions to request for the method',
  'APIC.7302': 'Instance not found',
  'APIC.9000': 'Failed to request internal service',
  'APIG.0301': 'Incorrect IAM authentication information: verify aksk signature fail',
  'APIG.0101': 'The API does not exist or has not been published in the environment',
  'APIG.0308': 'The throttling threshold has been reached',
  'APIG.9008': 'Too many requests',
};

const LoginSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()),
      password: z.object({
        user: z.object({ name: z.string(), password: z.string(), domain: z.object({ name: z.string() }) }),
      }),
    }),
    scope: z.optional(z.object({ project: z.object({ id: z.string() }) })),
  }),
});

/**
 * Starts the simulator on 127.0.0.1. Use its `url` as both `APIG_ENDPOINT` and `IAM_ENDPOINT`.
 *
 * @example
 * const simulator = await startApigSimulator({ credentials: { tokens: ['t0k3n'] } });
 * simulator.addGateway({ projectId, instanceId, steps: [{ atMs: 0, progress: 30 }],
 *   finish: { atMs: 60_000, status: 'success' } });
 * simulator.fail(projectId, instanceId, [{ status: 500, code: 'APIC.9000' }]);
 * // … GET `${simulator.url}/v2/${projectId}/apigw/instances/${instanceId}/progress` …
 * await simulator.close();
 */
export async function startApigSimulator(options: SimulatorOptions = {}): Promise<ApigSimulator> {
  const now = options.now ?? Date.now;
  const given = options.credentials;
  const credentials: Required<SimulatorCredentials> = given
    ? { tokens: given.tokens ?? [], aksk: given.aksk ?? [], users: given.users ?? [] }
    : SIMULATOR_DEFAULT_CREDENTIALS;
  const tokenTtlMs = options.tokenTtlMs ?? DAY_MS;
  const gateways = new Map<string, StoredGateway>();
  const faults = new Map<string, SimulatedFault[]>();
  const loginFaults: SimulatedFault[] = [];
  const issuedTokens = new Map<string, number>();
  const requests: SimulatedRequest[] = [];
  const counters: SimulatorStats = {
    requests: 0,
    iamLogins: 0,
    iamRefusals: 0,
    throttled: 0,
    unauthorized: 0,
    faultsServed: 0,
  };
  const rateWindow = { second: 0, count: 0 };
  const closing = new AbortController();

  function record(entry: SimulatedRequest): void {
    requests.push(entry);
    counters.requests += 1;
    if (entry.status === 401 && entry.auth !== 'password') counters.unauthorized += 1;
  }

  function reply(res: ServerResponse, entry: RequestEntry, status: number, body: unknown, headers: Record<string, string> = {}): void {
    record({ ...entry, status });
    const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    // `Date` from the simulated clock: clients read Huawei's time from it (AK/SK clock skew).
    const date = new Date(now()).toUTCString();
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', Date: date, ...headers }).end(text);
  }

  function replyError(res: ServerResponse, entry: RequestEntry, status: number, code?: string, message?: string): void {
    const errorCode = code ?? DEFAULT_CODES[status] ?? 'APIC.9000';
    const errorMsg = message ?? MESSAGES[errorCode] ?? 'Simulated error';
    reply(res, entry, status, { error_code: errorCode, error_msg: errorMsg });
  }

  function isThrottled(): boolean {
    if (options.rateLimitPerSecond === undefined) return false;
    const second = Math.floor(Date.now() / 1000);
    if (second !== rateWindow.second) Object.assign(rateWindow, { second, count: 0 });
    rateWindow.count += 1;
    return rateWindow.count > options.rateLimitPerSecond;
  }

  function authenticate(req: IncomingMessage, body: string): { auth: SimulatedRequest['auth']; valid: boolean } {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') {
      const expiresAtMs = issuedTokens.get(token);
      const issuedAndLive = expiresAtMs !== undefined && now() < expiresAtMs;
      return { auth: 'token', valid: credentials.tokens.includes(token) || issuedAndLive };
    }
    if (req.headers.authorization === undefined) return { auth: 'none', valid: false };
    const verdict = verifySignature({
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`,
      headers: req.headers,
      body,
      findSecretKey: (accessKey) => credentials.aksk.find((pair) => pair.accessKey === accessKey)?.secretKey,
      nowMs: now(),
    });
    if (!verdict.valid) return { auth: 'aksk', valid: false };
    const pair = credentials.aksk.find((candidate) => candidate.accessKey === verdict.accessKey);
    const tokenOk =
      pair?.securityToken === undefined || (req.headers['x-security-token'] === pair.securityToken && verdict.signedHeaders.includes('x-security-token'));
    return { auth: 'aksk', valid: tokenOk };
  }

  function login(body: string, res: ServerResponse, entry: RequestEntry): void {
    const parsed = LoginSchema.safeParse(parseJsonLeniently(body));
    if (!parsed.success) {
      counters.iamRefusals += 1;
      const error = { code: 400, message: 'The request body is invalid.', title: 'Bad Request' };
      reply(res, entry, 400, { error });
      return;
    }
    const { user } = parsed.data.auth.identity.password;
    const known = credentials.users.some(
      (candidate) => candidate.name === user.name && candidate.password === user.password && candidate.domain === user.domain.name,
    );
    if (!known) {
      counters.iamRefusals += 1;
      const error = { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' };
      reply(res, entry, 401, { error });
      return;
    }
    const token = `MIIsimulated${randomBytes(24).toString('hex')}`;
    const issuedAtMs = now();
    issuedTokens.set(token, issuedAtMs + tokenTtlMs);
    reply(
      res,
      entry,
      201,
      {
        token: {
          expires_at: new Date(issuedAtMs + tokenTtlMs).toISOString(),
          issued_at: new Date(issuedAtMs).toISOString(),
          methods: ['password'],
          project: parsed.data.auth.scope ? { id: parsed.data.auth.scope.project.id } : undefined,
          user: { name: user.name, domain: { name: user.domain.name } },
        },
      },
      { 'X-Subject-Token': token },
    );
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
      login(body, res, entry);
      return;
    }
    const { auth, valid } = authenticate(req, body);
    const entry = { method, path: url.pathname, auth };
    if (isThrottled()) {
      counters.throttled += 1;
      replyError(res, entry, 429, 'APIG.0308');
      return;
    }
    const list = method === 'GET' ? INSTANCES_PATH.exec(url.pathname) : null;
    if (list) {
      if (!valid) return replyError(res, entry, 401, auth === 'aksk' ? 'APIG.0301' : 'APIC.7102');
      return listInstances(decodeURIComponent(list[1] ?? ''), url.searchParams, res, entry);
    }
    const match = method === 'GET' ? PROGRESS_PATH.exec(url.pathname) : null;
    if (!match) return replyError(res, entry, 404, 'APIG.0101');
    // Huawei answers a refused signature (a wrong key, or an X-Sdk-Date 15 minutes off) with APIG.0301.
    if (!valid) return replyError(res, entry, 401, auth === 'aksk' ? 'APIG.0301' : 'APIC.7102');

    const key = gatewayKey(decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? ''));
    const fault = faults.get(key)?.shift();
    if (fault && (await serveFault(fault, req, res, entry))) return;
    const gateway = gateways.get(key);
    if (!gateway) return replyError(res, entry, 404, 'APIC.7302');
    reply(res, entry, 200, progressAnswer(gateway, now()));
  }

  /** ListInstancesV2: a project's gateways, newest first, filtered by exact `status`, paged by `offset`/`limit`. */
  function listInstances(projectId: string, query: URLSearchParams, res: ServerResponse, entry: RequestEntry): void {
    const limit = Number(query.get('limit') ?? LIST_DEFAULT_LIMIT);
    const offset = Number(query.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT || !Number.isInteger(offset) || offset < 0) {
      replyError(res, entry, 400, 'APIG.2012', 'Invalid parameter value: limit or offset');
      return;
    }
    const status = query.get('status');
    const listed =
      options.listPermission === false
        ? []
        : [...gateways.values()]
            .filter((gateway) => gateway.projectId === projectId)
            .map((gateway) => listedInstance(gateway, now()))
            .filter((instance) => status === null || instance.status === status)
            .sort((a, b) => b.create_time - a.create_time || a.id.localeCompare(b.id));
    const page = listed.slice(offset, offset + limit);
    reply(res, entry, 200, { size: page.length, total: listed.length, instances: page });
  }

  /** Plays one fault; false when it only delayed the request, which is then answered normally. */
  async function serveFault(fault: SimulatedFault, req: IncomingMessage, res: ServerResponse, entry: RequestEntry): Promise<boolean> {
    counters.faultsServed += 1;
    if ('reset' in fault) {
      record({ ...entry, status: 0 });
      req.socket.destroy();
      return true;
    }
    if ('body' in fault) {
      reply(res, entry, 200, fault.body);
      return true;
    }
    if ('redirectTo' in fault) {
      reply(res, entry, fault.status ?? 302, '', { Location: fault.redirectTo });
      return true;
    }
    if ('status' in fault) {
      replyError(res, entry, fault.status, fault.code, fault.message);
      return true;
    }
    await sleep(fault.delayMs, undefined, { signal: closing.signal });
    return false;
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
    fail(projectId, instanceId, newFaults) {
      const key = gatewayKey(projectId, instanceId);
      faults.set(key, [...(faults.get(key) ?? []), ...newFaults]);
    },
    failLogins(newFaults) {
      loginFaults.push(...newFaults);
    },
    revokeTokens() {
      issuedTokens.clear();
    },
    requests,
    stats: () => ({ ...counters }),
    async close() {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The 200 body at `nowMs`, shaped like the examples on Huawei's API page. */
function progressAnswer(gateway: StoredGateway, nowMs: number): Record<string, unknown> {
  const elapsedMs = nowMs - gateway.createdAtMs;
  const { finish } = gateway;
  const finished = finish !== null && elapsedMs >= finish.atMs;
  const failed = finished && finish.status === 'failed';
  const reached = gateway.steps.filter((step) => step.atMs <= elapsedMs).sort((a, b) => a.atMs - b.atMs);
  const status = finished ? finish.status : (gateway.unknownStatus ?? 'creating');
  const stamp = (ms: number): number => (gateway.startTimeUnit === 's' ? Math.floor(ms / 1000) : ms);
  return {
    // Huawei fills end_time in while creating too; here it is "now" until the creation ends.
    end_time: stamp(finished ? gateway.createdAtMs + finish.atMs : nowMs),
    error_code: failed ? (finish.errorCode ?? 'APIC.9206') : null,
    error_msg: failed ? (finish.errorMsg ?? 'create failed...') : null,
    progress: finished ? (failed ? 0 : 100) : (reached.at(-1)?.progress ?? 0),
    start_time: stamp(gateway.createdAtMs),
    status: gateway.statusCase === 'upper' ? status.toUpperCase() : status,
  };
}

/** One item of ListInstancesV2, as the instance list shows the gateway at `nowMs`. */
function listedInstance(gateway: StoredGateway, nowMs: number) {
  const { finish } = gateway;
  const endedAtMs = finish === null ? Number.POSITIVE_INFINITY : gateway.createdAtMs + finish.atMs + (gateway.listLagMs ?? 0);
  const derived = nowMs < endedAtMs ? 'Creating' : finish?.status === 'success' ? 'Running' : 'CreateFail';
  return {
    id: gateway.instanceId,
    instance_name: gateway.instanceName ?? `gw-${gateway.instanceId.slice(0, 8)}`,
    status: gateway.listStatus ?? derived,
    instance_status: 0,
    type: 'apig',
    spec: 'BASIC',
    create_time: gateway.createdAtMs,
    enterprise_project_id: '0',
    eip_address: null,
    charging_mode: 0,
    cbc_metadata: null,
    loadbalancer_provider: 'elb',
  };
}

function gatewayKey(projectId: string, instanceId: string): string {
  return `${projectId}/${instanceId}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
