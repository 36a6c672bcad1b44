import { GONE } from '../../lib/simulator/index.js';
import { createDiscoverer } from '../../lib/runtime/discoverer.js';
import type { ReceivedRequest } from '../../devkit/webhook-receiver.js';
import type { NotificationEvent } from '../../lib/watch/events.js';
import { PROJECT_ID, watchRequestBody } from '../support/factories.js';
import { recordingLog, recordingMetrics } from '../support/fakes.js';
import { DEFAULT_WAIT_MS, MINUTE_MS, instanceIdFor, type Pipeline, sleep, startPipeline } from '../support/pipeline.js';

/**
 * The whole gateway lifecycle through the real poller and sweep: watch requests and the discovery
 * sweep over fauxqs, step records in dynalite, the APIG simulator's progress, instance detail and
 * list, and one signed generic webhook per event at a loopback receiver.
 */

const HOOK = '/hooks/lifecycle';
const DONE = { steps: [], finish: { atMs: 0, status: 'success' as const } };

let pipeline: Pipeline;
afterEach(async () => {
  await pipeline?.stop();
});

async function startWatching(): Promise<Pipeline> {
  pipeline = await startPipeline();
  const { handler } = pipeline.watcher({ NOTIFY_URLS: `webhook+${pipeline.receiver.url}${HOOK}` });
  pipeline.run(handler);
  return pipeline;
}

/** Every event posted about one instance once the queue is quiet. */
async function eventsOf(instanceId: string, atLeast = 1): Promise<NotificationEvent[]> {
  const about = (request: ReceivedRequest) => (request.body as NotificationEvent).data?.instance_id === instanceId;
  await pipeline.receiver.waitFor((request) => request.path === HOOK && about(request), DEFAULT_WAIT_MS);
  if (atLeast > 1) await pipeline.waitForPosts(HOOK, atLeast);
  await pipeline.waitForQuiet();
  return pipeline.receiver
    .received(HOOK)
    .filter(about)
    .map((request) => request.body as NotificationEvent);
}

describe('the lifecycle, watched to its end', () => {
  it('calls a creation done at Running, not at the progress success, with the gateway facts, after one extra detail read', async () => {
    // Prepare
    await startWatching();
    const [initing, direct] = [instanceIdFor(1), instanceIdFor(2)];
    const steps = [{ atMs: 0, progress: 30 }];
    pipeline.addGateway(initing, {
      steps,
      finish: { atMs: 2 * MINUTE_MS, status: 'success' },
      afterCreation: { phases: [{ status: 'Initing', forMs: 2 * MINUTE_MS }], end: 'Running' },
    });
    pipeline.addGateway(direct, { steps, finish: { atMs: 2 * MINUTE_MS, status: 'success' } });

    // Act
    await pipeline.send(watchRequestBody({ instance_id: initing }), watchRequestBody({ instance_id: direct }));

    // Assess
    const [event] = await eventsOf(initing);
    expect(event).toMatchObject({ type: 'apig.gateway.creation.succeeded', data: { instance_status: 'Running', gateway: { spec: 'PROFESSIONAL' } } });
    expect(Date.parse(event!.timestamp) - Date.parse(event!.data.started_at ?? '')).toBeGreaterThanOrEqual(4 * MINUTE_MS - 1000);
    const [directEvent, ...more] = await eventsOf(direct);
    expect(more).toEqual([]);
    expect(directEvent?.data.outcome).toBe('succeeded');
    expect(pipeline.simulator.requests.filter((request) => request.path.endsWith(`/instances/${direct}`))).toHaveLength(1);
  });

  it('tells a resize, a Huawei resize timeout, a deletion and an update rolled back, each once', async () => {
    // Prepare
    await startWatching();
    const ids = [1, 2, 3, 4].map(instanceIdFor);
    for (const id of ids) pipeline.addGateway(id, DONE);
    const [resized, timedOut, deleted, rolledBack] = ids as [string, string, string, string];
    pipeline.simulator.operate(PROJECT_ID, resized, { operation: 'resize', phases: [{ status: 'Resizing', forMs: 3 * MINUTE_MS }], end: 'Running' });
    pipeline.simulator.operate(PROJECT_ID, timedOut, { operation: 'resize', phases: [{ status: 'Resizing', forMs: 2 * MINUTE_MS }], end: 'ResizeTimeout' });
    pipeline.simulator.operate(PROJECT_ID, deleted, { operation: 'deletion', phases: [{ status: 'Deleting', forMs: 2 * MINUTE_MS }], end: GONE });
    pipeline.simulator.operate(PROJECT_ID, rolledBack, {
      operation: 'update',
      phases: [
        { status: 'Updating', forMs: 2 * MINUTE_MS },
        { status: 'Rollbacking', forMs: MINUTE_MS },
      ],
      end: 'RollbackSuccess',
    });

    // Act
    await pipeline.send(
      watchRequestBody({ instance_id: resized, operation: 'resize' }),
      watchRequestBody({ instance_id: timedOut, operation: 'resize' }),
      watchRequestBody({ instance_id: deleted, operation: 'deletion' }),
      watchRequestBody({ instance_id: rolledBack, operation: 'update' }),
    );

    // Assess
    expect((await eventsOf(resized)).map((event) => event.type)).toEqual(['apig.gateway.resize.succeeded']);
    expect((await eventsOf(timedOut)).map((event) => [event.type, event.data.instance_status])).toEqual([['apig.gateway.resize.failed', 'ResizeTimeout']]);
    expect((await eventsOf(deleted)).map((event) => event.type)).toEqual(['apig.gateway.deletion.succeeded']);
    const [rollback, ...again] = await eventsOf(rolledBack);
    expect(again).toEqual([]);
    expect(rollback).toMatchObject({
      type: 'apig.gateway.update.failed',
      data: { instance_status: 'RollbackSuccess', hint: expect.stringMatching(/rolled the update back/) },
    });
  });

  it('waits for an operation requested before Huawei shows it, and succeeds once it has run', async () => {
    await startWatching();
    const instanceId = instanceIdFor(5);
    pipeline.addGateway(instanceId, DONE);
    pipeline.simulator.operate(PROJECT_ID, instanceId, {
      operation: 'restart',
      atMs: 2 * MINUTE_MS,
      phases: [{ status: 'Restarting', forMs: 5 * MINUTE_MS }],
      end: 'Running',
    });

    await pipeline.send(watchRequestBody({ instance_id: instanceId, operation: 'restart' }));

    expect((await eventsOf(instanceId)).map((event) => event.type)).toEqual(['apig.gateway.restart.succeeded']);
  });

  it('never turns a creation success into an error when the detail is refused (403): succeeded, saying so', async () => {
    await startWatching();
    const instanceId = instanceIdFor(6);
    pipeline.addGateway(instanceId, { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: MINUTE_MS, status: 'success' } });
    pipeline.simulator.fail(PROJECT_ID, instanceId, [{ status: 403, code: 'APIG.1005', message: 'No permissions to request this method' }], 'detail');

    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    const [event, ...more] = await eventsOf(instanceId);
    expect(more).toEqual([]);
    expect(event?.data).toMatchObject({ outcome: 'succeeded', gateway: null, hint: expect.stringMatching(/apig:instance:get/) });
  });
});

describe('the sweep watches the lifecycle', () => {
  it('finds a resize and an unhealthy gateway across several sweeps: one resize outcome, one unhealthy, one recovered, nothing from a stale list', async () => {
    // Prepare: a list that lags two minutes behind the instance status
    await startWatching();
    const [resized, sick] = [instanceIdFor(7), instanceIdFor(8)];
    // Both created ten minutes ago; the resize and the trouble began three minutes ago and last five.
    const createdAtMs = pipeline.clock.now() - 10 * MINUTE_MS;
    const since = (status: string) => ({ atMs: 7 * MINUTE_MS, phases: [{ status, forMs: 5 * MINUTE_MS }], end: 'Running' });
    pipeline.addGateway(resized, { ...DONE, createdAtMs, listLagMs: 2 * MINUTE_MS, operations: [{ operation: 'resize', ...since('Resizing') }] });
    pipeline.addGateway(sick, { ...DONE, createdAtMs, listLagMs: 2 * MINUTE_MS, operations: [{ operation: 'health', ...since('Unhealthy') }] });
    const discoverer = createDiscoverer(pipeline.env({ DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT_ID}` }), {
      log: recordingLog(),
      metrics: recordingMetrics(),
    });

    // Act: a sweep every simulated minute for eight minutes, past the end and the list's lag
    for (let sweep = 0; sweep < 8; sweep += 1) {
      await discoverer.sweep();
      await sleep(MINUTE_MS / pipeline.timeScale);
    }

    // Assess
    expect((await eventsOf(resized)).map((event) => event.type)).toEqual(['apig.gateway.resize.succeeded']);
    expect((await eventsOf(sick)).map((event) => event.type)).toEqual(['apig.gateway.health.unhealthy', 'apig.gateway.health.recovered']);
  });
});
