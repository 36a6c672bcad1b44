/**
 * Item 6, pacing without sleeping: ten outcomes for one Slack webhook in one batch. The batch goes
 * straight to the watcher's handler (as Lambda gives it) over fauxqs, dynalite, the APIG simulator
 * and a receiver on loopback, in real time; what the pace holds back goes through the queue.
 * Reports how long the invocation took against what sleeping for the pace would take (nine paces),
 * how many posts arrived (and how many distinct ones), and the closest two arrivals.
 */
import { lambdaContext } from '../lib/dev/local-event-source.js';
import { MIN_POST_SPACING_MS } from '../lib/notify/spacing.js';
import { sqsRecordFactory, watchRequestBody } from '../test/support/factories.js';
import { instanceIdFor, slackText, startPipeline } from '../test/support/pipeline.js';
import { round } from './stats.js';

export interface PacingFigures extends Record<string, number> {
  outcomes: number;
  paceMs: number;
  invocationMs: number;
  /** At least this long if the invocation slept for the pace: every post but the first waits its turn. */
  sleepingWouldTakeMs: number;
  arrivals: number;
  distinctArrivals: number;
  minGapMs: number;
  /** From the batch's start to the last arrival. */
  allArrivedSeconds: number;
}

/** Function timeout told to the handler: long enough that sleeping could have posted all ten. */
const FUNCTION_TIMEOUT_MS = 30_000;

/**
 * One run of the pacing scenario.
 *
 * @example
 * const { invocationMs, minGapMs } = await measurePacing(10);
 */
export async function measurePacing(outcomes = 10): Promise<PacingFigures> {
  const paceMs = MIN_POST_SPACING_MS.slack;
  const pipeline = await startPipeline({ timeScale: 1, visibilityTimeoutSeconds: FUNCTION_TIMEOUT_MS / 1000 });
  try {
    const names = Array.from({ length: outcomes }, (_, index) => `bench-paced-${index}`);
    for (const index of names.keys()) pipeline.addGateway(instanceIdFor(0xbe00 + index), { steps: [], finish: { atMs: 0, status: 'success' } });
    const { handler } = pipeline.watcher({ NOTIFY_URLS: `slack+${pipeline.receiver.url}/slack/bench` });
    const batch = {
      Records: names.map((name, index) =>
        sqsRecordFactory(JSON.stringify(watchRequestBody({ instance_id: instanceIdFor(0xbe00 + index), instance_name: name }))),
      ),
    };
    const startedMs = Date.now();
    await handler(batch, lambdaContext(FUNCTION_TIMEOUT_MS));
    const invocationMs = Date.now() - startedMs;
    pipeline.run(handler, { functionTimeoutMs: FUNCTION_TIMEOUT_MS });
    const posts = await pipeline.waitForPosts('/slack/bench', outcomes, 60_000);
    await pipeline.waitForQuiet();
    const all = pipeline.receiver.received('/slack/bench');
    const arrivals = all.map((post) => post.receivedAtMs).sort((a, b) => a - b);
    const gaps = arrivals.slice(1).map((at, index) => at - (arrivals[index] as number));
    return {
      outcomes,
      paceMs,
      invocationMs,
      sleepingWouldTakeMs: (outcomes - 1) * paceMs,
      arrivals: all.length,
      distinctArrivals: names.filter((name) => posts.some((post) => slackText(post).includes(name))).length,
      minGapMs: Math.min(...gaps),
      allArrivedSeconds: round(((arrivals.at(-1) ?? startedMs) - startedMs) / 1000, 1),
    };
  } finally {
    await pipeline.stop();
  }
}
