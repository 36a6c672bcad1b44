import { Webhook } from 'standardwebhooks';
import { lambdaContext } from '../../devkit/local-event-source.js';
import { MIN_POST_SPACING_MS } from '../../lib/notify/spacing.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import type { OutcomeEvent } from '../../lib/watch/events.js';
import type { WatchState } from '../../lib/watch/state.js';
import { sqsRecordFactory, watchRequestBody } from '../support/factories.js';
import {
  DEFAULT_WAIT_MS,
  PIPELINE_WEBHOOK_SECRET,
  instanceIdFor,
  slackText,
  startPipeline,
  webhookEvent,
  type EnvOverrides,
  type Pipeline,
  type PipelineOptions,
  type Run,
  type RunOptions,
  type TestWatcher,
} from '../support/pipeline.js';

/**
 * Delivery (docs/configuration.md, "Notification targets"): one notification per target per outcome; failing targets
 * retried in the invocation and then through delivery-only messages that never poll Huawei again
 * and never post again to a target that already has it; after the budget, the dead-letter queue.
 */

const INSTANCE_ID = instanceIdFor(0xde1);
/** Posts to receivers that are not up yet are refused at once (ECONNREFUSED). */
const extraReceivers: WebhookReceiver[] = [];

let pipeline: Pipeline;
afterEach(async () => {
  await Promise.all(extraReceivers.splice(0).map((receiver) => receiver.close()));
  await pipeline?.stop();
});

/** A pipeline whose watcher notifies `targets` (`{receiver}` is the receiver's URL) of a gateway created at once. */
async function startWatching(targets: string[], env: EnvOverrides = {}, options: PipelineOptions & RunOptions = {}): Promise<TestWatcher & { run: Run }> {
  pipeline = await startPipeline(options);
  pipeline.addGateway(INSTANCE_ID, { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 0, status: 'success' } });
  const watcher = pipeline.watcher({
    NOTIFY_URLS: targets.map((target) => target.replace('{receiver}', pipeline.receiver.url)).join(','),
    WEBHOOK_SECRET: PIPELINE_WEBHOOK_SECRET,
    ...env,
  });
  return { ...watcher, run: pipeline.run(watcher.handler, options) };
}

/** A port nothing listens on yet (a receiver that is down). */
async function downPort(): Promise<number> {
  const probe = await startWebhookReceiver();
  await probe.close();
  return probe.port;
}

function deliveryBodies(run: Run): WatchState[] {
  return run
    .bodies()
    .flatMap((body) => (JSON.parse(body) as { state?: WatchState }).state ?? [])
    .filter((state) => state.kind === 'deliver');
}

function expectSignedWithOneId(requests: ReceivedRequest[], event: OutcomeEvent): void {
  expect(requests.map((request) => request.headers['webhook-id'])).toEqual(requests.map(() => event.id));
  for (const request of requests) expect(new Webhook(PIPELINE_WEBHOOK_SECRET).verify(request.rawBody, request.headers)).toEqual(event);
}

describe('delivering an outcome', () => {
  it('delivers once to a webhook answering 503 then 200, with one webhook-id and a verifiable signature on each attempt', async () => {
    // Prepare
    await startWatching(['webhook+{receiver}/hooks/flaky']);
    pipeline.receiver.script('/hooks/flaky', [{ status: 503, body: 'busy' }]);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: INSTANCE_ID }));

    // Assess
    const requests = await pipeline.waitForPosts('/hooks/flaky', 2);
    await pipeline.waitForQuiet();
    expect(pipeline.receiver.received('/hooks/flaky')).toHaveLength(2);
    expectSignedWithOneId(requests, webhookEvent(requests[1]!));
    expect(webhookEvent(requests[1]!).data.outcome).toBe('succeeded');
  });

  it('does not count an HTTP 200 with errcode 310000 at a DingTalk target as delivered, and retries until errcode 0', async () => {
    // Prepare
    const { log } = await startWatching(['dingtalk+{receiver}/dingtalk/keywords?access_token=t', 'webhook+{receiver}/hooks/ok']);
    pipeline.receiver.script('/dingtalk/keywords', [
      { status: 200, body: { errcode: 310000, errmsg: 'keywords not in content' } },
      { status: 200, body: { errcode: 310000, errmsg: 'keywords not in content' } },
    ]);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: INSTANCE_ID }));

    // Assess
    await pipeline.waitForPosts('/hooks/ok', 1);
    await pipeline.waitForPosts('/dingtalk/keywords', 3);
    await pipeline.waitForQuiet();
    const dingtalkLines = log.lines.filter((line) => line.extra.channel === 'dingtalk');
    expect(pipeline.receiver.received('/dingtalk/keywords')).toHaveLength(3);
    expect(dingtalkLines.filter((line) => line.message === 'notification delivered')).toHaveLength(1);
    expect(log.lines.map((line) => JSON.stringify(line.extra)).join('\n')).not.toContain('"reason":"HTTP 200, code 0');
  });

  it('retries a DingTalk answer of HTTP 200 with errcode 130101 (sending too fast) and delivers once', async () => {
    // Prepare: "too fast" asks for 3 s, and DingTalk takes one post per 3 s: the retry goes back through the queue.
    const { log } = await startWatching(['dingtalk+{receiver}/dingtalk/busy?access_token=t']);
    pipeline.receiver.script('/dingtalk/busy', [{ status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } }]);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: INSTANCE_ID }));

    // Assess
    await pipeline.waitForPosts('/dingtalk/busy', 2);
    await pipeline.waitForQuiet();
    expect(pipeline.receiver.received('/dingtalk/busy')).toHaveLength(2);
    expect(log.lines.filter((line) => line.message === 'notification delivered' && line.extra.channel === 'dingtalk')).toHaveLength(1);
  });

  it('retries only the failing target, through delivery-only messages, never posting again to the one that has it nor polling Huawei again', async () => {
    // Prepare: six 503s outlast the first invocation's attempts.
    const { run } = await startWatching(['webhook+{receiver}/hooks/ok', 'webhook+{receiver}/hooks/failing']);
    pipeline.receiver.script(
      '/hooks/failing',
      Array.from({ length: 6 }, () => ({ status: 503, body: 'maintenance' })),
    );

    // Act
    await pipeline.send(watchRequestBody({ instance_id: INSTANCE_ID }));

    // Assess
    const failing = await pipeline.waitForPosts('/hooks/failing', 7);
    await pipeline.waitForQuiet();
    const [delivered] = pipeline.receiver.received('/hooks/ok');
    const event = webhookEvent(delivered!);
    expect(pipeline.receiver.received('/hooks/ok')).toHaveLength(1);
    expect(pipeline.receiver.received('/hooks/failing')).toHaveLength(7);
    expect(deliveryBodies(run).length).toBeGreaterThanOrEqual(1);
    expect(deliveryBodies(run).every((state) => state.event?.id === event.id)).toBe(true);
    expect(pipeline.progressRequests(INSTANCE_ID)).toHaveLength(event.data.polls);
    expectSignedWithOneId(failing, event);
  });

  it('does not retry a Slack webhook that is gone (404 no_service), and still notifies the other target', async () => {
    // Prepare
    const { run, log } = await startWatching(['slack+{receiver}/slack/T000/B000/gone', 'webhook+{receiver}/hooks/ok']);
    pipeline.receiver.script('/slack/T000/B000/gone', [{ status: 404, body: 'no_service' }]);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: INSTANCE_ID }));

    // Assess
    await pipeline.waitForPosts('/hooks/ok', 1);
    await pipeline.waitForQuiet();
    expect(pipeline.receiver.received('/slack/T000/B000/gone')).toHaveLength(1);
    expect(pipeline.receiver.received('/hooks/ok')).toHaveLength(1);
    expect(deliveryBodies(run)).toEqual([]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ message: 'notification rejected', extra: expect.objectContaining({ gone: true, channel: 'slack' }) }),
    );
  });

  it('dead-letters the outcome, event intact, once the delivery budget is spent; a redrive delivers it to the owed target only', async () => {
    // Prepare: a 1-second budget (simulated), and a target whose receiver is down.
    const port = await downPort();
    const { run } = await startWatching(['webhook+{receiver}/hooks/ok', `webhook+http://127.0.0.1:${port}/hooks/owed`], { DELIVERY_RETRY_HOURS: '0.0003' });

    // Act
    await pipeline.send(watchRequestBody({ instance_id: INSTANCE_ID }));
    const [letter] = await pipeline.deadLetters(1);
    await pipeline.waitForQuiet();
    const pollsBeforeRedrive = pipeline.progressRequests(INSTANCE_ID).length;
    const revived = await startWebhookReceiver({ port });
    extraReceivers.push(revived);
    await pipeline.send(letter!.body);

    // Assess
    const [ok] = pipeline.receiver.received('/hooks/ok');
    const event = webhookEvent(ok!);
    const { state } = JSON.parse(letter!.body) as { state: WatchState };
    expect(letter!.reason).toMatch(/delivery budget/);
    expect(state).toMatchObject({ kind: 'deliver', event });
    expect(deliveryBodies(run).length).toBeGreaterThanOrEqual(1);
    const redriven = await revived.waitFor((request) => request.path === '/hooks/owed', DEFAULT_WAIT_MS);
    await pipeline.waitForQuiet();
    expect(revived.received('/hooks/owed')).toHaveLength(1);
    expect(new Webhook(PIPELINE_WEBHOOK_SECRET).verify(redriven.rawBody, redriven.headers)).toEqual(event);
    expect(pipeline.receiver.received('/hooks/ok')).toHaveLength(1);
    expect(pipeline.progressRequests(INSTANCE_ID)).toHaveLength(pollsBeforeRedrive);
  });
});

describe('logging a delivery', () => {
  it("logs each delivery once, with the record's keys, and its failed attempts with them too", async () => {
    // Prepare
    const { log } = await startWatching(['webhook+{receiver}/hooks/busy-once']);
    pipeline.receiver.script('/hooks/busy-once', [{ status: 503, body: 'busy' }]);

    // Act
    const [messageId] = await pipeline.send(watchRequestBody({ instance_id: INSTANCE_ID }));

    // Assess
    await pipeline.waitForPosts('/hooks/busy-once', 2);
    await pipeline.waitForQuiet();
    const delivered = log.lines.filter((line) => /delivered/.test(line.message));
    const attempts = log.lines.filter((line) => line.message === 'notification attempt failed');
    expect(delivered).toHaveLength(1);
    expect(attempts).toHaveLength(1);
    for (const line of [...delivered, ...attempts]) {
      expect(line.extra).toEqual(expect.objectContaining({ watch_id: expect.stringMatching(/^w_/), step: expect.any(Number), messageId }));
    }
  });
});

describe('pacing one Slack webhook through the queue', () => {
  const SLACK_PACE_MS = MIN_POST_SPACING_MS.slack;
  /** Long enough that a notifier sleeping for the pace would have the time to post all ten in the batch. */
  const FUNCTION_TIMEOUT_MS = 30_000;

  it('returns from a batch of ten outcomes for one Slack webhook without waiting for the pace, then delivers each once, never faster than the pace', async () => {
    // Prepare: real time (scale 1), ten gateways already created.
    pipeline = await startPipeline({ timeScale: 1, visibilityTimeoutSeconds: FUNCTION_TIMEOUT_MS / 1000 });
    const names = Array.from({ length: 10 }, (_, index) => `paced-gw-${index}`);
    for (const index of names.keys()) pipeline.addGateway(instanceIdFor(0x5ac0 + index), { steps: [], finish: { atMs: 0, status: 'success' } });
    const { handler } = pipeline.watcher({ NOTIFY_URLS: `slack+${pipeline.receiver.url}/slack/paced` });
    const batch = {
      Records: names.map((name, index) =>
        sqsRecordFactory(JSON.stringify(watchRequestBody({ instance_id: instanceIdFor(0x5ac0 + index), instance_name: name })), {
          messageId: `paced-${index}`,
        }),
      ),
    };

    // Act: the batch straight to the handler, as Lambda gives it; what is owed then goes through the queue.
    const response = await handler(batch, lambdaContext(FUNCTION_TIMEOUT_MS));
    const postedInTheBatch = pipeline.receiver.received('/slack/paced').length;
    pipeline.run(handler, { functionTimeoutMs: FUNCTION_TIMEOUT_MS });
    const posts = await pipeline.waitForPosts('/slack/paced', 10);
    await pipeline.waitForQuiet();

    // Assess: a notifier sleeping for the pace would have posted all ten before returning.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(postedInTheBatch).toBe(1);
    expect(pipeline.receiver.received('/slack/paced')).toHaveLength(10);
    expect(names.map((name) => posts.filter((post) => slackText(post).includes(name)).length)).toEqual(names.map(() => 1));
    // Ten posts a pace apart span nine paces. Arrivals are stamped after a loopback round trip, and
    // a stalled second on a loaded machine can delay one of them, so the bound allows one pace of it.
    const arrivals = posts.map((post) => post.receivedAtMs).sort((a, b) => a - b);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual((names.length - 2) * SLACK_PACE_MS);
  });
});
