import { lambdaContext } from '../../devkit/local-event-source.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import type { WatchPorts } from '../../lib/watch/ports.js';
import type { WatchState } from '../../lib/watch/state.js';
import { PROJECT_ID, sqsRecordFactory, watchRequestBody } from '../support/factories.js';
import {
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  PIPELINE_WEBHOOK_SECRET,
  THREE_STEP_CREATION,
  TWO_TARGET_PATHS,
  instanceIdFor,
  settledPosts,
  startPipeline,
  webhookEvent,
  type Pipeline,
  type Run,
  type TestWatcher,
} from '../support/pipeline.js';

/**
 * The fault matrix: the watcher crashes once at every point of a step — before and after its one
 * conditional write, after its successor is sent, after the watch is marked ended, around each
 * post and its record, after everything but the acknowledgement — over fauxqs and dynalite, and
 * each time every target gets the outcome exactly once. The only repeat allowed is the one a crash
 * between a post and its record makes, and it carries the same `webhook-id` (receivers drop it).
 * Then the trust boundary and watch identity as an attacker and an unlucky operator meet them:
 * altered state, the same request delivered again, a new request after the end, a redirect.
 */

const TARGET_PATHS = TWO_TARGET_PATHS;
const CREATION = THREE_STEP_CREATION;

/** Where the watcher dies. A crash is an exception out of a port: that record, or the whole batch, is retried by SQS. */
type CrashPoint =
  | 'before the step-0 write (starting the watch)'
  | 'after the step-0 write, before the successor is sent'
  | 'before a later step is recorded'
  | 'after a later step is recorded, before its successor is sent'
  | 'after the successors are sent, before the batch is acknowledged'
  | 'after the watch is marked ended, before any post'
  | 'before the first post'
  | 'after a post, before its record'
  | 'after the first target is recorded, before the rest'
  | 'after every delivery is recorded, before the batch is acknowledged';

class Crash extends Error {
  override readonly name = 'Crash';
}

/** Ports that crash once at `point`, then behave; `crashed` tells whether the point was reached. */
function crashingOnceAt(point: CrashPoint): { adapt: (ports: WatchPorts) => WatchPorts; crashed: () => boolean } {
  let armed = true;
  let delivered = false;
  const fire = (when: boolean) => {
    if (!armed || !when) return;
    armed = false;
    throw new Crash(point);
  };
  const adapt = (ports: WatchPorts): WatchPorts => ({
    ...ports,
    store: {
      ...ports.store,
      async startWatch(gatewayKey, watch, nowMs, policy) {
        fire(point === 'before the step-0 write (starting the watch)');
        const result = await ports.store.startWatch(gatewayKey, watch, nowMs, policy);
        fire(point === 'after the step-0 write, before the successor is sent' && result.started);
        return result;
      },
      async recordStep(key, record) {
        fire(point === 'before a later step is recorded');
        const result = await ports.store.recordStep(key, record);
        fire(point === 'after a later step is recorded, before its successor is sent' && result.recorded && record.decision.kind === 'successor');
        return result;
      },
      async endWatch(gatewayKey, watchId, nowMs) {
        await ports.store.endWatch(gatewayKey, watchId, nowMs);
        fire(point === 'after the watch is marked ended, before any post');
      },
      async recordSettled(eventId, targetId) {
        await ports.store.recordSettled(eventId, targetId);
        delivered = true;
        fire(point === 'after the first target is recorded, before the rest');
      },
    },
    queue: {
      ...ports.queue,
      async sendBatch(messages) {
        const unsent = await ports.queue.sendBatch(messages);
        fire(point === 'after the successors are sent, before the batch is acknowledged' && messages.length > 0);
        fire(point === 'after every delivery is recorded, before the batch is acknowledged' && delivered);
        return unsent;
      },
    },
    notifier: {
      async deliver(event, target, options) {
        fire(point === 'before the first post');
        const result = await ports.notifier.deliver(event, target, options);
        fire(point === 'after a post, before its record' && result.status === 'delivered');
        return result;
      },
    },
  });
  return { adapt, crashed: () => !armed };
}

/**
 * The visibility timeout where a test waits for SQS to give a crashed invocation's batch again:
 * short, yet longer than an invocation takes on a loaded machine, so that no copy of a record runs
 * beside the invocation still working on it.
 */
const CRASHED_INVOCATION_VISIBILITY_SECONDS = 3;

let pipeline: Pipeline;
afterEach(async () => {
  await pipeline?.stop();
});

async function startWatcher(
  adaptPorts?: (ports: WatchPorts) => WatchPorts,
  visibilityTimeoutSeconds = DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
): Promise<TestWatcher & { run: Run }> {
  pipeline = await startPipeline({ visibilityTimeoutSeconds, maxReceiveCount: 10 });
  const watcher = pipeline.watcher(
    { NOTIFY_URLS: TARGET_PATHS.map((path) => `webhook+${pipeline.receiver.url}${path}`).join(','), WEBHOOK_SECRET: PIPELINE_WEBHOOK_SECRET },
    adaptPorts,
  );
  return { ...watcher, run: pipeline.run(watcher.handler) };
}

/** Waits for the outcome of `instanceId` at every target and for the queue to fall quiet; the posts per target. */
function postsAbout(instanceId: string, atLeast = 1): Promise<ReceivedRequest[][]> {
  return settledPosts(pipeline, instanceId, TARGET_PATHS, atLeast);
}

const webhookIdOf = (request: ReceivedRequest) => request.headers['webhook-id'];

describe('the fault matrix: a crash at any point of a step', () => {
  const points: CrashPoint[] = [
    'before the step-0 write (starting the watch)',
    'after the step-0 write, before the successor is sent',
    'before a later step is recorded',
    'after a later step is recorded, before its successor is sent',
    'after the successors are sent, before the batch is acknowledged',
    'after the watch is marked ended, before any post',
    'before the first post',
    'after the first target is recorded, before the rest',
    'after every delivery is recorded, before the batch is acknowledged',
  ];

  it.each(points)('%s: every target gets the outcome exactly once', async (point) => {
    // Prepare: a crash before the acknowledgement fails the whole invocation, which SQS gives
    // again after the queue's visibility timeout; elsewhere the watcher hands the record back.
    const crash = crashingOnceAt(point);
    const wholeInvocation = point.endsWith('before the batch is acknowledged');
    const watcher = await startWatcher(crash.adapt, wholeInvocation ? CRASHED_INVOCATION_VISIBILITY_SECONDS : undefined);
    const instanceId = instanceIdFor(0xfa0 + points.indexOf(point));
    pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const posts = await postsAbout(instanceId);
    expect(crash.crashed()).toBe(true);
    expect(posts.map((received) => received.length)).toEqual([1, 1]);
    expect(webhookEvent(posts[0]![0]!).data.outcome).toBe('succeeded');
    expect(await pipeline.deadLetters(0, 0)).toEqual([]);
    const duplicatePolls = watcher.metrics.counts.get('DuplicatePolls') ?? 0;
    const lostPolls = point === 'before a later step is recorded' || point === 'before the step-0 write (starting the watch)' ? 1 : 0;
    expect(pipeline.progressRequests(instanceId).length).toBeLessThanOrEqual(webhookEvent(posts[0]![0]!).data.polls + duplicatePolls + lostPolls);
  });

  it('after a post, before its record: the one repeat carries the same webhook-id, so a receiver that drops repeats sees one', async () => {
    // Prepare
    const crash = crashingOnceAt('after a post, before its record');
    await startWatcher(crash.adapt);
    const instanceId = instanceIdFor(0xfaf);
    pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const posts = await postsAbout(instanceId);
    expect(crash.crashed()).toBe(true);
    const counts = posts.map((received) => received.length).sort();
    expect(counts[0]).toBe(1);
    expect(counts[1]).toBeLessThanOrEqual(2);
    for (const received of posts) expect(new Set(received.map(webhookIdOf)).size).toBe(1);
    expect(webhookIdOf(posts[0]![0]!)).toBe(webhookIdOf(posts[1]![0]!));
  });
});

describe('a record that failed', () => {
  it("comes back within seconds (ChangeMessageVisibility), not after the queue's visibility timeout", async () => {
    // Prepare: a 10-minute visibility timeout; the test gives up long before that.
    const crash = crashingOnceAt('before the first post');
    const watcher = await startWatcher(crash.adapt, 600);
    const instanceId = instanceIdFor(0xfc0);
    pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const posts = await postsAbout(instanceId);
    expect(crash.crashed()).toBe(true);
    expect(posts.map((received) => received.length)).toEqual([1, 1]);
    expect(watcher.metrics.counts.get('RecordFailures')).toBe(1);
    expect(watcher.log.lines.map((line) => line.message)).not.toContain('could not bring failed records back early; they return after the visibility timeout');
  });
});

describe('watch identity and the trust boundary, end to end', () => {
  it('never notifies nor polls for a captured state message that was altered and sent back', async () => {
    // Prepare: watch a gateway to its end, keeping a state message the watcher sent itself.
    const { run } = await startWatcher();
    const instanceId = instanceIdFor(0xfb0);
    pipeline.addGateway(instanceId, CREATION);
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));
    await postsAbout(instanceId);
    const captured = run.bodies().find((body) => body.includes('"sig"'));
    expect(captured).toBeDefined();
    const envelope = JSON.parse(captured!) as { v: number; state: WatchState; sig: string };
    const victim = instanceIdFor(0xfb1);
    const altered = JSON.stringify({ ...envelope, state: { ...envelope.state, kind: 'deliver', request: { ...envelope.state.request, instance_id: victim } } });
    const before = TARGET_PATHS.map((path) => pipeline.receiver.received(path).length);

    // Act
    await pipeline.send(altered);

    // Assess
    const [letter] = await pipeline.deadLetters(1);
    expect(letter).toEqual({ body: altered, reason: 'forged-state' });
    await pipeline.waitForQuiet();
    expect(TARGET_PATHS.map((path) => pipeline.receiver.received(path).length)).toEqual(before);
    expect(pipeline.progressRequests(victim)).toEqual([]);
  });

  it('ignores the same request message delivered again after the end, and starts a second watch, with a new event id, for a new request', async () => {
    // Prepare
    const watcher = await startWatcher();
    const instanceId = instanceIdFor(0xfb2);
    pipeline.addGateway(instanceId, CREATION);
    const request = JSON.stringify(watchRequestBody({ instance_id: instanceId }));
    const [messageId] = await pipeline.send(request);
    const [firstPosts] = await postsAbout(instanceId);
    const pollsAfterFirst = pipeline.progressRequests(instanceId).length;

    // Act 1: SQS hands out the very same message again, as a redelivery and as a duplicate.
    for (const receiveCount of ['2', '1']) {
      const redelivered = sqsRecordFactory(request, {
        messageId: messageId!,
        attributes: { ...sqsRecordFactory('').attributes, ApproximateReceiveCount: receiveCount },
      });
      const response = await watcher.handler({ Records: [redelivered] }, lambdaContext(6_500));
      expect(response?.batchItemFailures).toEqual([]);
    }
    await pipeline.waitForQuiet();

    // Assess 1: nothing new.
    expect(TARGET_PATHS.map((path) => pipeline.receiver.received(path).length)).toEqual([1, 1]);
    expect(pipeline.progressRequests(instanceId).length).toBeLessThanOrEqual(pollsAfterFirst + 1); // the duplicate (receive count 1) polls once, counted
    expect(watcher.metrics.counts.get('DuplicatesDropped')).toBe(2);

    // Act 2: a new request for the same gateway.
    await pipeline.send(request);
    const posts = await postsAbout(instanceId, 2);

    // Assess 2: a second watch, notified once per target, with a new event id.
    expect(posts.map((received) => received.length)).toEqual([2, 2]);
    const [first, second] = posts[0]!.map(webhookIdOf);
    expect(first).toBe(webhookIdOf(firstPosts![0]!));
    expect(second).not.toBe(first);
    expect(watcher.metrics.counts.get('WatchesStarted')).toBe(2);
  });

  it('never follows a redirect from the APIG endpoint: the other host sees nothing, and the watch carries on', async () => {
    // Prepare
    const elsewhere: WebhookReceiver = await startWebhookReceiver();
    try {
      await startWatcher();
      const instanceId = instanceIdFor(0xfb3);
      pipeline.addGateway(instanceId, CREATION);
      pipeline.simulator.fail(PROJECT_ID, instanceId, [{ redirectTo: `${elsewhere.url}/v2/steal`, status: 307 }]);

      // Act
      await pipeline.send(watchRequestBody({ instance_id: instanceId }));

      // Assess
      const posts = await postsAbout(instanceId);
      expect(posts.map((received) => received.length)).toEqual([1, 1]);
      expect(webhookEvent(posts[0]![0]!).data.outcome).toBe('succeeded');
      expect(elsewhere.received()).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });
});
