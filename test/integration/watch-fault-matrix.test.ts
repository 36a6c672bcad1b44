import { lambdaContext } from '../../devkit/local-event-source.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import type { WatchState } from '../../lib/watch/state.js';
import type { WatchPorts } from '../../lib/watch/step-context.js';
import { PROJECT_ID, sqsRecordFactory, watchRequestBody } from '../support/factories.js';
import {
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  PIPELINE_WEBHOOK_SECRET,
  THREE_STEP_CREATION,
  TWO_TARGET_PATHS,
  instanceIdFor,
  settledPosts,
  sleep,
  startPipeline,
  webhookEvent,
  type Pipeline,
  type Run,
  type TestWatcher,
} from '../support/pipeline.js';

/**
 * The fault matrix: the watcher crashes once at every point of a step — before and after its one
 * conditional write, after its successor is sent, after the watch is marked ended, around each
 * claim, post and record, after everything but the acknowledgement — over fauxqs and dynalite, and
 * each time every target gets the outcome exactly once. The only repeat allowed is the one a crash
 * between a post and its record makes, and it carries the same `webhook-id` (receivers drop it).
 * Then the trust boundary and watch identity as an attacker and an unlucky operator meet them:
 * altered state, the same request delivered again, a new request after the end, a redirect; two
 * live copies of one step (an SQS duplicate, replayed states); and a redriven old request.
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
  | 'after a delivery is claimed, before its post (the claim outlives the invocation)'
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
      async recordWatch(gatewayKey, watch, nowMs, policy) {
        fire(point === 'before the step-0 write (starting the watch)');
        const result = await ports.store.recordWatch(gatewayKey, watch, nowMs, policy);
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
      async claimDelivery(eventId, targetId, heldUntilMs) {
        const claim = await ports.store.claimDelivery(eventId, targetId, heldUntilMs);
        fire(point === 'after a delivery is claimed, before its post (the claim outlives the invocation)' && claim.kind === 'claimed');
        return claim;
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
  const watcher = watcherNotifying(TARGET_PATHS, adaptPorts);
  return { ...watcher, run: pipeline.run(watcher.handler) };
}

/** A watcher of the pipeline that posts generic webhooks to `paths` on the receiver. */
function watcherNotifying(paths: readonly string[], adaptPorts?: (ports: WatchPorts) => WatchPorts): TestWatcher {
  return pipeline.watcher(
    { NOTIFY_URLS: paths.map((path) => `webhook+${pipeline.receiver.url}${path}`).join(','), WEBHOOK_SECRET: PIPELINE_WEBHOOK_SECRET },
    adaptPorts,
  );
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
    'after a delivery is claimed, before its post (the claim outlives the invocation)',
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

/** A creation that has finished by the first poll: the request's own step notifies. */
const FINISHED_CREATION = { steps: [], finish: { atMs: 0, status: 'success' as const } };
/** A receiver this slow keeps a post in flight while a second copy of its step runs. */
const SLOW_ANSWER = { delayMs: 400 };

/** The same SQS message as SQS hands it out again: same message id and body, `receives` as its receive count. */
function handedOutAgain(body: string, messageId: string, receives: number) {
  return sqsRecordFactory(body, { messageId, attributes: { ...sqsRecordFactory('').attributes, ApproximateReceiveCount: String(receives) } });
}

describe('two live copies of a step', () => {
  it('posts once per target, for every one of 12 gateways, when each request is handed to two invocations at once and the receiver is slow', async () => {
    // Prepare
    const watcher = await startWatcher();
    const instanceIds = Array.from({ length: 12 }, (_, n) => instanceIdFor(0xfd0 + n));
    for (const instanceId of instanceIds) pipeline.addGateway(instanceId, FINISHED_CREATION);
    for (const path of TARGET_PATHS)
      pipeline.receiver.script(
        path,
        instanceIds.flatMap(() => [SLOW_ANSWER, SLOW_ANSWER]),
      );

    // Act: SQS hands each request to two invocations at once (same message, first receive for both).
    const responses = await Promise.all(
      instanceIds.flatMap((instanceId, n) => {
        const record = handedOutAgain(JSON.stringify(watchRequestBody({ instance_id: instanceId })), `twice-${n}`, 1);
        return [watcher.handler({ Records: [record] }, lambdaContext(15_000)), watcher.handler({ Records: [record] }, lambdaContext(15_000))];
      }),
    );

    // Assess
    for (const response of responses) expect(response?.batchItemFailures).toEqual([]);
    for (const instanceId of instanceIds) {
      const posts = await postsAbout(instanceId);
      expect(posts.map((received) => received.length)).toEqual([1, 1]);
    }
    expect(await pipeline.deadLetters(0, 0)).toEqual([]);
  });

  it('posts once per target, the newly added one included, and asks Huawei nothing more, when a captured last state is replayed 3 times at once', async () => {
    // Prepare: a fast clock (an hour passes in 3 s), so the replays come long after the watch ended;
    // the function's handler can be swapped for one whose configuration gains a target.
    pipeline = await startPipeline({ timeScale: 1200, maxReceiveCount: 10 });
    let handler = watcherNotifying(TARGET_PATHS).handler;
    const run = pipeline.run((event, context) => handler(event, context));
    const instanceId = instanceIdFor(0xfe0);
    pipeline.addGateway(instanceId, CREATION);
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));
    await postsAbout(instanceId);
    const states = run.bodies().filter((body) => body.includes('"sig"'));
    const captured = states.reduce((last, body) => (stepOf(body) > stepOf(last) ? body : last));
    const endedAtMs = pipeline.clock.now();
    const pollsBefore = pipeline.progressRequests(instanceId).length;
    // The function's configuration gains a target; the captured state is replayed an hour later.
    const newTarget = '/hooks/added';
    handler = watcherNotifying([...TARGET_PATHS, newTarget]).handler;
    pipeline.receiver.script(newTarget, [SLOW_ANSWER, SLOW_ANSWER, SLOW_ANSWER]);
    while (pipeline.clock.now() < endedAtMs + 61 * 60_000) await sleep(100);

    // Act
    await pipeline.send(captured, captured, captured);

    // Assess
    const posts = await settledPosts(pipeline, instanceId, [...TARGET_PATHS, newTarget]);
    expect(posts.map((received) => received.length)).toEqual([1, 1, 1]);
    expect(pipeline.progressRequests(instanceId).length).toBe(pollsBefore);
    expect(await pipeline.deadLetters(0, 0)).toEqual([]);
  });
});

describe('a watch that ended stays ended', () => {
  it('posts nothing for a redriven request of a watch that a newer watch of the gateway followed, and still starts a watch for a new request', async () => {
    // Prepare: watch A ends, a new request starts watch B, B ends.
    const watcher = await startWatcher();
    const instanceId = instanceIdFor(0xfe1);
    pipeline.addGateway(instanceId, FINISHED_CREATION);
    const request = JSON.stringify(watchRequestBody({ instance_id: instanceId }));
    const [requestOfA] = await pipeline.send(request);
    await postsAbout(instanceId);
    await pipeline.send(request);
    await postsAbout(instanceId, 2);

    // Act: A's request comes back with its message id (a redrive from the dead-letter queue, or SQS again).
    for (const receives of [6, 1]) {
      const response = await watcher.handler({ Records: [handedOutAgain(request, requestOfA!, receives)] }, lambdaContext(15_000));
      expect(response?.batchItemFailures).toEqual([]);
    }
    await pipeline.waitForQuiet();

    // Assess: nothing posted, nothing started; a new request still starts a new watch.
    expect(TARGET_PATHS.map((path) => pipeline.receiver.received(path).length)).toEqual([2, 2]);
    expect(watcher.metrics.counts.get('WatchesStarted')).toBe(2);
    await pipeline.send(request);
    const posts = await postsAbout(instanceId, 3);
    expect(posts.map((received) => received.length)).toEqual([3, 3]);
    expect(new Set(posts[0]!.map(webhookIdOf)).size).toBe(3);
  });
});

function stepOf(body: string): number {
  return (JSON.parse(body) as { state: WatchState }).state.step;
}
