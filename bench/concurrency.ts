/**
 * Item 3, concurrency: one invocation of the real handler with a batch of 10 records while the APIG
 * simulator takes 200 ms to answer each progress request. Records are processed concurrently, so
 * the batch should take about one answer's time, not ten. A batch of one is timed the same way, for
 * the handler's own share.
 */
import { lambdaContext, type SqsHandler } from '../devkit/local-event-source.js';
import { startChild, type Channel, type Message } from './children.js';
import { instanceIdFor, PROJECT_ID, sqsEventOf, startBenchServers } from './bench-servers.js';
import { median, round } from './stats.js';

export const ANSWER_DELAY_MS = 200;
const BATCH_SIZE = 10;

export interface ConcurrencyFigures extends Record<string, number> {
  answerMs: number;
  batchOf10Ms: number;
  batchOf1Ms: number;
  /** The batch of 10 in answers' time: about 1 when concurrent, about 10 when serial. */
  batchInAnswers: number;
  runs: number;
}

/**
 * Runs the item in a fresh process: one warm-up batch, then `runs` timed batches of 10 and of 1.
 *
 * @example
 * const figures = await measureConcurrency(5); // { batchOf10Ms: 231, batchInAnswers: 1.16, … }
 */
export async function measureConcurrency(runs: number): Promise<ConcurrencyFigures> {
  const child = startChild('concurrency', { runs });
  try {
    const { figures } = await child.next<Message & { figures: ConcurrencyFigures }>('result');
    return figures;
  } finally {
    await child.exited;
  }
}

/** Child: the local stack and the handler in one process (the time measured is mostly waiting). */
export async function runConcurrency(input: { runs: number }, parent: Channel): Promise<void> {
  const servers = await startBenchServers({ timeScale: 1, originMs: Date.now(), targets: 1 });
  const { simulator } = servers.stack;
  try {
    Object.assign(process.env, servers.env);
    const { handler } = (await import('../handlers/poll.js')) as { handler: SqsHandler };
    let next = 0;
    const timeBatch = async (size: number) => {
      const indexes = Array.from({ length: size }, () => next++);
      for (const index of indexes) {
        simulator.addGateway({ projectId: PROJECT_ID, instanceId: instanceIdFor(index), steps: [{ atMs: 0, progress: 30 }], finish: null });
        simulator.fail(PROJECT_ID, instanceIdFor(index), [{ delayMs: ANSWER_DELAY_MS }]);
      }
      const started = performance.now();
      const response = await handler(sqsEventOf(indexes), lambdaContext(60_000, 'apig-watch-bench-poll'));
      const elapsedMs = performance.now() - started;
      if (response && response.batchItemFailures.length > 0) throw new Error(`the handler failed ${response.batchItemFailures.length} record(s)`);
      return elapsedMs;
    };
    await timeBatch(BATCH_SIZE); // warm-up: clients, connections, the first secret resolution
    const batchesOf10: number[] = [];
    const batchesOf1: number[] = [];
    for (let run = 0; run < input.runs; run += 1) {
      batchesOf10.push(await timeBatch(BATCH_SIZE));
      batchesOf1.push(await timeBatch(1));
    }
    const batchOf10Ms = median(batchesOf10);
    parent.send({
      type: 'result',
      figures: {
        answerMs: ANSWER_DELAY_MS,
        batchOf10Ms: round(batchOf10Ms, 0),
        batchOf1Ms: round(median(batchesOf1), 0),
        batchInAnswers: round(batchOf10Ms / ANSWER_DELAY_MS, 2),
        runs: input.runs,
      } satisfies ConcurrencyFigures,
    });
  } finally {
    await servers.stop();
  }
}
