import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ApigTerminalError } from '../../lib/watch/ports/progress-source.js';
import { GONE, startApigSimulator, type ApigSimulator, type SimulatedGateway } from '../../lib/simulator/index.js';
import { lambdaContext } from '../../devkit/local-event-source.js';
import { createInstanceLister } from '../../lib/discover/instance-list-client.js';
import { findNominatedGateways } from '../../lib/discover/discover-gateways.js';
import { createDiscoverer } from '../../lib/runtime/discoverer.js';
import { PROJECT_ID, watchRequestBody } from '../support/factories.js';
import { recordingLog, recordingMetrics } from '../support/fakes.js';
import { DEFAULT_WAIT_MS, MINUTE_MS, SIMULATOR_AK, SIMULATOR_SK, startPipeline, webhookEvent, type Pipeline } from '../support/pipeline.js';

/**
 * Discovery over real servers: Huawei's instance list played by the simulator (paged, mixed
 * statuses, two projects), the watch queue by fauxqs, and — end to end — the discover handler's
 * requests drained by the real poller: each gateway being created is notified exactly once.
 */

const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';
const CREATING_FOREVER = { steps: [{ atMs: 0, progress: 30 }], finish: null };
const apigConfig = (url: string) => ({
  credentials: { mode: 'aksk' as const, accessKey: SIMULATOR_AK, secretKey: SIMULATOR_SK },
  apigEndpoint: url,
  iamEndpoint: url,
  requestTimeoutMs: 5_000,
});
const projectIn = (projectId: string) => ({ region: 'ap-southeast-1', projectId });
/** Distinct instance ids for any n (zero-padded hex, 32 characters). */
const instanceIdFor = (n: number) => n.toString(16).padStart(32, '0');
/** Gateways of `projectId` numbered from `from`, all with `spec`. */
const gateways = (projectId: string, from: number, count: number, spec: Omit<SimulatedGateway, 'projectId' | 'instanceId'>): SimulatedGateway[] =>
  Array.from({ length: count }, (_, index) => ({ projectId, instanceId: instanceIdFor(from + index), ...spec }));

describe('the instance list client (ListInstancesV2)', () => {
  let simulator: ApigSimulator;
  afterEach(async () => simulator?.close());

  it('reads every page: 650 gateways being created in one project take two requests of 500', async () => {
    // Prepare
    simulator = await startApigSimulator();
    for (const gateway of gateways(PROJECT_ID, 1, 650, CREATING_FOREVER)) simulator.addGateway(gateway);

    // Act
    const listed = await createInstanceLister(apigConfig(simulator.url)).listGateways(projectIn(PROJECT_ID));

    // Assess
    expect(new Set(listed.map((gateway) => gateway.id)).size).toBe(650);
    expect(simulator.stats().listRequests).toBe(2);
  });

  it('lists every gateway whatever its status, over several pages, each with its status and name', async () => {
    // Prepare
    simulator = await startApigSimulator();
    const running = { steps: [], finish: { atMs: 0, status: 'success' as const } };
    const statuses = ['Creating', 'Running', 'Resizing', 'Unhealthy', 'DeleteFailed'];
    statuses.forEach((status, index) => {
      for (const gateway of gateways(PROJECT_ID, 1 + index * 200, 200, { ...running, listStatus: status })) simulator.addGateway(gateway);
    });

    // Act
    const listed = await createInstanceLister(apigConfig(simulator.url)).listGateways(projectIn(PROJECT_ID));

    // Assess
    expect(listed).toHaveLength(1000);
    const count = (status: string) => listed.filter((gateway) => gateway.status === status).length;
    expect(statuses.map(count)).toEqual([200, 200, 200, 200, 200]);
    expect(listed.find((gateway) => gateway.id === instanceIdFor(201))).toEqual({
      id: instanceIdFor(201),
      name: `gw-${instanceIdFor(201).slice(0, 8)}`,
      status: 'Running',
    });
    const pages = simulator.requests.filter((request) => request.path.endsWith('/apigw/instances'));
    expect(pages).toHaveLength(2);
  });

  it("lists each gateway's current status as its timeline unfolds: Running after creation, Resizing during a resize, gone once deleted", async () => {
    // Prepare
    let clockMs = Date.parse('2026-11-28T10:00:00Z');
    simulator = await startApigSimulator({ now: () => clockMs });
    const created = { steps: [], finish: { atMs: MINUTE_MS, status: 'success' as const } };
    simulator.addGateway({ projectId: PROJECT_ID, instanceId: instanceIdFor(1), ...created });
    simulator.addGateway({
      projectId: PROJECT_ID,
      instanceId: instanceIdFor(2),
      ...created,
      operations: [{ operation: 'deletion', atMs: 2 * MINUTE_MS, phases: [{ status: 'Deleting', forMs: MINUTE_MS }], end: GONE }],
    });
    simulator.operate(PROJECT_ID, instanceIdFor(1), {
      operation: 'resize',
      atMs: 2 * MINUTE_MS,
      phases: [{ status: 'Resizing', forMs: 10 * MINUTE_MS }],
      end: 'Running',
    });
    const lister = createInstanceLister(apigConfig(simulator.url), { now: () => clockMs });
    const statusesAt = async (minutes: number) => {
      clockMs = Date.parse('2026-11-28T10:00:00Z') + minutes * MINUTE_MS;
      const listed = await lister.listGateways(projectIn(PROJECT_ID));
      return Object.fromEntries(listed.map((gateway) => [gateway.id.slice(-1), gateway.status]));
    };

    // Act
    const timeline = [await statusesAt(0), await statusesAt(1.5), await statusesAt(2.5), await statusesAt(4), await statusesAt(13)];

    // Assess
    expect(timeline).toEqual([
      { 1: 'Creating', 2: 'Creating' },
      { 1: 'Running', 2: 'Running' },
      { 1: 'Resizing', 2: 'Deleting' },
      { 1: 'Resizing' },
      { 1: 'Running' },
    ]);
  });

  it('keeps only gateways being created for the sweep, across two projects with mixed statuses', async () => {
    // Prepare
    simulator = await startApigSimulator();
    const ended = { steps: [], finish: { atMs: 0, status: 'success' as const } };
    const failed = { steps: [], finish: { atMs: 0, status: 'failed' as const } };
    [
      ...gateways(PROJECT_ID, 1, 2, CREATING_FOREVER),
      ...gateways(PROJECT_ID, 3, 1, ended),
      ...gateways(PROJECT_ID, 4, 1, failed),
      ...gateways(PROJECT_ID, 5, 1, { ...CREATING_FOREVER, listStatus: 'Deleting' }),
      ...gateways(OTHER_PROJECT, 6, 1, CREATING_FOREVER),
      ...gateways(OTHER_PROJECT, 7, 1, { ...CREATING_FOREVER, listStatus: 'CreateTimeout' }),
    ].forEach((gateway) => {
      simulator.addGateway(gateway);
    });
    const lister = createInstanceLister(apigConfig(simulator.url));

    // Act
    const [first = [], second = []] = (await findNominatedGateways([projectIn(PROJECT_ID), projectIn(OTHER_PROJECT)], lister, recordingLog(), 'creation')).map(
      (sweep) => sweep.gateways,
    );

    // Assess
    expect(first.map((gateway) => gateway.id).sort()).toEqual([instanceIdFor(1), instanceIdFor(2)].sort());
    expect(second.map((gateway) => gateway.id)).toEqual([instanceIdFor(6)]);
    expect(first[0]).toMatchObject({ status: 'Creating', name: expect.stringMatching(/^gw-/) });
  });

  it('sees an empty list, not an error, when the credentials lack apig:instance:list (as Huawei answers)', async () => {
    // Prepare
    simulator = await startApigSimulator({ listPermission: false });
    for (const gateway of gateways(PROJECT_ID, 1, 3, CREATING_FOREVER)) simulator.addGateway(gateway);

    // Act
    const listed = await createInstanceLister(apigConfig(simulator.url)).listGateways(projectIn(PROJECT_ID));

    // Assess
    expect(listed).toEqual([]);
  });

  it('signs the list request like the progress request: refused credentials are an unauthorized error', async () => {
    // Prepare
    simulator = await startApigSimulator();
    const config = { ...apigConfig(simulator.url), credentials: { mode: 'aksk' as const, accessKey: SIMULATOR_AK, secretKey: 'wrong' } };

    // Act
    const listing = createInstanceLister(config).listGateways(projectIn(PROJECT_ID));

    // Assess
    await expect(listing).rejects.toBeInstanceOf(ApigTerminalError);
    await expect(listing).rejects.toMatchObject({ outcome: 'unauthorized' });
  });
});

describe('a discovery sweep to the watch queue', () => {
  let pipeline: Pipeline;
  afterEach(async () => pipeline?.stop());

  it('sends one discovered watch request per gateway being created, past 500 in one project, and logs each with its project', async () => {
    // Prepare
    pipeline = await startPipeline();
    for (const gateway of gateways(PROJECT_ID, 1, 520, CREATING_FOREVER)) pipeline.simulator.addGateway(gateway);
    for (const gateway of gateways(PROJECT_ID, 600, 3, { ...CREATING_FOREVER, listStatus: 'Running' })) pipeline.simulator.addGateway(gateway);
    for (const gateway of gateways(OTHER_PROJECT, 700, 2, CREATING_FOREVER)) pipeline.simulator.addGateway(gateway);
    const log = recordingLog();
    const metrics = recordingMetrics();
    const discoverer = createDiscoverer(pipeline.env({ DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT_ID},ap-southeast-1:${OTHER_PROJECT}` }), { log, metrics });

    // Act
    const summary = await discoverer.sweep();

    // Assess
    expect(summary.failed).toBe(false);
    expect(summary.projects.map(({ project, sent }) => [project.projectId, sent])).toEqual([
      [PROJECT_ID, 520],
      [OTHER_PROJECT, 2],
    ]);
    expect(await pipeline.queueDepth()).toBe(522);
    expect(metrics.counts.get('Discovered')).toBe(522);
    const discovered = log.lines.filter((line) => line.message === 'gateway discovered');
    expect(discovered).toHaveLength(522);
    expect(discovered[0]?.extra).toMatchObject({
      project_id: expect.any(String),
      region: 'ap-southeast-1',
      instance_id: expect.any(String),
      instance_name: expect.stringMatching(/^gw-/),
    });
    const { Messages = [] } = await pipeline.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeline.aws.queueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}').origin)).toEqual(Messages.map(() => 'discovery'));
  });

  it('does nothing, and says so, when DISCOVER_PROJECTS is empty', async () => {
    // Prepare
    pipeline = await startPipeline();
    for (const gateway of gateways(PROJECT_ID, 1, 2, CREATING_FOREVER)) pipeline.simulator.addGateway(gateway);
    const log = recordingLog();
    const discoverer = createDiscoverer(pipeline.env({ DISCOVER_PROJECTS: '' }), { log, metrics: recordingMetrics() });

    // Act
    const summary = await discoverer.sweep();

    // Assess
    expect(summary).toEqual({ projects: [], failed: false });
    expect(pipeline.simulator.requests).toEqual([]);
    expect(log.lines.map((line) => line.message)).toContain('discovery is off: DISCOVER_PROJECTS is empty');
  });

  it('reports a project it cannot list, after sweeping the others', async () => {
    // Prepare
    pipeline = await startPipeline();
    for (const gateway of gateways(OTHER_PROJECT, 1, 2, CREATING_FOREVER)) pipeline.simulator.addGateway(gateway);
    const log = recordingLog();
    const metrics = recordingMetrics();
    const env = pipeline.env({ DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT_ID},ap-southeast-1:${OTHER_PROJECT}`, HUAWEICLOUD_SDK_SK: 'wrong' });
    const refused = createDiscoverer(env, { log, metrics });

    // Act
    const summary = await refused.sweep();

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.projects.map((project) => project.error)).toEqual([
      expect.stringContaining('APIG refused the credentials'),
      expect.stringContaining('APIG refused the credentials'),
    ]);
    expect(metrics.counts.get('DiscoveryFailures{stage=list}')).toBe(2);
    expect(log.lines.filter((line) => line.level === 'error').map((line) => line.extra.project_id)).toEqual([PROJECT_ID, OTHER_PROJECT]);
  });
});

describe('sweep after sweep', () => {
  let pipeline: Pipeline;
  afterEach(async () => pipeline?.stop());

  it('never tries a refused IAM password again on the next sweep (repeated wrong passwords lock accounts)', async () => {
    // Prepare
    pipeline = await startPipeline();
    const env = pipeline.env({
      DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT_ID}`,
      HUAWEICLOUD_SDK_AK: undefined,
      HUAWEICLOUD_SDK_SK: undefined,
      HUAWEICLOUD_IAM_USER: 'simulator-user',
      HUAWEICLOUD_IAM_PASSWORD: 'wrong-password',
      HUAWEICLOUD_IAM_DOMAIN: 'simulator-domain',
    });
    const discoverer = createDiscoverer(env, { log: recordingLog(), metrics: recordingMetrics() });

    // Act
    const first = await discoverer.sweep();
    const second = await discoverer.sweep();

    // Assess
    expect([first.failed, second.failed]).toEqual([true, true]);
    expect(pipeline.simulator.stats().iamLogins).toBe(1);
  });

  it('logs in once for many sweeps with a good IAM password', async () => {
    // Prepare
    pipeline = await startPipeline();
    for (const gateway of gateways(PROJECT_ID, 1, 1, CREATING_FOREVER)) pipeline.simulator.addGateway(gateway);
    const env = pipeline.env({
      DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT_ID}`,
      HUAWEICLOUD_SDK_AK: undefined,
      HUAWEICLOUD_SDK_SK: undefined,
      HUAWEICLOUD_IAM_USER: 'simulator-user',
      HUAWEICLOUD_IAM_PASSWORD: 'simulator-password',
      HUAWEICLOUD_IAM_DOMAIN: 'simulator-domain',
    });
    const discoverer = createDiscoverer(env, { log: recordingLog(), metrics: recordingMetrics() });

    // Act
    const sweeps = [await discoverer.sweep(), await discoverer.sweep(), await discoverer.sweep()];

    // Assess
    expect(sweeps.map((sweep) => sweep.projects[0]?.sent)).toEqual([1, 1, 1]);
    expect(pipeline.simulator.stats().iamLogins).toBe(1);
  });
});

describe('the discover handler and the poller', () => {
  const saved = { ...process.env };
  let pipeline: Pipeline;
  let discover: (event: ScheduledEvent, context: Context) => Promise<{ projects: number; discovered: number }>;
  const scheduledEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as ScheduledEvent;

  beforeAll(async () => {
    pipeline = await startPipeline();
    Object.assign(
      process.env,
      pipeline.env({
        DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT_ID},ap-southeast-1:${OTHER_PROJECT}`,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
      }),
    );
    ({ handler: discover } = (await import('../../handlers/discover.js')) as { handler: typeof discover });
    pipeline.run(pipeline.watcher({ NOTIFY_URLS: `webhook+${pipeline.receiver.url}/hook` }).handler);
  });

  afterAll(async () => {
    await pipeline.stop();
    process.env = saved;
  });

  const postsAbout = (instanceId: string) => pipeline.receiver.received('/hook').filter((post) => webhookEvent(post).data.instance_id === instanceId);

  it('notifies every gateway being created exactly once, the others never, and a second sweep adds nothing', async () => {
    // Prepare: the list keeps saying Creating for an hour after the end (as Huawei's may for a while).
    const lagging = { listLagMs: 60 * MINUTE_MS };
    const creating = [
      ...gateways(PROJECT_ID, 11, 2, { ...lagging, steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 3 * MINUTE_MS, status: 'success' } }),
      ...gateways(OTHER_PROJECT, 13, 1, {
        ...lagging,
        steps: [{ atMs: 0, progress: 30 }],
        finish: { atMs: 2 * MINUTE_MS, status: 'failed', errorCode: 'APIC.9218' },
      }),
    ];
    const others = [
      ...gateways(PROJECT_ID, 21, 1, { steps: [], finish: { atMs: 0, status: 'success' }, listStatus: 'Running' }),
      ...gateways(OTHER_PROJECT, 22, 1, { steps: [], finish: { atMs: 0, status: 'failed' }, listStatus: 'CreateFail' }),
    ];
    for (const gateway of [...creating, ...others]) pipeline.simulator.addGateway(gateway);

    // Act: one sweep, let the poller finish every watch, then sweep again.
    const first = await discover(scheduledEvent, lambdaContext(60_000, 'apig-watch-test-discover'));
    for (const gateway of creating) await pipeline.receiver.waitFor((post) => webhookEvent(post).data.instance_id === gateway.instanceId, DEFAULT_WAIT_MS);
    await pipeline.waitForQuiet();
    const pollsAfterFirst = creating.map((gateway) => pipeline.progressRequests(gateway.instanceId).length);
    const second = await discover(scheduledEvent, lambdaContext(60_000, 'apig-watch-test-discover'));
    await pipeline.waitForQuiet();

    // Assess
    expect(first).toEqual({ projects: 2, discovered: 3 });
    expect(second).toEqual({ projects: 2, discovered: 3 });
    expect(creating.map((gateway) => postsAbout(gateway.instanceId).length)).toEqual([1, 1, 1]);
    expect(creating.map((gateway) => webhookEvent(postsAbout(gateway.instanceId)[0]!).data.outcome)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(others.map((gateway) => postsAbout(gateway.instanceId).length)).toEqual([0, 0]);
    expect(others.map((gateway) => pipeline.progressRequests(gateway.instanceId).length)).toEqual([0, 0]);
    // No new watch: at most the one GET the watcher makes before it records (and so drops) a request.
    const extraPolls = creating.map((gateway, index) => pipeline.progressRequests(gateway.instanceId).length - pollsAfterFirst[index]!);
    expect(extraPolls.every((extra) => extra <= 1)).toBe(true);
  });

  it("joins a producer's watch of the same gateway: one notification, with the producer's context", async () => {
    // Prepare
    const [gateway] = gateways(PROJECT_ID, 31, 1, { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 4 * MINUTE_MS, status: 'success' } });
    pipeline.simulator.addGateway(gateway!);
    await pipeline.send(watchRequestBody({ instance_id: gateway!.instanceId, context: { ticket: 'OPS-7' } }));

    // Act
    await discover(scheduledEvent, lambdaContext(60_000, 'apig-watch-test-discover'));
    await pipeline.receiver.waitFor((post) => webhookEvent(post).data.instance_id === gateway!.instanceId, DEFAULT_WAIT_MS);
    await pipeline.waitForQuiet();

    // Assess
    const posts = postsAbout(gateway!.instanceId);
    expect(posts).toHaveLength(1);
    expect(webhookEvent(posts[0]!).data.context).toEqual({ ticket: 'OPS-7' });
  });
});
