/**
 * `npm start`: the whole watcher on an embedded default. fauxqs plays SQS, dynalite plays DynamoDB,
 * the project's simulator plays Huawei Cloud, a loopback receiver plays Slack and a signed webhook,
 * and the real poll handler runs under a local event-source loop — the code path Lambda runs.
 * Creations are time-compressed (TIME_SCALE× real time).
 *
 * On a terminal, each watch is a live row (progress bar, status, elapsed) and each notification is
 * shown as it arrives, as its reader would see it; elsewhere (a pipe, CI) the same as plain lines.
 * Ends with a summary table and exits 0 once every watch is notified.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createLiveBoard, type BoardRow } from '../lib/cli/commands/watch/live-board.js';
import { rowOfOutcome, rowOfState } from '../lib/cli/commands/watch/watch-rows.js';
import { lambdaContext } from '../devkit/local-event-source.js';
import { SCRIPTED_GATEWAYS, SCRIPTED_PROJECT_ID as PROJECT_ID, SCRIPTED_REGION as REGION, type ScriptedGateway } from '../lib/simulator/index.js';
import { describeNotification, formatClock, LOCAL_CHANNELS, startLocalWatcher } from './support/local-watcher.js';
import type { ReceivedRequest } from '../devkit/webhook-receiver.js';
import { parseNotifyUrls } from '../lib/notify/targets.js';
import { type EventKind, formatElapsed, OUTCOMES, type Outcome, type OutcomeEvent, parseMessageBody, selectTargets } from '../lib/watch/index.js';
import { runScript, safely } from './support/run-script.js';

const TIME_SCALE = 20;
const GIVE_UP_AFTER_MS = 120_000;
const RECEIVER_POLL_MS = 100;
/** A filtered target: a Slack channel that hears failures only. */
const ON_CALL = { path: 'oncall', entry: 'slack+{receiver}/oncall#on=failed' } as const;
const SLACK_PATHS = { '/slack': 'Slack', [`/${ON_CALL.path}`]: 'Slack on-call (on=failed)' };
const DEMO_CONTEXT = { ticket: 'OPS-1234' };

/** The scripted gateways that reach an outcome: the demo ends once every target has what it wants. */
const WATCHES: readonly DemoWatch[] = SCRIPTED_GATEWAYS.filter((gateway) => gateway.timeline?.finish !== null);
type DemoWatch = ScriptedGateway;

/** The outcome each demo watch is scripted to reach. */
function scriptedOutcome(watch: DemoWatch): Outcome {
  if (watch.timeline === null) return 'not_found';
  if (watch.operation === 'health') return 'recovered';
  return watch.timeline.finish?.status === 'failed' ? 'failed' : 'succeeded';
}

/** Every event a demo watch is scripted to notify: its outcome, after the unhealthy notice for a health watch. */
function scriptedEvents(watch: DemoWatch): EventKind[] {
  return watch.operation === 'health' ? ['unhealthy', scriptedOutcome(watch)] : [scriptedOutcome(watch)];
}

const TERMINAL: ReadonlySet<string> = new Set<string>(OUTCOMES);

async function main(): Promise<number> {
  const rows = new Map<string, BoardRow>();
  const outcomes = new Map<string, OutcomeEvent>();
  const watchOf = new Map(WATCHES.map((watch) => [watch.instanceId, watch]));
  let show: (instanceId: string, row: BoardRow) => void = () => undefined;
  const stack = await startLocalWatcher({
    timeScale: TIME_SCALE,
    extraTargets: [ON_CALL.entry],
    env: { DISCOVER_PROJECTS: `${REGION}:${PROJECT_ID}` },
    onInvocation: (event) => {
      // The record being processed carries the state its poll starts from: what was seen last.
      const keys = { current: process.env.STATE_SIGNING_KEY ?? '', previous: null };
      for (const record of event.Records) {
        const message = safely(() => parseMessageBody(record.body, keys));
        if (message?.kind !== 'state') continue;
        const watch = watchOf.get(message.state.request.instance_id);
        if (watch && !outcomes.has(watch.instanceId)) show(watch.instanceId, rowOfState(watch.name, message.state));
      }
    },
  });
  const { aws, simulator, receiver, clock, originMs: startedMs } = stack;
  const { handler: discover } = (await import('../handlers/discover.js')) as {
    handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ discovered: number }>;
  };
  for (const watch of WATCHES) {
    if (watch.timeline) simulator.addGateway({ projectId: PROJECT_ID, instanceId: watch.instanceId, ...watch.timeline });
  }

  const board = createLiveBoard(process.stdout, { now: clock.now, color: process.stdout.isTTY === true && !process.env.NO_COLOR });
  const stamp = () => `[${formatClock(clock.now() - startedMs)}]`;
  board.log([
    `apig-watch demo · time runs ${TIME_SCALE}× faster`,
    `  SQS (fauxqs) ${aws.queueUrl}`,
    `  Huawei APIG simulator ${simulator.url} · webhook receiver ${receiver.url}`,
    '',
  ]);

  show = (instanceId: string, row: BoardRow) => {
    rows.set(instanceId, row);
    board.update(instanceId, row);
  };
  for (const watch of WATCHES)
    show(watch.instanceId, {
      label: watch.name,
      status: watch.discovered ? 'unwatched' : 'requested',
      progress: null,
      startedAtMs: clock.now(),
      tone: 'active',
    });

  for (const watch of WATCHES.filter((candidate) => !candidate.discovered)) {
    const body = {
      project_id: PROJECT_ID,
      instance_id: watch.instanceId,
      region: REGION,
      instance_name: watch.name,
      context: DEMO_CONTEXT,
      operation: watch.operation,
    };
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: JSON.stringify(body) }));
  }
  // Once the requested watches have begun (so a sweep's copy joins them), one discovery sweep.
  const begun = () => WATCHES.every((watch) => watch.discovered || rows.get(watch.instanceId)?.status !== 'requested');
  for (const waitUntil = Date.now() + 5_000; !begun() && Date.now() < waitUntil; ) await new Promise((resolve) => setTimeout(resolve, RECEIVER_POLL_MS));
  const sweep = await discover({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, lambdaContext(60_000, 'apig-watch-demo-discover'));
  board.log([
    `${stamp()} discovery sweep: ${sweep.discovered} gateway(s) being created, resized, deleted or unhealthy in project ${PROJECT_ID}; each gets a watch request (origin: discovery), joining a watch already running`,
    '',
  ]);

  // What each target should receive: the NOTIFY_URLS filters applied to each watch's outcome.
  const targets = parseNotifyUrls(process.env.NOTIFY_URLS ?? '');
  const context = (watch: DemoWatch) => ({ context: watch.discovered ? {} : DEMO_CONTEXT });
  const wanted = (watch: DemoWatch, outcome: EventKind) => selectTargets(targets, { data: { outcome, operation: watch.operation } }, context(watch));
  const expected = WATCHES.reduce((sum, watch) => sum + scriptedEvents(watch).reduce((count, kind) => count + wanted(watch, kind).length, 0), 0);
  const postsAbout = (watch: DemoWatch, path: string) =>
    receiver.received(path).filter((request) => JSON.stringify(request.body).includes(watch.instanceId)).length;
  const allArrived = () =>
    WATCHES.every((watch) =>
      targets.every(
        (target) => postsAbout(watch, new URL(target.url).pathname) >= scriptedEvents(watch).filter((kind) => wanted(watch, kind).includes(target)).length,
      ),
    );
  let shown = 0;
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  while (Date.now() < deadline && !allArrived()) {
    await new Promise((resolve) => setTimeout(resolve, RECEIVER_POLL_MS));
    for (const request of receiver.received().slice(shown)) {
      shown += 1;
      if (request.path === '/webhook') {
        const event = request.body as OutcomeEvent;
        const watch = watchOf.get(event.data.instance_id);
        if (watch && TERMINAL.has(event.data.outcome)) {
          outcomes.set(watch.instanceId, event);
          show(watch.instanceId, rowOfOutcome(watch.name, event));
        }
      }
      board.log(describeNotification(request, stamp(), SLACK_PATHS));
    }
  }
  board.close();

  const received = receiver.received();
  const calls = simulator.stats().requests;
  await stack.stop();
  console.log(`\n${summaryTable(received, outcomes)}`);
  if (received.length !== expected) {
    console.error(`\nexpected ${expected} notifications, received ${received.length}`);
    return 1;
  }
  console.log(
    `\nAll ${WATCHES.length} watches notified: ${received.length} notifications, ${calls} calls to the simulated Huawei API, ` +
      `${formatElapsed(Date.now() - startedMs)} of real time.`,
  );
  return 0;
}

function summaryTable(received: ReceivedRequest[], outcomes: Map<string, OutcomeEvent>): string {
  const delivered = (watch: DemoWatch, channel: string) =>
    received.some((request) => request.path === `/${channel}` && JSON.stringify(request.body).includes(watch.instanceId)) ? '✔' : '✖';
  /** The filtered target: ✔ received what it wants, – rightly left out, ✖ otherwise. */
  const filtered = (watch: DemoWatch) => {
    const got = delivered(watch, ON_CALL.path) === '✔';
    const wants = scriptedOutcome(watch) === 'failed';
    return got === wants ? (got ? '✔' : '–') : '✖';
  };
  const table = [
    ['gateway', 'outcome', 'elapsed', 'polls', 'error', ...LOCAL_CHANNELS, 'on-call'],
    ...WATCHES.map((watch) => {
      const data = outcomes.get(watch.instanceId)?.data;
      const operation = watch.operation && watch.operation !== 'creation' ? ` ${watch.operation}` : '';
      const name = `${watch.name}${watch.discovered ? ` (discovered${operation})` : operation ? ` (${operation.trim()})` : ''}`;
      return [
        name,
        data?.outcome ?? '—',
        data?.elapsed ?? '—',
        String(data?.polls ?? '—'),
        data?.error_code ?? '',
        ...LOCAL_CHANNELS.map((channel) => delivered(watch, channel)),
        filtered(watch),
      ];
    }),
  ];
  const widths = (table[0] ?? []).map((_, column) => Math.max(...table.map((row) => [...(row[column] ?? '')].length)));
  return table.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd()).join('\n');
}

runScript(main);
