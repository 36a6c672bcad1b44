/**
 * Item 6, pacing without sleeping: ten outcomes for one Slack webhook in one batch. The batch goes
 * straight to the real poll handler (as Lambda gives it) over the dev kit's local stack, in real
 * time; what the pace holds back goes through the queue, under the local event source. Reports how
 * long the invocation took against what sleeping for the pace would take (nine paces), how many
 * posts arrived (and how many distinct ones), and the closest two arrivals.
 */
import { lambdaContext, type SqsHandler } from '../devkit/local-event-source.js';
import { MIN_POST_SPACING_MS } from '../lib/notify/spacing.js';
import { instanceIdFor, PROJECT_ID, sqsEventOf, startBenchServers } from './bench-servers.js';
import { startChild, type Channel, type Message } from './children.js';
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
const SLACK_PATH = '/slack/bench';
const GIVE_UP_AFTER_MS = 60_000;
/** The paced gateways: bench indexes apart from the other items'. */
const FIRST_INDEX = 0xbe00;

/**
 * One run of the pacing scenario, in a fresh process (the handler reads its environment at import).
 *
 * @example
 * const { invocationMs, minGapMs } = await measurePacing(10);
 */
export async function measurePacing(outcomes = 10): Promise<PacingFigures> {
  const child = startChild('pacing', { outcomes });
  try {
    const { figures } = await child.next<Message & { figures: PacingFigures }>('result');
    return figures;
  } finally {
    await child.exited;
  }
}

/** Child: the stack, the handler given the batch at once, then the event source for what was held back. */
export async function runPacing(input: { outcomes: number }, parent: Channel): Promise<void> {
  const paceMs = MIN_POST_SPACING_MS.slack;
  const servers = await startBenchServers({ timeScale: 1, originMs: Date.now(), targets: 0, visibilityTimeoutSeconds: FUNCTION_TIMEOUT_MS / 1000 });
  const { stack } = servers;
  try {
    const indexes = Array.from({ length: input.outcomes }, (_, position) => FIRST_INDEX + position);
    for (const index of indexes)
      stack.simulator.addGateway({ projectId: PROJECT_ID, instanceId: instanceIdFor(index), steps: [], finish: { atMs: 0, status: 'success' } });
    Object.assign(process.env, { ...servers.env, NOTIFY_URLS: `slack+${stack.receiver.url}${SLACK_PATH}` });
    const { handler } = (await import('../handlers/poll.js')) as { handler: SqsHandler };
    const nameOf = (index: number) => `bench-paced-${index - FIRST_INDEX}`;
    const batch = sqsEventOf(indexes, (index) =>
      JSON.stringify({ project_id: PROJECT_ID, instance_id: instanceIdFor(index), region: 'ap-southeast-1', instance_name: nameOf(index) }),
    );
    const startedMs = Date.now();
    await handler(batch, lambdaContext(FUNCTION_TIMEOUT_MS));
    const invocationMs = Date.now() - startedMs;
    stack.runHandler(handler, { functionTimeoutMs: FUNCTION_TIMEOUT_MS });
    await stack.receiver.waitFor(() => stack.receiver.received(SLACK_PATH).length >= input.outcomes, GIVE_UP_AFTER_MS);
    // Let anything still on the queue (a repeat) show before counting.
    while ((await stack.aws.depth(stack.aws.queueUrl)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const all = stack.receiver.received(SLACK_PATH);
    const texts = all.map((post) => (post.body as { text: string }).text);
    const arrivals = all.map((post) => post.receivedAtMs).sort((a, b) => a - b);
    const gaps = arrivals.slice(1).map((at, index) => at - (arrivals[index] as number));
    parent.send({
      type: 'result',
      figures: {
        outcomes: input.outcomes,
        paceMs,
        invocationMs,
        sleepingWouldTakeMs: (input.outcomes - 1) * paceMs,
        arrivals: all.length,
        distinctArrivals: indexes.filter((index) => texts.some((text) => text.includes(nameOf(index)))).length,
        minGapMs: Math.min(...gaps),
        allArrivedSeconds: round(((arrivals.at(-1) ?? startedMs) - startedMs) / 1000, 1),
      } satisfies PacingFigures,
    });
  } finally {
    await servers.stop();
  }
}
