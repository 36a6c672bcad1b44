import type { SqsHandler } from '../../devkit/local-event-source.js';
import type { ReceivedRequest } from '../../devkit/webhook-receiver.js';
import type { WatchState } from '../../lib/watch/state.js';
import { PROJECT_ID, watchRequestBody } from '../support/factories.js';
import {
  THREE_STEP_CREATION,
  TWO_TARGET_PATHS,
  instanceIdFor,
  settledPosts,
  startPipeline,
  webhookEvent,
  type Pipeline,
  type PipelineOptions,
  type TestWatcher,
} from '../support/pipeline.js';

/**
 * A redelivered or duplicated message neither forks the polling chain nor notifies twice (README,
 * "Exactly once"). Steps are keyed by watch and step number, so every check here counts posts per
 * target, and Huawei polls against the chain's own count (`data.polls`) plus the duplicate polls
 * the watcher counted: a copy that arrives before anything is recorded for its step polls once
 * more (a GET is harmless to repeat), and that is all it may do.
 */

const TARGET_PATHS = TWO_TARGET_PATHS;
const CREATION = THREE_STEP_CREATION;

let pipeline: Pipeline;
afterEach(async () => {
  await pipeline?.stop();
});

async function startWatcher(options: PipelineOptions = {}): Promise<TestWatcher> {
  pipeline = await startPipeline(options);
  return pipeline.watcher({ NOTIFY_URLS: TARGET_PATHS.map((path) => `webhook+${pipeline.receiver.url}${path}`).join(',') });
}

/** Huawei polls beyond the chain's own: each must have been counted as a duplicate poll. */
function uncountedPolls(instanceId: string, first: ReceivedRequest, watcher: TestWatcher): number {
  const duplicates = watcher.metrics.counts.get('DuplicatePolls') ?? 0;
  return pipeline.progressRequests(instanceId).length - webhookEvent(first).data.polls - duplicates;
}

/** Waits for the outcome at every target and for the queue to fall quiet; returns the posts per target. */
function postsAbout(instanceId: string): Promise<ReceivedRequest[][]> {
  return settledPosts(pipeline, instanceId, TARGET_PATHS);
}

function stateOf(body: string): WatchState | null {
  const parsed = JSON.parse(body) as { state?: WatchState };
  return parsed.state ?? null;
}

describe('exactly once (docs/architecture.md, "Exactly once")', () => {
  it('joins a second request for a gateway already watched: one poll per step, one notification per target', async () => {
    // Prepare
    const watcher = await startWatcher();
    pipeline.run(watcher.handler);
    const instanceId = instanceIdFor(1);
    pipeline.addGateway(instanceId, CREATION);
    const request = watchRequestBody({ instance_id: instanceId });

    // Act: the same request twice, as two messages in one batch.
    await pipeline.send(request, request);

    // Assess
    const [first, second] = await postsAbout(instanceId);
    expect([first!.length, second!.length]).toEqual([1, 1]);
    expect(uncountedPolls(instanceId, first![0]!, watcher)).toBe(0);
  });

  it('drops a duplicated successor (same body, new message id): at most one counted extra poll, no extra notification', async () => {
    // Prepare: once step 1 has been processed, its message body is sent again.
    const watcher = await startWatcher();
    let copied: string | undefined;
    const copyingStepOne: SqsHandler = async (event, context) => {
      const response = await watcher.handler(event, context);
      const stepOne = event.Records.find((record) => stateOf(record.body)?.step === 1);
      if (stepOne && copied === undefined) {
        copied = stepOne.body;
        await pipeline.send(stepOne.body);
      }
      return response;
    };
    const run = pipeline.run(copyingStepOne);
    const instanceId = instanceIdFor(2);
    pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const [first, second] = await postsAbout(instanceId);
    expect(copied).toBeDefined();
    expect(run.bodies().filter((body) => body === copied)).toHaveLength(2);
    expect([first!.length, second!.length]).toEqual([1, 1]);
    expect(watcher.metrics.counts.get('DuplicatePolls')).toBe(1);
    expect(uncountedPolls(instanceId, first![0]!, watcher)).toBe(0);
    expect(watcher.metrics.counts.get('DuplicatesDropped')).toBe(1);
  });

  it('does not notify again when a processed record is delivered again (its delete was lost)', async () => {
    // Prepare: the event source is told every record failed the first time it sees it, after the
    // watcher has fully processed it, so each one reappears after the visibility timeout: 3 s,
    // longer than an invocation takes on a loaded machine, so the copy follows the first run.
    const watcher = await startWatcher({ visibilityTimeoutSeconds: 3 });
    const seen = new Set<string>();
    const losingTheFirstDelete: SqsHandler = async (event, context) => {
      const response = await watcher.handler(event, context);
      const firstTime = event.Records.filter((record) => !seen.has(record.messageId));
      for (const record of firstTime) seen.add(record.messageId);
      return { batchItemFailures: [...(response?.batchItemFailures ?? []), ...firstTime.map((record) => ({ itemIdentifier: record.messageId }))] };
    };
    const run = pipeline.run(losingTheFirstDelete);
    const instanceId = instanceIdFor(3);
    pipeline.addGateway(instanceId, CREATION);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const [first, second] = await postsAbout(instanceId);
    expect([first!.length, second!.length]).toEqual([1, 1]);
    expect(run.bodies()).toHaveLength(2 * seen.size);
    expect(uncountedPolls(instanceId, first![0]!, watcher)).toBe(0);
    // Each redelivery is read before polling: it is dropped, or (its successor not yet recorded)
    // sends that successor again, whose copy is dropped in turn.
    expect(watcher.metrics.counts.get('DuplicatesDropped')).toBeGreaterThanOrEqual(seen.size - webhookEvent(first![0]!).data.polls);
  });

  it('lets a copy of a step that another invocation is still polling poll once more, and notifies once', async () => {
    // Prepare: Huawei takes 3 s to answer the first poll; the queue shows the message again after
    // 1 s, so a second invocation receives it while the first is still polling.
    const watcher = await startWatcher({ visibilityTimeoutSeconds: 1, maxReceiveCount: 10 });
    pipeline.run(watcher.handler, { concurrency: 2 });
    const instanceId = instanceIdFor(4);
    pipeline.addGateway(instanceId, CREATION);
    pipeline.simulator.fail(PROJECT_ID, instanceId, [{ delayMs: 3000 }]);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const [first, second] = await postsAbout(instanceId);
    expect([first!.length, second!.length]).toEqual([1, 1]);
    expect(watcher.metrics.counts.get('DuplicatePolls')).toBeGreaterThanOrEqual(1);
    expect(uncountedPolls(instanceId, first![0]!, watcher)).toBe(0);
    expect(await pipeline.deadLetters(0, 0)).toEqual([]); // no copy ran out of receives
  });
});
