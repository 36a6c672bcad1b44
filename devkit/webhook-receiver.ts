import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on loopback that stands in for every webhook receiver (Slack, DingTalk,
 * Feishu, WeCom, Teams, Discord, generic): it records each request and answers from a per-path
 * script, then with the channel's usual success answer. Used by integration tests, the demo and
 * local runs.
 */

/** One scripted answer, consumed by one request to its path. */
export interface ReceiverAnswer {
  /** Default 200. */
  status?: number;
  /** A string is sent as is, anything else as JSON. Default: none. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Waits this long (real time) before answering. */
  delayMs?: number;
  /** Destroys the connection without answering. */
  reset?: true;
}

export interface ReceivedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names, as Node gives them. */
  headers: Record<string, string>;
  rawBody: string;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
  receivedAtMs: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:{port}`, without a trailing slash. */
  url: string;
  port: number;
  /** Queues answers for `path`; they are used in order, before the default answer. */
  script(path: string, answers: ReceiverAnswer[]): void;
  /** Requests received so far (to `path` only, if given), oldest first. */
  received(path?: string): ReceivedRequest[];
  /** The first request, already received or still to come, that satisfies `predicate`. */
  waitFor(predicate: (request: ReceivedRequest) => boolean, timeoutMs: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/** Bodies larger than this are cut when recorded. */
const MAX_RECORDED_BODY_BYTES = 1_000_000;
/** How much of a body `describeRequest` shows. */
const DESCRIBED_BODY_CHARS = 200;
const LOOPBACK = '127.0.0.1';

/** What each channel answers on success, by path prefix. */
const CHANNEL_ANSWERS: ReadonlyArray<[prefix: string, answer: ReceiverAnswer]> = [
  ['/dingtalk', { status: 200, body: { errcode: 0, errmsg: 'ok' } }],
  ['/wecom', { status: 200, body: { errcode: 0, errmsg: 'ok' } }],
  ['/feishu', { status: 200, body: { code: 0, msg: 'success', data: {} } }],
  ['/teams', { status: 202 }],
  ['/discord', { status: 204 }],
];
/** Slack's answer, and good enough for generic webhooks. */
const OTHER_ANSWER: ReceiverAnswer = { status: 200, body: 'ok' };

/**
 * Starts a receiver on loopback (port 0: any free port).
 *
 * @example
 * const receiver = await startWebhookReceiver();
 * receiver.script('/slack', [{ status: 503 }, { status: 429, headers: { 'retry-after': '1' } }]);
 * // NOTIFY_URLS=slack+${receiver.url}/slack
 * await receiver.waitFor((request) => request.path === '/slack', 5000);
 * await receiver.close();
 */
export async function startWebhookReceiver(options: { port?: number } = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, ReceiverAnswer[]>();
  const waiters = new Set<{ predicate: (request: ReceivedRequest) => boolean; resolve: (request: ReceivedRequest) => void }>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    void readBody(req).then(
      (rawBody) => {
        const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
        const request: ReceivedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, [value].flat().join(', ')])),
          rawBody,
          body: parseBody(rawBody),
          receivedAtMs: Date.now(),
        };
        requests.push(request);
        for (const waiter of waiters) {
          if (waiter.predicate(request)) {
            waiters.delete(waiter);
            waiter.resolve(request);
          }
        }
        const answer = scripts.get(request.path)?.shift() ?? defaultAnswer(request.path);
        const timer = setTimeout(() => {
          timers.delete(timer);
          respond(req, res, answer);
        }, answer.delayMs ?? 0);
        timers.add(timer);
      },
      () => req.socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${LOOPBACK}:${port}`,
    port,
    script(path, answers) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...answers]);
    },
    received(path) {
      return requests.filter((request) => path === undefined || request.path === path);
    },
    waitFor(predicate, timeoutMs) {
      const seen = requests.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (request: ReceivedRequest) => {
            clearTimeout(timer);
            timers.delete(timer);
            resolve(request);
          },
        };
        const timer = setTimeout(() => {
          timers.delete(timer);
          waiters.delete(waiter);
          reject(new Error(`webhook receiver: no matching request within ${timeoutMs} ms (${requests.length} received)`));
        }, timeoutMs);
        timers.add(timer);
        waiters.add(waiter);
      });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Any request the receiver got, in one line for people: method, path, size and the start of the
 * body, whatever it holds (for requests that are no notification a reader knows).
 *
 * @example
 * describeRequest(request) // 'POST /anything · 17 bytes · {"hello":"world"}'
 */
export function describeRequest(request: ReceivedRequest): string {
  const size = Buffer.byteLength(request.rawBody);
  const text = request.rawBody.replace(/\s+/g, ' ').trim();
  const shown = text.length > DESCRIBED_BODY_CHARS ? `${text.slice(0, DESCRIBED_BODY_CHARS)}…` : text;
  return [`${request.method} ${request.path}`, `${size} bytes`, ...(shown === '' ? [] : [shown])].join(' · ');
}

function respond(req: IncomingMessage, res: ServerResponse, answer: ReceiverAnswer): void {
  if (answer.reset) {
    req.socket.destroy();
    return;
  }
  if (res.destroyed) return;
  const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  const contentType = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(answer.status ?? 200, { ...(body === '' ? {} : { 'content-type': contentType }), ...answer.headers });
  res.end(body);
}

function defaultAnswer(path: string): ReceiverAnswer {
  return CHANNEL_ANSWERS.find(([prefix]) => path.startsWith(prefix))?.[1] ?? OTHER_ANSWER;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size < MAX_RECORDED_BODY_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_RECORDED_BODY_BYTES);
}

function parseBody(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    return rawBody;
  }
}
