/**
 * Item 6, pacing without sleeping: ten outcomes for one Slack webhook in one batch. The batch goes
 * straight to the real poll handler (as Lambda gives it) over the dev kit's local stack, in real
 * time; what the pace holds back goes through the queue, under the local event source. Reports how
 * long the invocation took against what sleeping for the pace would take (nine paces), how many
 * posts arrived (and how many distinct ones), and the closest two arrivals.
 *
 * Item 6b, pacing across containers: several watchers (as Lambda containers) deliver outcomes to
 * one Slack webhook whose receiver refuses, with 429, posts faster than Slack's rate; reports
 * whether each arrived once, how many were refused, the time spent in the notifier (its inline
 * pauses are in it) and the total time against the ideal of one post per pace.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { lambdaContext, type SqsHandler } from '../devkit/local-event-source.js';
import { MIN_POST_SPACING_MS } from '../lib/notify/spacing.js';
import { createWatcher } from '../lib/runtime/watcher.js';
import { SILENT_LOG, type WatchPorts } from '../lib/watch/index.js';
import { instanceIdFor, localSqsClient, PROJECT_ID, sqsEventOf, startBenchServers } from './bench-servers.js';
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

/** Item 6b's figures: one run of `containers` watchers sharing one Slack webhook. */
export interface PacingAcrossFigures extends Record<string, number> {
  containers: number;
  outcomes: number;
  paceMs: number;
  /** Posts the receiver accepted, and how many distinct outcomes they carried. */
  delivered: number;
  distinctDelivered: number;
  /** Posts refused with 429 (`Retry-After: 1`) for coming faster than the pace. */
  throttled: number;
  deadLettered: number;
  /** From the requests' sending to the last accepted post. */
  totalSeconds: number;
  /** `totalSeconds` against `outcomes` paces (the ideal). */
  vsIdeal: number;
  /** Wall time spent inside the notifier's `deliver` calls (posts and inline pauses), all containers. */
  inDeliverMs: number;
  longestDeliverMs: number;
  invocations: number;
  longestInvocationMs: number;
  /** Accepted posts closer than the pace to the one before. */
  minGapMs: number;
}

const SLACK_ACROSS_PATH = '/slack/across';
/** The receiver's allowance for loopback jitter before it calls a post too fast. */
const RECEIVER_JITTER_MS = 50;
const ACROSS_GIVE_UP_AFTER_MS = 300_000;
const FIRST_ACROSS_INDEX = 0xbf00;

/**
 * One run of the pacing across containers scenario, in a fresh process.
 *
 * @example
 * const { totalSeconds, throttled } = await measurePacingAcrossContainers(5, 50);
 */
export async function measurePacingAcrossContainers(containers = 5, outcomes = 50): Promise<PacingAcrossFigures> {
  const child = startChild('pacing-containers', { containers, outcomes });
  try {
    const { figures } = await child.next<Message & { figures: PacingAcrossFigures }>('result', ACROSS_GIVE_UP_AFTER_MS + 60_000);
    return figures;
  } finally {
    await child.exited;
  }
}

/**
 * Child: `containers` watchers (each its own composition root, as a Lambda container is: its own
 * notifier, pace and SDK clients) under their own event source loop, over the same queue and table;
 * the outcomes' watch requests on the queue; a Slack stand-in that answers 429 with `Retry-After`
 * to a post that comes sooner than the pace after the last one it accepted.
 */
export async function runPacingAcrossContainers(input: { containers: number; outcomes: number }, parent: Channel): Promise<void> {
  const paceMs = MIN_POST_SPACING_MS.slack;
  const servers = await startBenchServers({ timeScale: 1, originMs: Date.now(), targets: 0, visibilityTimeoutSeconds: FUNCTION_TIMEOUT_MS / 1000 });
  const slack = await startRateLimitedReceiver(paceMs - RECEIVER_JITTER_MS);
  const { stack } = servers;
  try {
    const indexes = Array.from({ length: input.outcomes }, (_, position) => FIRST_ACROSS_INDEX + position);
    for (const index of indexes)
      stack.simulator.addGateway({ projectId: PROJECT_ID, instanceId: instanceIdFor(index), steps: [], finish: { atMs: 0, status: 'success' } });
    const env = { ...servers.env, NOTIFY_URLS: `slack+${slack.url}${SLACK_ACROSS_PATH}` };
    Object.assign(process.env, env);
    const timing = { inDeliverMs: 0, longestDeliverMs: 0, invocations: 0, longestInvocationMs: 0 };
    const timed = (ports: WatchPorts): WatchPorts => ({
      ...ports,
      notifier: {
        async deliver(event, target, options) {
          const startedMs = Date.now();
          try {
            return await ports.notifier.deliver(event, target, options);
          } finally {
            const tookMs = Date.now() - startedMs;
            timing.inDeliverMs += tookMs;
            timing.longestDeliverMs = Math.max(timing.longestDeliverMs, tookMs);
          }
        },
      },
    });
    const quietMetrics = { count() {}, milliseconds() {} };
    const nameOf = (index: number) => `bench-across-${String(index - FIRST_ACROSS_INDEX).padStart(3, '0')}`;
    for (let container = 0; container < input.containers; container += 1) {
      const watcher = createWatcher(env, { log: SILENT_LOG, metrics: quietMetrics, adaptPorts: timed });
      stack.runHandler(
        async (event, context) => {
          const startedMs = Date.now();
          const { failedMessageIds } = await watcher.processBatch(event.Records, startedMs + context.getRemainingTimeInMillis());
          timing.invocations += 1;
          timing.longestInvocationMs = Math.max(timing.longestInvocationMs, Date.now() - startedMs);
          return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
        },
        { concurrency: 1, functionTimeoutMs: FUNCTION_TIMEOUT_MS },
      );
    }
    const sqs = localSqsClient(servers.endpoints);
    const startedMs = Date.now();
    for (let start = 0; start < indexes.length; start += 10) {
      const entries = indexes.slice(start, start + 10).map((index) => ({
        Id: String(index),
        MessageBody: JSON.stringify({ project_id: PROJECT_ID, instance_id: instanceIdFor(index), region: 'ap-southeast-1', instance_name: nameOf(index) }),
      }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: servers.endpoints.queueUrl, Entries: entries }));
    }
    const deliveredNames = () => new Set(slack.accepted().flatMap((post) => indexes.filter((index) => post.text.includes(nameOf(index)))));
    const giveUpAtMs = Date.now() + ACROSS_GIVE_UP_AFTER_MS;
    while (deliveredNames().size < input.outcomes && Date.now() < giveUpAtMs) await new Promise((resolve) => setTimeout(resolve, 100));
    // Let anything still on the queue (a repeat) show before counting.
    while ((await stack.aws.depth(stack.aws.queueUrl)) > 0 && Date.now() < giveUpAtMs) await new Promise((resolve) => setTimeout(resolve, 50));
    const accepted = slack.accepted();
    const arrivals = accepted.map((post) => post.atMs);
    const gaps = arrivals.slice(1).map((at, index) => at - (arrivals[index] as number));
    const totalSeconds = round(((arrivals.at(-1) ?? startedMs) - startedMs) / 1000, 1);
    parent.send({
      type: 'result',
      figures: {
        containers: input.containers,
        outcomes: input.outcomes,
        paceMs,
        delivered: accepted.length,
        distinctDelivered: deliveredNames().size,
        throttled: slack.refused(),
        deadLettered: await servers.deadLetterDepth(),
        totalSeconds,
        vsIdeal: round(totalSeconds / ((input.outcomes * paceMs) / 1000), 2),
        ...timing,
        minGapMs: Math.min(...gaps),
      } satisfies PacingAcrossFigures,
    });
  } finally {
    await slack.close();
    await servers.stop();
  }
}

/** A Slack stand-in with Slack's rate: a post sooner than `minGapMs` after the last accepted one gets 429, `Retry-After: 1`. */
async function startRateLimitedReceiver(minGapMs: number) {
  const accepted: { text: string; atMs: number }[] = [];
  let refused = 0;
  let lastAcceptedMs = Number.NEGATIVE_INFINITY;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const atMs = Date.now();
      if (atMs - lastAcceptedMs < minGapMs) {
        refused += 1;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('rate_limited');
        return;
      }
      lastAcceptedMs = atMs;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string };
      accepted.push({ text: JSON.stringify(body), atMs });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => [...accepted],
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
