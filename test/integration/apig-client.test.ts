import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Log } from '../../lib/watch/ports/observability.js';
import { ApigRetryableError, ApigTerminalError, IamLoginRefusedError, type ProgressTarget } from '../../lib/watch/ports/progress-source.js';
import { MAX_ANSWER_BYTES } from '../../lib/bounded-answer.js';
import { REFUSAL_CONFIRMS_WITHIN_MS, REFUSED_LOGIN_RETRY_MS } from '../../lib/apig/iam-token.js';
import { createProgressSource } from '../../lib/apig/progress-client.js';
import type { ApigCredentials } from '../../lib/apig/types.js';
import { startApigSimulator, type ApigSimulator, type SimulatedFault, type SimulatedGateway } from '../../lib/simulator/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { ECHOED_TEXT_MAX_CHARS, ECHOED_WORD_MAX_CHARS } from '../../lib/echoed-text.js';

const STATIC_TOKEN = 'static-token-for-tests';
const AKSK = { accessKey: 'TESTACCESSKEY0000001', secretKey: 'test-secret-key-1' };
const TEMPORARY_AKSK = { accessKey: 'TESTACCESSKEY0000002', secretKey: 'test-secret-key-2', securityToken: 'sts-1' };
const USER = { name: 'watcher', password: 'correct horse battery staple', domain: 'acme' };
const HOUR_MS = 60 * 60 * 1000;

/** A virtual clock shared by the simulator and the client (X-Sdk-Date, token expiry). */
let clockMs = Date.parse('2026-11-28T10:00:00Z');
const now = () => clockMs;
let simulator: ApigSimulator;

beforeAll(async () => {
  simulator = await startApigSimulator({
    now,
    credentials: { tokens: [STATIC_TOKEN], aksk: [AKSK, TEMPORARY_AKSK], users: [USER] },
  });
});

afterAll(async () => {
  await simulator.close();
});

function hexId(): string {
  return randomBytes(16).toString('hex');
}

/** Adds a gateway to the simulator (creating for 10 minutes, then success) and returns its target. */
function gatewayFactory(spec: Partial<SimulatedGateway> = {}): ProgressTarget {
  const target = { projectId: hexId(), instanceId: hexId(), region: 'ap-southeast-1' };
  simulator.addGateway({
    ...target,
    steps: [
      { atMs: 0, progress: 30 },
      { atMs: 60_000, progress: 50 },
    ],
    finish: { atMs: 10 * 60_000, status: 'success' },
    ...spec,
  });
  return target;
}

function sourceFactory(
  credentials: ApigCredentials = { mode: 'token', token: STATIC_TOKEN },
  options: { requestTimeoutMs?: number; endpoint?: string; log?: Log; now?: () => number } = {},
) {
  const endpoint = options.endpoint ?? simulator.url;
  return createProgressSource(
    { credentials, apigEndpoint: endpoint, iamEndpoint: endpoint, requestTimeoutMs: options.requestTimeoutMs ?? 2000 },
    { now: options.now ?? now, log: options.log },
  );
}

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const write = (message: string, extra?: Record<string, unknown>) => {
    lines.push(`${message} ${JSON.stringify(extra ?? {})}`);
  };
  return { lines, debug: write, info: write, warn: write, error: write };
}

function progressRequestsOf(target: ProgressTarget) {
  return simulator.requests.filter((request) => request.path.includes(target.instanceId));
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

const PASSWORD_CREDENTIALS: ApigCredentials = { mode: 'password', user: USER.name, password: USER.password, domain: USER.domain };

describe('reading progress', () => {
  it('reads a creating gateway with end_time filled in and progress from the last step reached', async () => {
    // Prepare
    const createdAtMs = clockMs - 90_000;
    const target = gatewayFactory({ createdAtMs });

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report).toEqual({
      status: 'creating',
      progress: 50,
      errorCode: null,
      errorMsg: null,
      startTimeMs: createdAtMs,
      endTimeMs: clockMs,
    });
  });

  it('reads a successful creation with its start and end in milliseconds', async () => {
    // Prepare
    const createdAtMs = clockMs - HOUR_MS;
    const target = gatewayFactory({ createdAtMs, finish: { atMs: 323_750, status: 'success' } });

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report).toMatchObject({ status: 'success', progress: 100, startTimeMs: createdAtMs });
    expect(report.endTimeMs).toBe(createdAtMs + 323_750);
  });

  it('reads a failed creation with its error code, error message and progress 0', async () => {
    // Prepare
    const target = gatewayFactory({
      createdAtMs: clockMs - HOUR_MS,
      finish: { atMs: 60_000, status: 'failed', errorCode: 'APIC.9218' },
    });

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report).toMatchObject({ status: 'failed', progress: 0, errorCode: 'APIC.9218', errorMsg: 'create failed...' });
  });

  it('converts start_time and end_time given in seconds to milliseconds', async () => {
    // Prepare
    const createdAtMs = clockMs - HOUR_MS;
    const target = gatewayFactory({ createdAtMs, startTimeUnit: 's', finish: { atMs: 300_000, status: 'success' } });

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report.startTimeMs).toBe(createdAtMs);
    expect(report.endTimeMs).toBe(createdAtMs + 300_000);
  });

  it('lower-cases an upper-case status', async () => {
    // Prepare
    const target = gatewayFactory({ statusCase: 'upper' });

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report.status).toBe('creating');
  });

  it('passes an unknown status on, lower-cased, for the caller to decide', async () => {
    // Prepare
    const target = gatewayFactory({ unknownStatus: 'Queued' });

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report.status).toBe('queued');
  });
  it.each([
    ['5e-324 (within range: kept)', '5e-324', 5e-324],
    ['a negative value', '-7', 0],
    ['a value above 100', '1e308', 100],
  ])('reads a progress of %s clamped to 0–100', async (_, raw, expected) => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ body: `{"status":"creating","progress":${raw}}` }]);

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report.progress).toBe(expected);
  });
});

describe('error answers', () => {
  const retryable: [string, SimulatedFault, object][] = [
    ['500 APIC.9000', { status: 500, code: 'APIC.9000' }, { reason: 'server_error', httpStatus: 500, code: 'APIC.9000' }],
    ['502 without a code', { status: 502 }, { reason: 'server_error', httpStatus: 502 }],
    ['500 APIG.9008 (too many requests)', { status: 500, code: 'APIG.9008' }, { reason: 'throttled', code: 'APIG.9008' }],
    ['429 APIG.0308', { status: 429, code: 'APIG.0308' }, { reason: 'throttled', httpStatus: 429, code: 'APIG.0308' }],
    ['an unexpected 400', { status: 400, code: 'APIG.2011' }, { reason: 'unexpected_response', httpStatus: 400 }],
    ['a 200 with a garbage body', { body: 'garbage' }, { reason: 'unexpected_response', httpStatus: 200 }],
    ['a 200 without a status', { body: '{"progress":30}' }, { reason: 'unexpected_response', httpStatus: 200 }],
    ['a reset connection', { reset: true }, { reason: 'network' }],
  ];

  it.each(retryable)('throws a retryable error for %s', async (_, fault, expected) => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [fault]);

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject(expected);
    expect(progressRequestsOf(target)).toHaveLength(1);
  });

  it('answers forbidden for a 403 and names the missing permission', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 403, code: 'APIC.7106' }]);

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'forbidden', httpStatus: 403, code: 'APIC.7106' });
    expect((error as Error).message).toContain('apig:instance:getCreateProgress');
  });

  it('answers not_found for a scripted 404', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 404 }]);

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'not_found', httpStatus: 404, code: 'APIC.7302' });
  });

  it('answers not_found for an instance the gateway does not know', async () => {
    // Prepare
    const target = { projectId: hexId(), instanceId: hexId(), region: 'ap-southeast-1' };

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'not_found', code: 'APIC.7302' });
  });

  it('answers a wrong APIG_ENDPOINT (404 APIG.0101: no such API) as retryable, not as a missing gateway', async () => {
    // Prepare
    const target = gatewayFactory();
    const misconfigured = sourceFactory(undefined, { endpoint: `${simulator.url}/not-apig` });

    // Act
    const error = await failureOf(misconfigured.fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject({ reason: 'wrong_endpoint', code: 'APIG.0101' });
  });

  it.each([
    ['a plain server answering 404 without an APIG error code', '<h1>Not Found</h1>', 'text/html'],
    ['a 404 carrying an error code that is not an instance one', '{"error_code":"SVC.0404","error_msg":"No route"}', 'application/json'],
  ])('answers %s as a wrong APIG_ENDPOINT (retryable), not as a missing gateway', async (_, body, contentType) => {
    // Prepare
    const plain = createServer((__, response) => response.writeHead(404, { 'Content-Type': contentType }).end(body));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const foreign = sourceFactory(undefined, { endpoint: `http://127.0.0.1:${(plain.address() as AddressInfo).port}` });

    // Act
    const error = await failureOf(foreign.fetchProgress(gatewayFactory())).finally(() => new Promise((resolve) => plain.close(resolve)));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject({ reason: 'wrong_endpoint', httpStatus: 404 });
    expect((error as Error).message).toMatch(/answered HTTP 404 .*check APIG_ENDPOINT$/);
  });

  it('answers not_found for APIG.3030, "The instance does not exist"', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 404, code: 'APIG.3030', message: 'The instance does not exist' }]);

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'not_found', code: 'APIG.3030' });
  });

  it('answers unauthorized at once for a 401 with a static token, without asking again', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 401, code: 'APIC.7102' }]);

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'unauthorized', code: 'APIC.7102' });
    expect(progressRequestsOf(target)).toHaveLength(1);
  });

  it('answers unauthorized for an unknown static token', async () => {
    // Prepare
    const target = gatewayFactory();

    // Act
    const error = await failureOf(sourceFactory({ mode: 'token', token: 'not-a-token' }).fetchProgress(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'unauthorized', httpStatus: 401 });
  });

  it.each([
    ['a refused connection', 'http://127.0.0.1:1', 'ECONNREFUSED'],
    ['a host name that does not resolve (a mistyped region)', 'https://apig.{region}.invalid', 'ENOTFOUND'],
  ])('calls %s unreachable, naming the address, the error and the setting to check', async (_, endpoint, code) => {
    // Act
    const error = await failureOf(sourceFactory(undefined, { endpoint }).fetchProgress(gatewayFactory()));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject({ reason: 'unreachable' });
    expect((error as Error).message).toContain(`(${code})`);
    expect((error as Error).message).toContain(endpoint.replace('{region}', 'ap-southeast-1'));
    expect((error as Error).message).toMatch(/check APIG_ENDPOINT and the region$/);
  });

  it('gives up with a timeout when the answer is slower than the request timeout', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ delayMs: 5000 }]);
    const startedMs = Date.now();

    // Act
    const error = await failureOf(sourceFactory(undefined, { requestTimeoutMs: 200 }).fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(Date.now() - startedMs).toBeLessThan(4000); // not waiting for the answer (5 s), with room for a stalled machine
  });

  it('reads a slow answer that arrives within the request timeout', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ delayMs: 100 }]);

    // Act
    const report = await sourceFactory(undefined, { requestTimeoutMs: 2000 }).fetchProgress(target);

    // Assess
    expect(report.status).toBe('creating');
  });

  it('answers unreachable when nothing listens on the endpoint', async () => {
    // Prepare
    const closed = await startApigSimulator();
    await closed.close();
    const target = { projectId: hexId(), instanceId: hexId(), region: 'ap-southeast-1' };

    // Act
    const error = await failureOf(sourceFactory(undefined, { endpoint: closed.url }).fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject({ reason: 'unreachable' });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it("answers throttled when the gateway's rate limit is exceeded", async () => {
    // Prepare
    const limited = await startApigSimulator({ now, rateLimitPerSecond: 2, credentials: { tokens: [STATIC_TOKEN] } });
    const target = { projectId: hexId(), instanceId: hexId(), region: 'ap-southeast-1' };
    limited.addGateway({ ...target, steps: [{ atMs: 0, progress: 30 }], finish: null });
    const source = sourceFactory(undefined, { endpoint: limited.url });

    try {
      // Act
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => source.fetchProgress(target)));

      // Assess
      const throttled = results.filter((result) => result.status === 'rejected' && (result.reason as ApigRetryableError).reason === 'throttled');
      expect(throttled.length).toBeGreaterThanOrEqual(1);
      expect(throttled).toHaveLength(results.filter((result) => result.status === 'rejected').length);
      expect(limited.stats().throttled).toBe(throttled.length);
    } finally {
      await limited.close();
    }
  });
});

describe('AK/SK signing', () => {
  it('is accepted with a valid access key and secret', async () => {
    // Prepare
    const target = gatewayFactory();

    // Act
    const report = await sourceFactory({ mode: 'aksk', ...AKSK }).fetchProgress(target);

    // Assess
    expect(report.status).toBe('creating');
    expect(progressRequestsOf(target)).toEqual([expect.objectContaining({ auth: 'aksk', status: 200 })]);
  });

  it('is refused as unauthorized (401 APIG.0301) when the secret is tampered with, without asking again while the clocks agree', async () => {
    // Prepare
    const target = gatewayFactory();

    // Act
    const error = await failureOf(sourceFactory({ mode: 'aksk', accessKey: AKSK.accessKey, secretKey: `${AKSK.secretKey}!` }).fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'unauthorized', code: 'APIG.0301' });
    expect(progressRequestsOf(target)).toEqual([expect.objectContaining({ auth: 'aksk', status: 401 })]);
  });

  it("signs once more on Huawei's clock after a refusal that shows ours 16 minutes ahead, and keeps the correction", async () => {
    // Prepare
    const target = gatewayFactory();
    const log = recordingLog();
    const source = sourceFactory({ mode: 'aksk', ...AKSK }, { now: () => clockMs + 16 * 60 * 1000, log });

    // Act
    const reports = [await source.fetchProgress(target), await source.fetchProgress(target)];

    // Assess
    expect(reports.map((report) => report.status)).toEqual(['creating', 'creating']);
    expect(progressRequestsOf(target).map((request) => request.status)).toEqual([401, 200, 200]);
    expect(log.lines.join('\n')).toMatch(/clock differs from ours/);
  });

  it('corrects a clock 20 minutes behind too, for concurrent requests refused together', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory({ mode: 'aksk', ...AKSK }, { now: () => clockMs - 20 * 60 * 1000 });

    // Act
    const reports = await Promise.all([1, 2, 3].map(() => source.fetchProgress(target)));

    // Assess
    expect(reports.map((report) => report.status)).toEqual(['creating', 'creating', 'creating']);
    expect(progressRequestsOf(target).filter((request) => request.status === 401)).toHaveLength(3);
    expect(progressRequestsOf(target).filter((request) => request.status === 200)).toHaveLength(3);
  });

  it('answers unauthorized after exactly one corrected retry when the signature is refused again', async () => {
    // Prepare
    const target = gatewayFactory();
    const wrongSecret = { mode: 'aksk' as const, accessKey: AKSK.accessKey, secretKey: `${AKSK.secretKey}!` };

    // Act
    const error = await failureOf(sourceFactory(wrongSecret, { now: () => clockMs + 16 * 60 * 1000 }).fetchProgress(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'unauthorized', code: 'APIG.0301' });
    expect(progressRequestsOf(target).map((request) => request.status)).toEqual([401, 401]);
  });

  it('sends and signs the security token of temporary credentials', async () => {
    // Prepare
    const target = gatewayFactory();

    // Act
    const report = await sourceFactory({ mode: 'aksk', ...TEMPORARY_AKSK }).fetchProgress(target);

    // Assess
    expect(report.status).toBe('creating');
  });

  it('is refused when temporary credentials come without their security token', async () => {
    // Prepare
    const target = gatewayFactory();
    const { securityToken: _, ...withoutToken } = TEMPORARY_AKSK;

    // Act
    const error = await failureOf(sourceFactory({ mode: 'aksk', ...withoutToken }).fetchProgress(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'unauthorized' });
  });
});

describe('IAM password login', () => {
  it('logs in once and reuses the token for later calls', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    const reports = [await source.fetchProgress(target), await source.fetchProgress(target), await source.fetchProgress(target)];

    // Assess
    expect(reports.map((report) => report.status)).toEqual(['creating', 'creating', 'creating']);
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
    expect(progressRequestsOf(target).map((request) => [request.auth, request.status])).toEqual([
      ['token', 200],
      ['token', 200],
      ['token', 200],
    ]);
  });

  it('shares one login between concurrent first calls', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    await Promise.all([1, 2, 3, 4, 5].map(() => source.fetchProgress(target)));

    // Assess
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
  });

  it('logs in per project, since a token is scoped to one project', async () => {
    // Prepare
    const first = gatewayFactory();
    const second = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    await source.fetchProgress(first);
    await source.fetchProgress(second);
    await source.fetchProgress(first);

    // Assess
    expect(simulator.stats().iamLogins - loginsBefore).toBe(2);
  });

  it('logs in again 5 minutes before the token expires, not earlier', async () => {
    // Prepare
    const target = gatewayFactory({ finish: null });
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    await source.fetchProgress(target);
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    clockMs += 24 * HOUR_MS - 6 * 60 * 1000;
    await source.fetchProgress(target);
    const loginsSixMinutesBefore = simulator.stats().iamLogins - loginsBefore;
    clockMs += 60 * 1000;
    await source.fetchProgress(target);
    const loginsFiveMinutesBefore = simulator.stats().iamLogins - loginsBefore;

    // Assess
    expect(loginsSixMinutesBefore).toBe(0);
    expect(loginsFiveMinutesBefore).toBe(1);
  });

  it('gets one fresh token after the cached one is revoked (401 APIC.7102), then succeeds', async () => {
    // Prepare
    const target = gatewayFactory();
    const log = recordingLog();
    const source = sourceFactory(PASSWORD_CREDENTIALS, { log });
    await source.fetchProgress(target);
    const loginsBefore = simulator.stats().iamLogins;
    simulator.revokeTokens();

    // Act
    const report = await source.fetchProgress(target);

    // Assess
    expect(report.status).toBe('creating');
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
    expect(progressRequestsOf(target).map((request) => request.status)).toEqual([200, 401, 200]);
    expect(log.lines.join('\n')).not.toMatch(/MIIsimulated|correct horse/);
  });

  it('refreshes once, not once per caller, when concurrent calls find the token revoked', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    await source.fetchProgress(target);
    const loginsBefore = simulator.stats().iamLogins;
    simulator.revokeTokens();

    // Act
    const reports = await Promise.all([1, 2, 3, 4].map(() => source.fetchProgress(target)));

    // Assess
    expect(reports.map((report) => report.status)).toEqual(['creating', 'creating', 'creating', 'creating']);
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
  });

  it('answers unauthorized when the fresh token is refused too, after exactly one retry', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    simulator.fail(target.projectId, target.instanceId, [
      { status: 401, code: 'APIC.7102' },
      { status: 401, code: 'APIC.7102' },
    ]);
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    const error = await failureOf(source.fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'unauthorized', code: 'APIC.7102' });
    expect(progressRequestsOf(target)).toHaveLength(2);
    expect(simulator.stats().iamLogins - loginsBefore).toBe(2);
  });

  it('does not ask for a fresh token on a 401 that is not about the token', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    simulator.fail(target.projectId, target.instanceId, [{ status: 401, code: 'APIC.7104' }]);

    // Act
    const error = await failureOf(source.fetchProgress(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'unauthorized', code: 'APIC.7104' });
    expect(progressRequestsOf(target)).toHaveLength(1);
  });

  it('answers a wrong password with a refused login (retryable, not yet confirmed) and exactly one IAM login across concurrent and later calls', async () => {
    // Prepare
    const target = gatewayFactory();
    const log = recordingLog();
    const wrongPassword = 'wrong horse';
    const source = sourceFactory({ ...PASSWORD_CREDENTIALS, password: wrongPassword }, { log });
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    const concurrent = await Promise.allSettled([1, 2, 3, 4].map(() => source.fetchProgress(target)));
    const later = [await failureOf(source.fetchProgress(target)), await failureOf(source.fetchProgress(target))];

    // Assess
    const errors = [...concurrent.map((result) => (result.status === 'rejected' ? result.reason : result)), ...later];
    for (const error of errors) {
      expect(error).toBeInstanceOf(IamLoginRefusedError);
      expect(error).toMatchObject({ reason: 'login_refused', httpStatus: 401, confirmedAtMs: null });
    }
    expect(errors.map((error) => (error as IamLoginRefusedError).fresh)).toEqual([true, true, true, true, false, false]);
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
    expect(progressRequestsOf(target)).toHaveLength(0);
    expect(log.lines.join('\n')).not.toContain(wrongPassword);
  });

  it('asks IAM again for a refused project after 5 minutes, not before, and calls the second refusal confirmed', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory({ ...PASSWORD_CREDENTIALS, password: 'wrong horse' });
    await failureOf(source.fetchProgress(target));
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    clockMs += REFUSED_LOGIN_RETRY_MS - 1000;
    const justBefore = await failureOf(source.fetchProgress(target));
    const loginsJustBefore = simulator.stats().iamLogins - loginsBefore;
    clockMs += 1000;
    const after = await failureOf(source.fetchProgress(target));
    const fromMemory = await failureOf(source.fetchProgress(target));

    // Assess
    expect(justBefore).toMatchObject({ confirmedAtMs: null, fresh: false });
    expect(loginsJustBefore).toBe(0);
    expect(after).toMatchObject({ confirmedAtMs: clockMs, fresh: true });
    expect(fromMemory).toMatchObject({ confirmedAtMs: clockMs, fresh: false });
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
  });

  it('does not confirm a refusal by one more than 15 minutes older', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory({ ...PASSWORD_CREDENTIALS, password: 'wrong horse' });
    await failureOf(source.fetchProgress(target));

    // Act
    clockMs += REFUSAL_CONFIRMS_WITHIN_MS + 1000;
    const late = await failureOf(source.fetchProgress(target));

    // Assess
    expect(late).toMatchObject({ confirmedAtMs: null, fresh: true });
  });

  it('forgets a refusal once IAM accepts the login: a hiccup is never confirmed by a later one', async () => {
    // Prepare: IAM refuses once, accepts 5 minutes later, and refuses once more when the token is renewed.
    const target = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    simulator.failLogins([{ status: 401, message: 'IAM is having a moment.' }]);
    const hiccup = await failureOf(source.fetchProgress(target));
    clockMs += REFUSED_LOGIN_RETRY_MS;

    // Act
    const report = await source.fetchProgress(target);
    simulator.revokeTokens();
    simulator.failLogins([{ status: 401, message: 'IAM is having another moment.' }]);
    const secondHiccup = await failureOf(source.fetchProgress(target));

    // Assess
    expect(hiccup).toMatchObject({ confirmedAtMs: null, fresh: true });
    expect(report.status).toBe('creating');
    expect(secondHiccup).toBeInstanceOf(IamLoginRefusedError);
    expect(secondHiccup).toMatchObject({ confirmedAtMs: null, fresh: true });
  });

  it('remembers a refused login for its project only: another project still logs in and polls', async () => {
    // Prepare
    const refused = gatewayFactory();
    const other = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    simulator.failLogins([{ status: 401, message: 'The username or password is wrong.' }]);
    await failureOf(source.fetchProgress(refused));
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    const report = await source.fetchProgress(other);
    const again = await failureOf(source.fetchProgress(refused));

    // Assess
    expect(report.status).toBe('creating');
    expect(again).toBeInstanceOf(IamLoginRefusedError);
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
    expect(progressRequestsOf(refused)).toHaveLength(0);
  });

  it('never names the IAM user, password or domain in an error or a log line, even when IAM echoes them', async () => {
    // Prepare
    const target = gatewayFactory();
    const log = recordingLog();
    const source = sourceFactory(PASSWORD_CREDENTIALS, { log });
    simulator.failLogins([{ status: 401, message: `The password ${USER.password} of user ${USER.name} in domain ${USER.domain} is wrong.` }]);

    // Act
    const error = (await failureOf(source.fetchProgress(target))) as Error;

    // Assess
    expect(error).toBeInstanceOf(IamLoginRefusedError);
    const said = `${error.message}\n${log.lines.join('\n')}`;
    for (const secret of [USER.name, USER.password, USER.domain]) expect(said).not.toContain(secret);
    expect(error.message).toContain('HUAWEICLOUD_IAM_PASSWORD');
  });

  it('gets one fresh token after a 401 APIG.0301 ("decrypt token fail") from the gateway in front, then succeeds', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory(PASSWORD_CREDENTIALS);
    await source.fetchProgress(target);
    simulator.fail(target.projectId, target.instanceId, [
      { status: 401, code: 'APIG.0301', message: 'Incorrect IAM authentication information: decrypt token fail' },
    ]);
    const loginsBefore = simulator.stats().iamLogins;

    // Act
    const report = await source.fetchProgress(target);

    // Assess
    expect(report.status).toBe('creating');
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
    expect(progressRequestsOf(target).map((request) => request.status)).toEqual([200, 401, 200]);
  });

  it('does not retry a 401 APIG.0301 with a static token: the same token would be refused again', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 401, code: 'APIG.0301' }]);

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'unauthorized', code: 'APIG.0301' });
    expect(progressRequestsOf(target)).toHaveLength(1);
  });
});

describe('redirects', () => {
  let elsewhere: WebhookReceiver;
  beforeAll(async () => {
    elsewhere = await startWebhookReceiver();
  });
  afterAll(async () => {
    await elsewhere.close();
  });

  const modes: [string, ApigCredentials][] = [
    ['a static token', { mode: 'token', token: STATIC_TOKEN }],
    ['an AK/SK signature', { mode: 'aksk', ...TEMPORARY_AKSK }],
    ['an IAM token', PASSWORD_CREDENTIALS],
  ];
  const statuses = [301, 302, 303, 307, 308] as const;

  it.each(modes.flatMap(([name, credentials]) => statuses.map((status) => [name, status, credentials] as const)))(
    'never follows a progress answer redirecting %s with HTTP %d to another host: a transient error naming APIG_ENDPOINT',
    async (_, status, credentials) => {
      // Prepare
      const target = gatewayFactory();
      simulator.fail(target.projectId, target.instanceId, [{ redirectTo: `${elsewhere.url}/steal`, status }]);

      // Act
      const error = await failureOf(sourceFactory(credentials).fetchProgress(target));

      // Assess
      expect(error).toBeInstanceOf(ApigRetryableError);
      expect(error).toMatchObject({ reason: 'unexpected_response', httpStatus: status });
      expect((error as Error).message).toContain('APIG_ENDPOINT');
      expect((error as Error).message).toContain(elsewhere.url);
      expect(elsewhere.received()).toEqual([]);
    },
  );

  it.each([302, 307, 308] as const)(
    'never follows an IAM login redirected with HTTP %d: the password stays home, and the error names IAM_ENDPOINT',
    async (status) => {
      // Prepare
      const target = gatewayFactory();
      simulator.failLogins([{ redirectTo: `${elsewhere.url}/v3/auth/tokens`, status }]);

      // Act
      const error = await failureOf(sourceFactory(PASSWORD_CREDENTIALS).fetchProgress(target));

      // Assess
      expect(error).toBeInstanceOf(ApigRetryableError);
      expect(error).toMatchObject({ reason: 'unexpected_response', httpStatus: status });
      expect((error as Error).message).toContain('IAM_ENDPOINT');
      expect(elsewhere.received()).toEqual([]);
      expect(progressRequestsOf(target)).toHaveLength(0);
    },
  );

  it('polls normally once the endpoint stops redirecting', async () => {
    // Prepare
    const target = gatewayFactory();
    const source = sourceFactory();
    simulator.fail(target.projectId, target.instanceId, [{ redirectTo: `${elsewhere.url}/steal` }]);
    await failureOf(source.fetchProgress(target));

    // Act
    const report = await source.fetchProgress(target);

    // Assess
    expect(report.status).toBe('creating');
  });
});

describe('bounds on what Huawei answers', () => {
  const padded = (bytes: number) => {
    const head = '{"status":"creating","progress":30,"pad":"';
    return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
  };

  it('refuses a progress answer larger than 64 KiB as a transient error, without reading it all', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ body: padded(MAX_ANSWER_BYTES + 1) }]);

    // Act
    const error = await failureOf(sourceFactory().fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject({ reason: 'unexpected_response' });
    expect((error as Error).message).toContain('64 KiB');
  });

  it('reads a progress answer of exactly 64 KiB', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ body: padded(MAX_ANSWER_BYTES) }]);

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report).toMatchObject({ status: 'creating', progress: 30 });
  });

  it('refuses an IAM answer larger than 64 KiB as a transient error, never as a refused login', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.failLogins([{ body: 'x'.repeat(10 * MAX_ANSWER_BYTES) }]);

    // Act
    const error = await failureOf(sourceFactory(PASSWORD_CREDENTIALS).fetchProgress(target));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect((error as Error).message).toMatch(/IAM login answered more than 64 KiB/);
  });

  it(`cuts error_msg to ${ECHOED_TEXT_MAX_CHARS} characters before it goes anywhere`, async () => {
    // Prepare
    const target = gatewayFactory({
      createdAtMs: clockMs - HOUR_MS,
      finish: { atMs: 60_000, status: 'failed', errorCode: 'APIC.9206', errorMsg: 'create failed: '.repeat(1000) },
    });

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report.errorMsg).toHaveLength(ECHOED_TEXT_MAX_CHARS);
    expect(report.errorMsg?.endsWith('…')).toBe(true);
  });

  it(`cuts status and error_code to ${ECHOED_WORD_MAX_CHARS} characters`, async () => {
    // Prepare
    const target = gatewayFactory();
    const body = JSON.stringify({ status: 'S'.repeat(1000), error_code: 'C'.repeat(1000), progress: 30 });
    simulator.fail(target.projectId, target.instanceId, [{ body }]);

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report.status).toHaveLength(ECHOED_WORD_MAX_CHARS);
    expect(report.errorCode).toHaveLength(ECHOED_WORD_MAX_CHARS);
  });

  it('cuts the echoed message of an error answer, so the error stays short', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 500, code: 'APIC.9000', message: 'y'.repeat(10_000) }]);

    // Act
    const error = (await failureOf(sourceFactory().fetchProgress(target))) as Error;

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error.message).toContain(`${'y'.repeat(ECHOED_TEXT_MAX_CHARS - 1)}…`);
    expect(error.message.length).toBeLessThan(ECHOED_TEXT_MAX_CHARS + 100);
  });

  const implausible: [string, number][] = [
    ['1 second after 1970', 1],
    ['a negative number', -5],
    ['the last second of 1999 (ms)', Date.UTC(1999, 11, 31, 23, 59, 59)],
    ['the year 2100 (ms)', Date.UTC(2100, 0, 1)],
    ['the year 2200 (ms)', Date.UTC(2200, 0, 1)],
    ['a number too large for a date', 1e300],
  ];

  it.each(implausible)('reads a start_time and end_time of %s as missing, never as a date', async (_, timestamp) => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [
      { body: JSON.stringify({ status: 'creating', progress: 30, start_time: timestamp, end_time: timestamp }) },
    ]);

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report).toMatchObject({ status: 'creating', startTimeMs: null, endTimeMs: null });
  });

  it('keeps a plausible time in seconds from the year 2000 on', async () => {
    // Prepare
    const target = gatewayFactory();
    const startSeconds = Date.UTC(2000, 0, 1) / 1000;
    simulator.fail(target.projectId, target.instanceId, [{ body: JSON.stringify({ status: 'creating', start_time: startSeconds }) }]);

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report.startTimeMs).toBe(Date.UTC(2000, 0, 1));
  });
});

describe('echoed text from Huawei', () => {
  it('removes bidi overrides, zero-width and control characters from error_msg, error_code and status', async () => {
    // Prepare
    const target = gatewayFactory();
    const body = JSON.stringify({
      status: 'Fail\u200Bed',
      error_code: 'APIC.92\u202E18',
      error_msg: 'quota\u202E exceeded\u200D,\u0085ask\u001B[31m for\u0080 more\u2066',
      progress: 0,
    });
    simulator.fail(target.projectId, target.instanceId, [{ body }]);

    // Act
    const report = await sourceFactory().fetchProgress(target);

    // Assess
    expect(report).toMatchObject({ status: 'failed', errorCode: 'APIC.9218', errorMsg: 'quota exceeded, ask[31m for more' });
  });

  it('removes them from the message of an error answer too', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 500, message: 'internal\u202E error\u0007' }]);

    // Act
    const error = (await failureOf(sourceFactory().fetchProgress(target))) as Error;

    // Assess
    expect(error.message).toContain('internal error');
    expect(error.message).not.toMatch(/[\u202E\u0007]/);
  });
});
