/**
 * Item 5, throttling: 500 watches at once against an APIG simulator that allows 20 requests per
 * second and answers 429 APIG.0308 beyond that, through the real handler path (local event source,
 * fauxqs, dynalite). Every watch must be notified exactly once and none dead-lettered; the total of
 * 429s and the time to drain are reported. Real time (scale 1): the throttling advice (2–5 s) and
 * the simulator's limit are both in real seconds. The gateways are already created, so each watch
 * needs one good answer: the drain is bounded by the limit, 500 / 20 = 25 s.
 */
import type { SqsHandler } from '../devkit/local-event-source.js';
import { startChild, type Channel, type Message } from './children.js';
import { instanceIdFor, PROJECT_ID, sendWatchRequests, startBenchServers } from './bench-servers.js';
import { medianOfRuns, round } from './stats.js';

export interface ThrottlingOptions {
  watches: number;
  rateLimitPerSecond: number;
  runs: number;
  concurrency: number;
}

export const THROTTLING_DEFAULTS: ThrottlingOptions = { watches: 500, rateLimitPerSecond: 20, runs: 3, concurrency: 5 };

export interface ThrottlingFigures extends Record<string, number> {
  watches: number;
  notified: number;
  /** Watches notified more than once (a post repeated to the target): must be 0. */
  notifiedTwice: number;
  deadLettered: number;
  throttled: number;
  progressRequests: number;
  drainSeconds: number;
  /** The least time the limit allows: one good answer per watch. */
  drainFloorSeconds: number;
}

const MINUTE_MS = 60_000;
const GIVE_UP_AFTER_MS = 180_000;

/**
 * Runs the item `options.runs` times, each in a fresh process; medians of the figures.
 *
 * @example
 * const { median } = await measureThrottling(THROTTLING_DEFAULTS);
 */
export async function measureThrottling(options: ThrottlingOptions): Promise<{ median: ThrottlingFigures; runs: ThrottlingFigures[] }> {
  return medianOfRuns(options.runs, async () => {
    const child = startChild('throttling', options);
    try {
      const { figures } = await child.next<Message & { figures: ThrottlingFigures }>('result', GIVE_UP_AFTER_MS + 30_000);
      return figures;
    } finally {
      await child.exited;
    }
  });
}

/** Child: the stack, the handler under the event source, the watches, until every one is notified. */
export async function runThrottling(input: ThrottlingOptions, parent: Channel): Promise<void> {
  const servers = await startBenchServers({ timeScale: 1, originMs: Date.now(), targets: 1, rateLimitPerSecond: input.rateLimitPerSecond });
  const { stack } = servers;
  try {
    Object.assign(process.env, servers.env);
    const { handler } = (await import('../handlers/poll.js')) as { handler: SqsHandler };
    const createdAtMs = Date.now() - 10 * MINUTE_MS;
    for (let index = 0; index < input.watches; index += 1) {
      stack.simulator.addGateway({
        projectId: PROJECT_ID,
        instanceId: instanceIdFor(index),
        createdAtMs,
        steps: [{ atMs: 0, progress: 30 }],
        finish: { atMs: 5 * MINUTE_MS, status: 'success' },
      });
    }
    const startedAtMs = Date.now();
    await sendWatchRequests(stack.aws.sqs, stack.aws.queueUrl, input.watches);
    const source = stack.runHandler(handler, { batchSize: 10, concurrency: input.concurrency, functionTimeoutMs: 60_000 });
    while (stack.receiver.received().length < input.watches && Date.now() - startedAtMs < GIVE_UP_AFTER_MS) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const posts = stack.receiver.received();
    const drainSeconds = (Math.max(...posts.map((post) => post.receivedAtMs)) - startedAtMs) / 1000;
    // Let anything still in flight (a duplicate, a dead letter) show before counting.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    source.stop();
    await source.done;
    const instances = stack.receiver.received().map((post) => (post.body as { data?: { instance_id?: string } }).data?.instance_id);
    const perInstance = new Map<string | undefined, number>();
    for (const instance of instances) perInstance.set(instance, (perInstance.get(instance) ?? 0) + 1);
    const stats = stack.simulator.stats();
    parent.send({
      type: 'result',
      figures: {
        watches: input.watches,
        notified: perInstance.size,
        notifiedTwice: [...perInstance.values()].filter((count) => count > 1).length,
        deadLettered: await servers.deadLetterDepth(),
        throttled: stats.throttled,
        progressRequests: stats.requests,
        drainSeconds: round(drainSeconds, 1),
        drainFloorSeconds: round(input.watches / input.rateLimitPerSecond, 1),
      } satisfies ThrottlingFigures,
    });
  } finally {
    await servers.stop();
  }
}
