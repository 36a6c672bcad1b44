import { randomBytes } from 'node:crypto';
import {
  ApigRetryableError,
  ApigTerminalError,
  IamAuthError,
  THROTTLED_RETRY_AFTER_SECONDS,
} from '../../lib/apig/errors.js';
import { createProgressSource } from '../../lib/apig/progress-client.js';
import type { ApigCredentials, ProgressTarget } from '../../lib/apig/types.js';
import {
  startApigSimulator,
  type ApigSimulator,
  type SimulatedFault,
  type SimulatedGateway,
} from '../../lib/dev/apig-simulator.js';
import type { Log } from '../../lib/logger.js';

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

  it('advises waiting within Huawei\'s 2–5 s when throttled', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 429, code: 'APIG.0308' }]);

    // Act
    const error = (await failureOf(sourceFactory().fetchProgress(target))) as ApigRetryableError;

    // Assess
    expect(error.retryAfterSeconds).toBe(THROTTLED_RETRY_AFTER_SECONDS);
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(2);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(5);
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
    expect(error).toMatchObject({ reason: 'unexpected_response', code: 'APIG.0101' });
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
    expect(Date.now() - startedMs).toBeLessThan(2000);
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

  it('answers throttled when the gateway\'s rate limit is exceeded', async () => {
    // Prepare
    const limited = await startApigSimulator({ now, rateLimitPerSecond: 2, credentials: { tokens: [STATIC_TOKEN] } });
    const target = { projectId: hexId(), instanceId: hexId(), region: 'ap-southeast-1' };
    limited.addGateway({ ...target, steps: [{ atMs: 0, progress: 30 }], finish: null });
    const source = sourceFactory(undefined, { endpoint: limited.url });

    try {
      // Act
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => source.fetchProgress(target)));

      // Assess
      const throttled = results.filter(
        (result) => result.status === 'rejected' && (result.reason as ApigRetryableError).reason === 'throttled',
      );
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

  it('is refused as unauthorized when the secret is tampered with', async () => {
    // Prepare
    const target = gatewayFactory();

    // Act
    const error = await failureOf(
      sourceFactory({ mode: 'aksk', accessKey: AKSK.accessKey, secretKey: `${AKSK.secretKey}!` }).fetchProgress(target),
    );

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'unauthorized', code: 'APIC.7102' });
    expect(progressRequestsOf(target)).toEqual([expect.objectContaining({ auth: 'aksk', status: 401 })]);
  });

  it('is refused when the signing clock is more than 15 minutes off', async () => {
    // Prepare
    const target = gatewayFactory();
    const skewedNow = () => clockMs + 16 * 60 * 1000;

    // Act
    const error = await failureOf(sourceFactory({ mode: 'aksk', ...AKSK }, { now: skewedNow }).fetchProgress(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'unauthorized' });
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

  it('answers a wrong password with unauthorized and exactly one IAM login across concurrent and later calls', async () => {
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
      expect(error).toBeInstanceOf(IamAuthError);
      expect(error).toMatchObject({ outcome: 'unauthorized', httpStatus: 401 });
    }
    expect(simulator.stats().iamLogins - loginsBefore).toBe(1);
    expect(progressRequestsOf(target)).toHaveLength(0);
    expect(log.lines.join('\n')).not.toContain(wrongPassword);
  });
});
