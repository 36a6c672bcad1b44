/**
 * Item 2, pipeline overhead: N watches through the real handler path (`handlers/poll.ts`, middy,
 * Powertools, `createWatcher`) driven by a local event source on fauxqs, with dynalite, the APIG
 * simulator and a webhook receiver on loopback (the dev kit's local stack). Two floors, in the same
 * run: the schedule alone (the same creations replayed through the real use case on a virtual clock,
 * with the pipeline's whole-second SQS delays and no I/O: the least time the chains can take), and
 * the calls any sound design must make for the same work, made bare and back to back — per poll one
 * signed GET and one conditional write, per 10 polls one `SendMessageBatch`, per watch one post per
 * target — with the same concurrency.
 *
 * Two processes per run: the servers, and the handler with its event source, so the handler's
 * peak RSS is its own.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import fetch from 'node-fetch';
import { LOCAL_CREDENTIALS } from '../devkit/local-aws.js';
import { startLocalEventSource, type SqsHandler } from '../devkit/local-event-source.js';
import { signRequest } from '../lib/apig/signing.js';
import { scaledClock } from '../lib/runtime/time-scale.js';
import { SIMULATOR_AKSK } from '../lib/simulator/index.js';
import { decidePoll } from '../lib/watch/decide-poll.js';
import { parseWatchRequest } from '../lib/watch/request.js';
import { initialState, type WatchState } from '../lib/watch/state.js';
import { callsOf, countCalls, portOf } from './call-counter.js';
import { startChild, type Channel, type Message } from './children.js';
import { instanceIdFor, localSqsClient, PROJECT_ID, sendWatchRequests, shortCreations, startBenchServers, type StackEndpoints } from './bench-servers.js';
import { replayTraces } from './efficiency.js';
import { medianOfRuns, round } from './stats.js';

export interface PipelineOptions {
  watches: number;
  runs: number;
  /** 4–5 minute creations at this scale take 4–5 s; every delay becomes SQS's 1 s minimum. */
  timeScale: number;
  /** Concurrent invocations, as the event source mapping's `maximumConcurrency` (serverless.yml: 5). */
  concurrency: number;
  targets: number;
}

export const PIPELINE_DEFAULTS: PipelineOptions = { watches: 300, runs: 3, timeScale: 60, concurrency: 5, targets: 2 };

export interface PipelineFigures extends Record<string, number> {
  watches: number;
  polls: number;
  wallSeconds: number;
  pollsPerSecond: number;
  floorWallSeconds: number;
  floorPollsPerSecond: number;
  /** Pipeline wall time over the floor's. */
  wallVsFloor: number;
  invocations: number;
  /** The function's own calls (SendMessageBatch, SendMessage) and the event source mapping's (Receive, Delete, …). */
  functionSqsCallsPerPoll: number;
  functionDynamoCallsPerPoll: number;
  mappingSqsCallsPerPoll: number;
  /** Poll steps (each watch's polls, as its outcome event counts them), and DynamoDB items written per poll step, counted at the database. */
  pollSteps: number;
  stepWritesPerPollStep: number;
  /** Every item written (steps, deliveries, anything else) per poll step. */
  writesPerPollStep: number;
  /** Progress GETs the simulator answered beyond one per poll step. */
  duplicateHuaweiGets: number;
  /** Instance-detail GETs per watch: "created" means Running, read once after the progress API's success. */
  detailGetsPerWatch: number;
  posts: number;
  duplicatePosts: number;
  deadLettered: number;
  rssAfterLoadMb: number;
  peakRssMb: number;
  /** CPU time of the handler's process and of the servers' during the run, over its wall time. */
  handlerCpuShare: number;
  serversCpuShare: number;
  /** The schedule alone: the same creations replayed through the real use case on a virtual clock, no I/O. */
  scheduleWallSeconds: number;
  scheduleSteps: number;
  /** Pipeline wall time over the schedule's own: the goal's measure. */
  wallVsSchedule: number;
  /** CPU of the handler's process per poll step. */
  handlerCpuMsPerStep: number;
  /** The bare pipeline: the same creations through their own queue, handled with bare calls (delivery records included). */
  bareWallSeconds: number;
  bareSteps: number;
  /** Pipeline wall time over the bare pipeline's. */
  wallVsBare: number;
  /** CPU of the bare handler's process per poll step, and the handler's over it. */
  bareCpuMsPerStep: number;
  cpuVsBare: number;
  /** The same CPU per watch: the same work whichever number of steps the chains took. */
  cpuPerWatchVsBare: number;
}

const FUNCTION_SQS_OPERATIONS = ['SendMessageBatch', 'SendMessage'];
/** The floor's own items, left out of the pipeline's write counts. */
const FLOOR_KEY_PREFIX = 'floor';
/** About the size of a successor message (the watch state as JSON). */
const SUCCESSOR_BODY = JSON.stringify({ state: 'x'.repeat(1400) });
const EVENT_BODY = JSON.stringify({ type: 'apig.gateway.creation.succeeded', data: 'x'.repeat(900) });

/**
 * Runs the pipeline item `options.runs` times, each in fresh processes; medians of the figures.
 *
 * @example
 * const { median } = await measurePipeline(PIPELINE_DEFAULTS);
 */
export async function measurePipeline(options: PipelineOptions): Promise<{ median: PipelineFigures; runs: PipelineFigures[] }> {
  return medianOfRuns(options.runs, () => runPipelineOnce(options));
}

async function runPipelineOnce(options: PipelineOptions): Promise<PipelineFigures> {
  const originMs = Date.now();
  const servers = startChild('pipeline-servers', { ...options, originMs });
  try {
    const { env, endpoints } = await servers.next<Message & { env: Record<string, string>; endpoints: StackEndpoints }>('ready');
    const handler = startChild('pipeline-handler', { ...options, endpoints }, env);
    try {
      await handler.next('loaded');
      // The creations start now, on the simulator's scaled clock, when the handler is ready to poll.
      servers.send({ type: 'add-gateways' });
      await servers.next('gateways-added');
      handler.send({ type: 'go' });
      const { startedAtMs } = await handler.next<Message & { startedAtMs: number }>('started');
      const notified = await servers.next<
        Message & { lastPostAtMs: number; posts: number; duplicates: number; cpuMs: number; pollSteps: number; progressGets: number; detailGets: number }
      >('notified');
      handler.send({ type: 'stop' });
      const run = await handler.next<
        Message & { counts: Record<string, number>; invocations: number; rssAfterLoadKb: number; peakRssKb: number; cpuMs: number }
      >('pipeline');
      const floor = await handler.next<Message & { wallMs: number }>('floor');
      servers.send({ type: 'stats' });
      const { deadLettered, itemsByPrefix } = await servers.next<Message & { deadLettered: number; itemsByPrefix: Record<string, number> }>('stats');
      servers.send({ type: 'add-bare-gateways' });
      await servers.next('bare-gateways-added');
      handler.send({ type: 'go-bare' });
      const { startedAtMs: bareStartedAtMs } = await handler.next<Message & { startedAtMs: number }>('bare-started');
      const bare = await servers.next<Message & { lastPostAtMs: number; steps: number }>('bare-notified');
      handler.send({ type: 'stop-bare' });
      const bareRun = await handler.next<Message & { cpuMs: number }>('bare-pipeline');
      const bareWallSeconds = (bare.lastPostAtMs - bareStartedAtMs) / 1000;
      const bareCpuMsPerStep = bareRun.cpuMs / bare.steps;
      // `gateway-end` tags a subset of the `gateway` writes (the end of a watch): not counted twice.
      const written = Object.entries(itemsByPrefix)
        .filter(([prefix]) => prefix !== FLOOR_KEY_PREFIX && prefix !== 'gateway-end')
        .reduce((sum, [, count]) => sum + count, 0);
      // A poll step's one write: `step#…` for steps 1…n, the gateway record's start for step 0.
      const stepWrites = (itemsByPrefix.step ?? 0) + (itemsByPrefix.gateway ?? 0) - (itemsByPrefix['gateway-end'] ?? 0);
      const polls = callsOf(run.counts, 'apig');
      const wallSeconds = (notified.lastPostAtMs - startedAtMs) / 1000;
      const schedule = await replaySchedule(options);
      return {
        watches: options.watches,
        polls,
        wallSeconds: round(wallSeconds, 2),
        pollsPerSecond: round(polls / wallSeconds, 0),
        floorWallSeconds: round(floor.wallMs / 1000, 2),
        floorPollsPerSecond: round(polls / (floor.wallMs / 1000), 0),
        wallVsFloor: round(wallSeconds / (floor.wallMs / 1000), 2),
        invocations: run.invocations,
        functionSqsCallsPerPoll: round(callsOf(run.counts, 'sqs', FUNCTION_SQS_OPERATIONS) / polls, 2),
        functionDynamoCallsPerPoll: round(callsOf(run.counts, 'dynamodb') / polls, 2),
        mappingSqsCallsPerPoll: round((callsOf(run.counts, 'sqs') - callsOf(run.counts, 'sqs', FUNCTION_SQS_OPERATIONS)) / polls, 2),
        pollSteps: notified.pollSteps,
        stepWritesPerPollStep: round(stepWrites / notified.pollSteps, 2),
        writesPerPollStep: round(written / notified.pollSteps, 2),
        duplicateHuaweiGets: notified.progressGets - notified.pollSteps,
        detailGetsPerWatch: round(notified.detailGets / options.watches, 2),
        posts: notified.posts,
        duplicatePosts: notified.duplicates,
        deadLettered,
        rssAfterLoadMb: round(run.rssAfterLoadKb / 1024, 0),
        peakRssMb: round(run.peakRssKb / 1024, 0),
        handlerCpuShare: round(run.cpuMs / 1000 / wallSeconds, 2),
        serversCpuShare: round(notified.cpuMs / 1000 / wallSeconds, 2),
        scheduleWallSeconds: round(schedule.wallSeconds, 2),
        scheduleSteps: schedule.steps,
        wallVsSchedule: round(wallSeconds / schedule.wallSeconds, 2),
        handlerCpuMsPerStep: round(run.cpuMs / notified.pollSteps, 2),
        bareWallSeconds: round(bareWallSeconds, 2),
        bareSteps: bare.steps,
        wallVsBare: round(wallSeconds / bareWallSeconds, 2),
        bareCpuMsPerStep: round(bareCpuMsPerStep, 2),
        cpuVsBare: round(run.cpuMs / notified.pollSteps / bareCpuMsPerStep, 2),
        cpuPerWatchVsBare: round(run.cpuMs / bareRun.cpuMs, 2),
      };
    } finally {
      await stopChild(handler);
    }
  } finally {
    servers.send({ type: 'stop' });
    await stopChild(servers);
  }
}

/** Child: the servers, until the receiver has every expected notification. */
export async function runPipelineServers(input: PipelineOptions & { originMs: number }, parent: Channel): Promise<void> {
  const servers = await startBenchServers({ timeScale: input.timeScale, originMs: input.originMs, targets: input.targets });
  const { stack } = servers;
  try {
    parent.send({ type: 'ready', env: servers.env, endpoints: servers.endpoints });
    await parent.next('add-gateways');
    for (const gateway of shortCreations(input.watches)) stack.simulator.addGateway(gateway);
    servers.dynamoWrites.reset();
    const cpuAtStart = process.cpuUsage();
    parent.send({ type: 'gateways-added' });
    const expected = input.watches * input.targets;
    while (stack.receiver.received().length < expected) await new Promise((resolve) => setTimeout(resolve, 20));
    const posts = stack.receiver.received();
    const ids = posts.map((post) => `${post.path} ${post.headers['webhook-id']}`);
    // Each watch's outcome counts its poll steps; one target's posts carry every watch's outcome once.
    const firstTarget = new Map(
      posts.filter((post) => post.path === '/target-1').map((post) => [post.headers['webhook-id'], post.body as { data: { polls: number } }]),
    );
    parent.send({
      type: 'notified',
      posts: posts.length,
      duplicates: ids.length - new Set(ids).size,
      lastPostAtMs: Math.max(...posts.map((post) => post.receivedAtMs)),
      pollSteps: [...firstTarget.values()].reduce((sum, event) => sum + event.data.polls, 0),
      progressGets: stack.simulator.requests.filter((request) => request.path.endsWith('/progress')).length,
      detailGets: stack.simulator.requests.filter((request) => /\/apigw\/instances\/[0-9a-f]{32}$/.test(request.path)).length,
      cpuMs: cpuMilliseconds(process.cpuUsage(cpuAtStart)),
    });
    await parent.next('stats');
    parent.send({ type: 'stats', deadLettered: await servers.deadLetterDepth(), itemsByPrefix: servers.dynamoWrites.counts().itemsByPrefix });

    await parent.next('add-bare-gateways');
    for (const gateway of shortCreations(input.watches, BARE_FIRST_INDEX)) stack.simulator.addGateway(gateway);
    parent.send({ type: 'bare-gateways-added' });
    const barePosts = () => stack.receiver.received().filter((post) => post.path.endsWith(BARE_PATH_SUFFIX));
    while (barePosts().length < expected) await new Promise((resolve) => setTimeout(resolve, 20));
    parent.send({
      type: 'bare-notified',
      lastPostAtMs: Math.max(...barePosts().map((post) => post.receivedAtMs)),
      steps: barePosts()
        .filter((post) => post.path === `/target-1${BARE_PATH_SUFFIX}`)
        .reduce((sum, post) => sum + (post.body as { data: { polls: number } }).data.polls, 0),
    });

    await parent.next('stop');
  } finally {
    await servers.stop();
  }
}

/** Child: the handler under a local event source, then the floor in the same process. */
export async function runPipelineHandler(input: PipelineOptions & { endpoints: StackEndpoints }, parent: Channel): Promise<void> {
  const { endpoints } = input;
  const counter = countCalls({
    sqs: portOf(endpoints.sqs),
    dynamodb: portOf(endpoints.dynamodb),
    apig: portOf(endpoints.apig),
    webhook: portOf(endpoints.targets[0] ?? endpoints.apig),
  });
  const { handler } = (await import('../handlers/poll.js')) as { handler: SqsHandler };
  const sqs = localSqsClient(endpoints);
  await sendWatchRequests(sqs, endpoints.queueUrl, input.watches);
  const rssAfterLoadKb = process.memoryUsage().rss / 1024;
  parent.send({ type: 'loaded' });
  await parent.next('go');
  counter.reset();
  const profile = await startCpuProfile(process.env.BENCH_CPU_PROFILE);
  const cpuAtStart = process.cpuUsage();
  const startedAtMs = Date.now();
  const source = startLocalEventSource({
    sqs,
    queueUrl: endpoints.queueUrl,
    handler,
    batchSize: 10,
    concurrency: input.concurrency,
    functionTimeoutMs: 60_000,
  });
  parent.send({ type: 'started', startedAtMs });
  await parent.next('stop');
  source.stop();
  await source.done;
  const counts = counter.counts();
  const cpuMs = cpuMilliseconds(process.cpuUsage(cpuAtStart));
  await profile.stop();
  parent.send({ type: 'pipeline', counts, invocations: source.invocations(), rssAfterLoadKb, peakRssKb: process.resourceUsage().maxRSS, cpuMs });

  const floorStartedMs = Date.now();
  await makeFloorCalls({
    polls: callsOf(counts, 'apig'),
    posts: callsOf(counts, 'webhook'),
    watches: input.watches,
    concurrency: input.concurrency,
    endpoints,
    sqs,
  });
  parent.send({ type: 'floor', wallMs: Date.now() - floorStartedMs });

  await parent.next('go-bare');
  const { QueueUrl: bareQueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-bare' }));
  await sendWatchRequests(sqs, bareQueueUrl, input.watches, BARE_FIRST_INDEX);
  const bare = bareHandler({ ...endpoints, queueUrl: bareQueueUrl }, input.timeScale);
  const bareProfile = await startCpuProfile(process.env.BENCH_CPU_PROFILE?.replace(/(\.cpuprofile)?$/, '.bare.cpuprofile'));
  const bareCpuAtStart = process.cpuUsage();
  const bareSource = startLocalEventSource({
    sqs,
    queueUrl: bareQueueUrl,
    handler: bare.handler,
    batchSize: 10,
    concurrency: input.concurrency,
    functionTimeoutMs: 60_000,
  });
  parent.send({ type: 'bare-started', startedAtMs: Date.now() });
  await parent.next('stop-bare');
  bareSource.stop();
  await bareSource.done;
  const bareCpuMs = cpuMilliseconds(process.cpuUsage(bareCpuAtStart));
  await bareProfile.stop();
  parent.send({ type: 'bare-pipeline', cpuMs: bareCpuMs });
  bare.close();

  counter.stop();
  sqs.destroy();
}

/**
 * The schedule alone, for the same creations as a run: all starting at once, requested at once,
 * replayed through the real use case (`replayTraces`) with the run's whole-second SQS delays. Its
 * last notification is the least wall time the pipeline could take; its polls are the steps.
 */
async function replaySchedule(options: PipelineOptions): Promise<{ wallSeconds: number; steps: number }> {
  const traces = shortCreations(options.watches).map((gateway) => ({
    id: gateway.instanceId,
    watchDelayMs: 0,
    steps: gateway.steps,
    finish: gateway.finish ?? { atMs: 0, status: 'success' as const },
  }));
  const results = await replayTraces(traces, undefined, 0, { creationSpacingMs: 0, delayScale: options.timeScale });
  return {
    wallSeconds: Math.max(...results.map((result) => result.notifiedAfterSeconds)) / options.timeScale,
    steps: results.reduce((sum, result) => sum + result.polls, 0),
  };
}

/** The bare pipeline's gateways and requests: bench indexes from here on, apart from the pipeline's. */
const BARE_FIRST_INDEX = 0x100000;
/** Its posts go to each target's path plus this, so the receiver tells them apart. */
const BARE_PATH_SUFFIX = '-bare';

/**
 * The bare pipeline's handler: per record, what any sound design must do for the same work and
 * nothing more — one signed GET, the same pure policy (`decidePoll` with the same schedule), one
 * conditional write — then one `SendMessageBatch` of the successors, delayed as the watcher's are;
 * for an outcome, per target a claim (a conditional write), the post and its settlement (the
 * delivery records the exactly-once contract requires). No middy, Powertools, schemas on the hot
 * path, signed state or logs.
 */
function bareHandler(endpoints: StackEndpoints, timeScale: number): { handler: SqsHandler; close(): void } {
  const clock = scaledClock(timeScale, Number(process.env.APIG_WATCH_TIME_ORIGIN_MS));
  const agent = new http.Agent({ keepAlive: true });
  const dynamo = new DynamoDBClient({ region: endpoints.region, endpoint: endpoints.dynamodb, credentials: LOCAL_CREDENTIALS });
  const sqs = localSqsClient(endpoints);
  const write = (pk: string, name: string, value: string, condition: string) =>
    dynamo.send(
      new UpdateItemCommand({
        TableName: endpoints.tableName,
        Key: { pk: { S: `${FLOOR_KEY_PREFIX}#${pk}` } },
        UpdateExpression: `SET ${name} = :value`,
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':value': { S: value } },
      }),
    );
  const deliver = async (event: { id: string }, body: string, target: string, index: number) => {
    await write(`delivery#${event.id}`, `claim_${index}`, 'claimed', 'attribute_not_exists(settled)');
    await (await fetch(`${target}${BARE_PATH_SUFFIX}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, agent })).text();
    await write(`delivery#${event.id}`, 'settled', target, 'attribute_exists(pk)');
  };
  const pollOnce = async (body: string): Promise<{ body: string; delaySeconds: number } | null> => {
    const parsed = JSON.parse(body) as WatchState | object;
    const state = 'step' in parsed ? parsed : initialState(parseWatchRequest(parsed), clock.now(), 7200);
    const answer = JSON.parse(await getProgressSigned(endpoints, state.request.instance_id, new Date(clock.now()), agent)) as Record<string, unknown>;
    const report = {
      status: String(answer.status),
      progress: typeof answer.progress === 'number' ? answer.progress : null,
      startTimeMs: typeof answer.start_time === 'number' ? answer.start_time : null,
      endTimeMs: typeof answer.end_time === 'number' ? answer.end_time : null,
      errorCode: typeof answer.error_code === 'string' ? answer.error_code : null,
      errorMsg: typeof answer.error_msg === 'string' ? answer.error_msg : null,
    };
    const nowMs = clock.now();
    const decision = decidePoll(state, { kind: 'progress', report }, nowMs);
    await write(`${state.watch_id}#${state.step}`, 'decided', decision.action, 'attribute_not_exists(pk)');
    if (decision.action === 'poll_again') {
      return {
        body: JSON.stringify({ ...decision.next, due_at: nowMs + decision.delaySeconds * 1000 }),
        delaySeconds: Math.ceil(decision.delaySeconds / timeScale),
      };
    }
    if (decision.action === 'notify') {
      const event = JSON.stringify(decision.event);
      await Promise.all(endpoints.targets.map((target, index) => deliver(decision.event, event, target, index)));
    }
    return null;
  };
  return {
    async handler(event) {
      const successors = (await Promise.all(event.Records.map((record) => pollOnce(record.body)))).filter((next) => next !== null);
      if (successors.length > 0) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: endpoints.queueUrl,
            Entries: successors.map((next, index) => ({ Id: String(index), MessageBody: next.body, DelaySeconds: next.delaySeconds })),
          }),
        );
      }
      return { batchItemFailures: [] };
    },
    close() {
      dynamo.destroy();
      sqs.destroy();
      agent.destroy();
    },
  };
}

/** The floor: the same polls, batches and posts as the run, each call made bare, at the same concurrency. */
async function makeFloorCalls(work: {
  polls: number;
  posts: number;
  watches: number;
  concurrency: number;
  endpoints: StackEndpoints;
  sqs: SQSClient;
}): Promise<void> {
  const { endpoints } = work;
  const agent = new http.Agent({ keepAlive: true });
  const dynamo = new DynamoDBClient({ region: endpoints.region, endpoint: endpoints.dynamodb, credentials: LOCAL_CREDENTIALS });
  const poll = async (index: number) => {
    await getProgressSigned(endpoints, instanceIdFor(index % work.watches), new Date(), agent);
    await dynamo.send(
      new UpdateItemCommand({
        TableName: endpoints.tableName,
        Key: { pk: { S: `${FLOOR_KEY_PREFIX}#${Date.now()}#${index}` } },
        UpdateExpression: 'SET lease = :lease',
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':lease': { S: 'floor' } },
      }),
    );
  };
  let nextPoll = 0;
  const pollWorker = async () => {
    while (nextPoll < work.polls) {
      const batch = Array.from({ length: Math.min(10, work.polls - nextPoll) }, () => nextPoll++);
      await Promise.all(batch.map(poll));
      await work.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: endpoints.floorQueueUrl,
          Entries: batch.map((i) => ({ Id: String(i), MessageBody: SUCCESSOR_BODY, DelaySeconds: 1 })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: work.concurrency }, pollWorker));
  const { targets } = endpoints;
  let nextPost = 0;
  const postWorker = async () => {
    while (nextPost < work.posts) {
      const index = nextPost++;
      const response = await fetch(targets[index % targets.length] as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: EVENT_BODY,
        agent,
      });
      await response.text();
    }
  };
  await Promise.all(Array.from({ length: work.concurrency * 10 }, postWorker));
  dynamo.destroy();
  agent.destroy();
}

/** One bare, AK/SK-signed progress GET to the simulator, as any sound design makes per poll; the answer's text. */
async function getProgressSigned(endpoints: StackEndpoints, instanceId: string, date: Date, agent: http.Agent): Promise<string> {
  const url = `${endpoints.apig}/v2/${PROJECT_ID}/apigw/instances/${instanceId}/progress`;
  const headers = signRequest({
    method: 'GET',
    url,
    headers: { Accept: 'application/json' },
    accessKey: SIMULATOR_AKSK.accessKey,
    secretKey: SIMULATOR_AKSK.secretKey,
    date,
  });
  return (await fetch(url, { headers, agent })).text();
}

/**
 * With `BENCH_CPU_PROFILE=<file>.cpuprofile`, the handler process's CPU profile of the pipeline run
 * alone (not the floors) is written there, and the bare pipeline's to `<file>.bare.cpuprofile`, for
 * Chrome DevTools or any `.cpuprofile` reader; without it, nothing.
 */
async function startCpuProfile(file: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (!file) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function cpuMilliseconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

async function stopChild(child: { exited: Promise<number | null>; kill(): void }): Promise<void> {
  const timer = setTimeout(() => child.kill(), 10_000);
  await child.exited;
  clearTimeout(timer);
}
