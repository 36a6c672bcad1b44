import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECHOED_WORD_MAX_CHARS } from '../../lib/echoed-text.js';
import { createInstanceDetailSource } from '../../lib/apig/instance-detail-client.js';
import type { InstanceDetailAnswer } from '../../lib/watch/ports/progress-source.js';
import { createProgressSource } from '../../lib/apig/progress-client.js';
import type { ApigConfig } from '../../lib/apig/types.js';
import { GONE, startApigSimulator, type ApigSimulator, type SimulatedGateway } from '../../lib/simulator/index.js';
import { ApigRetryableError, ApigTerminalError, type ProgressTarget } from '../../lib/watch/ports/progress-source.js';

/**
 * The instance detail client (ShowDetailsOfInstanceV2) against the simulator: the detail read and
 * normalised through a gateway's lifecycle, Huawei's not-found as `gone`, and every error answer
 * sorted into the taxonomy the progress client uses.
 */

const STATIC_TOKEN = 'static-token-for-detail-tests';
const MINUTE_MS = 60_000;
let clockMs = Date.parse('2026-11-28T10:00:00Z');
const now = () => clockMs;
let simulator: ApigSimulator;

beforeAll(async () => {
  simulator = await startApigSimulator({ now, credentials: { tokens: [STATIC_TOKEN] } });
});

afterAll(async () => {
  await simulator.close();
});

const configFor = (endpoint: string): ApigConfig => ({
  credentials: { mode: 'token', token: STATIC_TOKEN },
  apigEndpoint: endpoint,
  iamEndpoint: endpoint,
  requestTimeoutMs: 2000,
});
const detailSource = () => createInstanceDetailSource(configFor(simulator.url), { now });

/** Adds a gateway created now whose progress reports success after 5 minutes, with `spec` over it. */
function gatewayFactory(spec: Partial<SimulatedGateway> = {}): ProgressTarget {
  const target = { projectId: randomBytes(16).toString('hex'), instanceId: randomBytes(16).toString('hex'), region: 'ap-southeast-1' };
  simulator.addGateway({ ...target, steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 5 * MINUTE_MS, status: 'success' }, ...spec });
  return target;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

const statusOf = (answer: InstanceDetailAnswer) => (answer.kind === 'detail' ? answer.detail.status : answer.kind);

describe('reading the instance detail', () => {
  it('reads a running gateway: status, code, name, spec, public and private ingress, enterprise project', async () => {
    // Prepare
    const target = gatewayFactory({ instanceName: 'orders-gw-prod', createdAtMs: clockMs - 10 * MINUTE_MS });

    // Act
    const answer = await detailSource().fetchInstanceDetail(target);

    // Assess
    expect(answer).toEqual({
      kind: 'detail',
      detail: {
        status: 'Running',
        instanceStatus: 6,
        name: 'orders-gw-prod',
        spec: 'PROFESSIONAL',
        publicIngressAddress: expect.stringMatching(/^203\.0\.113\.\d+$/),
        privateIngressAddress: expect.stringMatching(/^192\.168\.0\.\d+$/),
        enterpriseProjectId: '0',
      },
    });
    expect(simulator.stats().detailRequests).toBeGreaterThan(0);
  });

  it('reads CreateSuccess as Huawei sends it, after the progress API already said success', async () => {
    // Prepare
    const target = gatewayFactory({
      createdAtMs: clockMs - 6 * MINUTE_MS,
      afterCreation: { phases: [{ status: 'CreateSuccess', forMs: 5 * MINUTE_MS }], end: 'Running' },
    });
    const progress = createProgressSource(configFor(simulator.url), { now });

    // Act
    const [report, answer] = [await progress.fetchProgress(target), await detailSource().fetchInstanceDetail(target)];

    // Assess
    expect(report.status).toBe('success');
    expect(answer).toMatchObject({ kind: 'detail', detail: { status: 'CreateSuccess', instanceStatus: 2 } });
  });

  it('follows a resize scripted now: Resizing, then ResizeFailed', async () => {
    // Prepare
    const target = gatewayFactory({ createdAtMs: clockMs - 60 * MINUTE_MS });
    simulator.operate(target.projectId, target.instanceId, {
      operation: 'resize',
      phases: [{ status: 'Resizing', forMs: 20 * MINUTE_MS }],
      end: 'ResizeFailed',
    });
    const source = detailSource();

    // Act
    const during = await source.fetchInstanceDetail(target);
    clockMs += 20 * MINUTE_MS;
    const after = await source.fetchInstanceDetail(target);

    // Assess
    expect([statusOf(during), statusOf(after)]).toEqual(['Resizing', 'ResizeFailed']);
    expect(after).toMatchObject({ detail: { instanceStatus: 43 } });
  });

  it('answers gone, not an error, once a deletion has ended: the same not-found the progress API answers', async () => {
    // Prepare
    const target = gatewayFactory({ createdAtMs: clockMs - 60 * MINUTE_MS });
    simulator.operate(target.projectId, target.instanceId, { operation: 'deletion', phases: [{ status: 'Deleting', forMs: 2 * MINUTE_MS }], end: GONE });
    const source = detailSource();

    // Act
    const during = await source.fetchInstanceDetail(target);
    clockMs += 2 * MINUTE_MS;
    const after = await source.fetchInstanceDetail(target);
    const progressFailure = await failureOf(createProgressSource(configFor(simulator.url), { now }).fetchProgress(target));

    // Assess
    expect(statusOf(during)).toBe('Deleting');
    expect(after).toEqual({ kind: 'gone' });
    expect(progressFailure).toMatchObject({ outcome: 'not_found', code: 'APIC.7302' });
  });

  it('answers gone for a gateway the simulator never knew, and for APIG.3030 "The instance does not exist"', async () => {
    // Prepare
    const unknown = { projectId: 'a'.repeat(32), instanceId: 'b'.repeat(32), region: 'ap-southeast-1' };
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 404, code: 'APIG.3030', message: 'The instance does not exist' }], 'detail');

    // Act
    const answers = [await detailSource().fetchInstanceDetail(unknown), await detailSource().fetchInstanceDetail(target)];

    // Assess
    expect(answers).toEqual([{ kind: 'gone' }, { kind: 'gone' }]);
  });

  it('reads a gateway without an EIP as no public address, and falls back to publicips and privateips', async () => {
    // Prepare
    const noEip = gatewayFactory({ createdAtMs: 0, detailFields: { eip_address: '', publicips: [] } });
    const listsOnly = gatewayFactory({
      createdAtMs: 0,
      detailFields: { eip_address: null, ingress_ip: null, publicips: [{ ip_address: '198.51.100.7' }], privateips: [{ ip_address: '10.0.0.7' }] },
    });

    // Act
    const [first, second] = [await detailSource().fetchInstanceDetail(noEip), await detailSource().fetchInstanceDetail(listsOnly)];

    // Assess
    expect(first).toMatchObject({ detail: { publicIngressAddress: null, privateIngressAddress: expect.stringMatching(/^192\.168\./) } });
    expect(second).toMatchObject({ detail: { publicIngressAddress: '198.51.100.7', privateIngressAddress: '10.0.0.7' } });
  });

  it('reads an answer with odd optional fields (a number for a name, no instance_status): only the status is required', async () => {
    // Prepare
    const target = gatewayFactory({ createdAtMs: 0 });
    simulator.fail(
      target.projectId,
      target.instanceId,
      [{ body: JSON.stringify({ status: 'Running', instance_name: 42, spec: ['x'], unknown: true }) }],
      'detail',
    );

    // Act
    const answer = await detailSource().fetchInstanceDetail(target);

    // Assess
    expect(answer).toEqual({
      kind: 'detail',
      detail: {
        status: 'Running',
        instanceStatus: null,
        name: null,
        spec: null,
        publicIngressAddress: null,
        privateIngressAddress: null,
        enterpriseProjectId: null,
      },
    });
  });
});

describe('the instance detail bounds and cleans what it echoes', () => {
  it(`cuts every echoed field to ${ECHOED_WORD_MAX_CHARS} characters and removes bidi overrides, zero-width and control characters`, async () => {
    // Prepare
    const long = 'x'.repeat(10_000);
    const target = gatewayFactory({
      createdAtMs: 0,
      detailFields: { status: `Run\u202Enin\u200Bg\u0007`, instance_name: long, spec: long, eip_address: long, ingress_ip: long, enterprise_project_id: long },
    });

    // Act
    const answer = await detailSource().fetchInstanceDetail(target);

    // Assess
    if (answer.kind !== 'detail') throw new Error('expected a detail');
    const { status, instanceStatus, ...echoed } = answer.detail;
    expect(status).toBe('Running');
    for (const value of Object.values(echoed)) expect([...(value ?? '')].length).toBe(ECHOED_WORD_MAX_CHARS);
  });
});

describe('instance detail error answers', () => {
  it('answers forbidden, terminal, for a 403, naming the permission apig:instance:get', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 403 }], 'detail');

    // Act
    const error = await failureOf(detailSource().fetchInstanceDetail(target));

    // Assess
    expect(error).toBeInstanceOf(ApigTerminalError);
    expect(error).toMatchObject({ outcome: 'forbidden', httpStatus: 403, code: 'APIC.7106', message: expect.stringContaining('apig:instance:get') });
  });

  it('answers a foreign 404 (no Huawei code, or APIG.0101) as a retryable wrong_endpoint, never as gone', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ status: 404, code: 'APIG.0101' }], 'detail');
    const plainServer = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((resolve) => plainServer.listen(0, '127.0.0.1', resolve));
    const plainUrl = `http://127.0.0.1:${(plainServer.address() as AddressInfo).port}`;

    // Act
    const noApi = await failureOf(detailSource().fetchInstanceDetail(target));
    const plain = await failureOf(createInstanceDetailSource(configFor(plainUrl), { now }).fetchInstanceDetail(target)).finally(() => plainServer.close());

    // Assess
    expect(noApi).toBeInstanceOf(ApigRetryableError);
    expect(noApi).toMatchObject({ reason: 'wrong_endpoint', httpStatus: 404, message: expect.stringContaining('APIG_ENDPOINT') });
    expect(plain).toBeInstanceOf(ApigRetryableError);
    expect(plain).toMatchObject({ reason: 'wrong_endpoint', httpStatus: 404 });
  });

  it.each([
    [{ status: 500 }, 'server_error'],
    [{ status: 503, code: 'APIC.9000' }, 'server_error'],
    [{ status: 429 }, 'throttled'],
    [{ status: 500, code: 'APIG.9008' }, 'throttled'],
    [{ body: 'not json' }, 'unexpected_response'],
    [{ body: '{"instance_name":"no status"}' }, 'unexpected_response'],
    [{ redirectTo: 'https://elsewhere.example.com/v2/instances' }, 'unexpected_response'],
  ] as const)('answers %j as retryable (%s)', async (fault, reason) => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [fault], 'detail');

    // Act
    const error = await failureOf(detailSource().fetchInstanceDetail(target));

    // Assess
    expect(error).toBeInstanceOf(ApigRetryableError);
    expect(error).toMatchObject({ reason });
  });

  it('answers a reset connection as a retryable network error', async () => {
    // Prepare
    const target = gatewayFactory();
    simulator.fail(target.projectId, target.instanceId, [{ reset: true }], 'detail');

    // Act
    const error = await failureOf(detailSource().fetchInstanceDetail(target));

    // Assess
    expect(error).toMatchObject({ reason: 'network' });
  });

  it('answers unauthorized, terminal, for refused credentials', async () => {
    // Prepare
    const target = gatewayFactory();
    const refused = createInstanceDetailSource({ ...configFor(simulator.url), credentials: { mode: 'token', token: 'wrong' } }, { now });

    // Act
    const error = await failureOf(refused.fetchInstanceDetail(target));

    // Assess
    expect(error).toMatchObject({ outcome: 'unauthorized' });
  });
});

describe('faults per endpoint', () => {
  it('takes a detail fault on the detail only, a progress fault on the progress only, and an any fault on whichever asks first', async () => {
    // Prepare
    const target = gatewayFactory();
    const progress = createProgressSource(configFor(simulator.url), { now });
    simulator.fail(target.projectId, target.instanceId, [{ status: 500 }], 'detail');
    simulator.fail(target.projectId, target.instanceId, [{ status: 429 }]);
    simulator.fail(target.projectId, target.instanceId, [{ status: 503 }], 'any');

    // Act
    const first = [await failureOf(progress.fetchProgress(target)), await failureOf(detailSource().fetchInstanceDetail(target))];
    const second = await failureOf(detailSource().fetchInstanceDetail(target));
    const healed = [await progress.fetchProgress(target), await detailSource().fetchInstanceDetail(target)];

    // Assess
    expect(first.map((error) => (error as ApigRetryableError).httpStatus)).toEqual([429, 500]);
    expect(second).toMatchObject({ httpStatus: 503 });
    expect(healed).toMatchObject([{ status: 'creating' }, { kind: 'detail', detail: { status: 'Creating' } }]);
  });
});
