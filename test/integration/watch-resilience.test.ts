import type { SimulatedFault } from '../../lib/simulator/index.js';
import type { ReceivedRequest } from '../../devkit/webhook-receiver.js';
import { PROJECT_ID, watchRequestBody } from '../support/factories.js';
import {
  DEFAULT_WAIT_MS,
  MINUTE_MS,
  instanceIdFor,
  startPipeline,
  webhookEvent,
  type EnvOverrides,
  type Pipeline,
  type PipelineOptions,
} from '../support/pipeline.js';

/**
 * Transient Huawei failures that recover, and the three ways of authenticating against the
 * simulator, which checks AK/SK signatures and tokens the way APIG does.
 */

/** Two generic webhook targets: "once per target" without Slack's one-post-a-second spacing. */
const TARGET_PATHS = ['/hooks/first', '/hooks/second'] as const;
const IAM_PASSWORD_ENV: EnvOverrides = {
  HUAWEICLOUD_SDK_AK: undefined,
  HUAWEICLOUD_SDK_SK: undefined,
  HUAWEICLOUD_IAM_USER: 'simulator-user',
  HUAWEICLOUD_IAM_PASSWORD: 'simulator-password',
  HUAWEICLOUD_IAM_DOMAIN: 'simulator-domain',
};
const CREATION = {
  steps: [
    { atMs: 0, progress: 30 },
    { atMs: 1.5 * MINUTE_MS, progress: 50 },
  ],
  finish: { atMs: 2.5 * MINUTE_MS, status: 'success' as const },
};

let pipeline: Pipeline;

async function startWatching(env: EnvOverrides = {}, options: PipelineOptions = {}): Promise<Pipeline> {
  pipeline = await startPipeline(options);
  const { handler } = pipeline.watcher({ NOTIFY_URLS: TARGET_PATHS.map((path) => `webhook+${pipeline.receiver.url}${path}`).join(','), ...env });
  pipeline.run(handler);
  return pipeline;
}

/** Waits for the outcome of one instance at every target, then fails unless each got exactly one. */
async function outcomeOf(instanceId: string) {
  const about = (request: ReceivedRequest) => webhookEvent(request).data.instance_id === instanceId;
  for (const path of TARGET_PATHS) await pipeline.receiver.waitFor((request) => request.path === path && about(request), DEFAULT_WAIT_MS);
  await pipeline.waitForQuiet();
  const [first, second] = TARGET_PATHS.map((path) => pipeline.receiver.received(path).filter(about));
  expect([first!.length, second!.length]).toEqual([1, 1]);
  return webhookEvent(first![0]!);
}

describe('a watch recovers from transient Huawei failures and notifies succeeded exactly once per target', () => {
  const TRANSIENT_FAULTS: Array<[string, SimulatedFault[]]> = [
    [
      '500 APIC.9000 (internal error)',
      [
        { status: 500, code: 'APIC.9000' },
        { status: 500, code: 'APIC.9000' },
      ],
    ],
    [
      '500 APIG.9008 (too many requests, as a 500)',
      [
        { status: 500, code: 'APIG.9008' },
        { status: 500, code: 'APIG.9008' },
      ],
    ],
    [
      '429 APIG.0308 (throttling)',
      [
        { status: 429, code: 'APIG.0308' },
        { status: 429, code: 'APIG.0308' },
      ],
    ],
    ['connection resets', [{ reset: true }, { reset: true }]],
    ['an unreadable 200 answer', [{ body: '<html>bad gateway</html>' }]],
  ];
  const instanceOf = (kind: string) => instanceIdFor(100 + TRANSIENT_FAULTS.findIndex(([name]) => name === kind));

  // Prepare and act once for all kinds: one watch per kind, all at once, each failing its own way.
  beforeAll(async () => {
    await startWatching();
    for (const [kind, faults] of TRANSIENT_FAULTS) {
      pipeline.addGateway(instanceOf(kind), { ...CREATION, finish: { atMs: 0, status: 'success' } });
      pipeline.simulator.fail(PROJECT_ID, instanceOf(kind), faults);
    }
    await pipeline.send(...TRANSIENT_FAULTS.map(([kind]) => watchRequestBody({ instance_id: instanceOf(kind) })));
  });
  afterAll(async () => {
    await pipeline.stop();
  });

  it.each(TRANSIENT_FAULTS)('after %s', async (kind, faults) => {
    // Assess
    const event = await outcomeOf(instanceOf(kind));
    const requests = pipeline.progressRequests(instanceOf(kind));
    expect(event.data).toMatchObject({ outcome: 'succeeded', polls: faults.length + 1 });
    expect(requests).toHaveLength(faults.length + 1);
    expect(requests.at(-1)).toMatchObject({ status: 200 });
  });
});

describe('authentication against the simulated Huawei Cloud', () => {
  afterEach(async () => {
    await pipeline.stop();
  });

  it('signs every progress request with AK/SK (SDK-HMAC-SHA256), which the simulator verifies', async () => {
    // Prepare
    await startWatching();
    const instanceId = instanceIdFor(2);
    pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    expect((await outcomeOf(instanceId)).data.outcome).toBe('succeeded');
    const requests = pipeline.progressRequests(instanceId);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.every((request) => request.auth === 'aksk' && request.status === 200)).toBe(true);
    expect(pipeline.simulator.stats()).toMatchObject({ unauthorized: 0, iamLogins: 0 });
  });

  it('sends and signs the security token of temporary AK/SK credentials', async () => {
    // Prepare: the simulator refuses this key pair unless X-Security-Token is present and signed.
    const temporary = { accessKey: 'TEMPORARYACCESSKEY01', secretKey: 'temporary-secret-key', securityToken: 'sts-security-token-1' };
    await startWatching(
      { HUAWEICLOUD_SDK_AK: temporary.accessKey, HUAWEICLOUD_SDK_SK: temporary.secretKey, HUAWEICLOUD_SDK_SECURITY_TOKEN: temporary.securityToken },
      { simulator: { credentials: { aksk: [temporary] } } },
    );
    const instanceId = instanceIdFor(3);
    pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    expect((await outcomeOf(instanceId)).data.outcome).toBe('succeeded');
    expect(pipeline.simulator.stats().unauthorized).toBe(0);
  });

  it('logs in to IAM once and reuses the token across the steps of several watches', async () => {
    // Prepare
    await startWatching(IAM_PASSWORD_ENV);
    const instanceIds = [instanceIdFor(4), instanceIdFor(5), instanceIdFor(6)];
    for (const instanceId of instanceIds) pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(...instanceIds.map((instanceId) => watchRequestBody({ instance_id: instanceId })));

    // Assess
    for (const instanceId of instanceIds) expect((await outcomeOf(instanceId)).data.outcome).toBe('succeeded');
    const progress = pipeline.simulator.requests.filter((request) => request.path.endsWith('/progress'));
    expect(progress.length).toBeGreaterThan(instanceIds.length);
    expect(progress.every((request) => request.auth === 'token' && request.status === 200)).toBe(true);
    expect(pipeline.simulator.stats().iamLogins).toBe(1);
  });

  it('replaces an IAM token that Huawei stops accepting (401 APIC.7102) with one fresh login, and goes on', async () => {
    // Prepare
    await startWatching(IAM_PASSWORD_ENV);
    const instanceId = instanceIdFor(7);
    pipeline.addGateway(instanceId, CREATION);

    // Act: the first poll gets a token; then every issued token is invalidated.
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));
    await pipeline.waitForProgressRequests(instanceId, 1);
    pipeline.simulator.revokeTokens();

    // Assess
    expect((await outcomeOf(instanceId)).data.outcome).toBe('succeeded');
    expect(pipeline.simulator.stats()).toMatchObject({ iamLogins: 2, unauthorized: 1 });
  });
});
