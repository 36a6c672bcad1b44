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
import { createLiveBoard, type BoardRow } from '../lib/cli/live-board.js';
import { rowOfOutcome, rowOfState } from '../lib/cli/watch-rows.js';
import type { SimulatedGateway } from '../lib/dev/apig-simulator.js';
import { describeNotification, formatClock, LOCAL_CHANNELS, startLocalStack } from '../lib/dev/local-stack.js';
import type { ReceivedRequest } from '../lib/dev/webhook-receiver.js';
import { formatElapsed } from '../lib/watch/event.js';
import type { WatchEvent } from '../lib/watch/outcome.js';
import { parseMessageBody } from '../lib/watch/state.js';

const TIME_SCALE = 20;
const GIVE_UP_AFTER_MS = 120_000;
const RECEIVER_POLL_MS = 100;
const MINUTE_MS = 60_000;

interface DemoWatch {
  name: string;
  projectId: string;
  instanceId: string;
  gateway: Omit<SimulatedGateway, 'projectId' | 'instanceId'> | null;
}

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const WATCHES: DemoWatch[] = [
  {
    name: 'orders-gw-prod',
    projectId: PROJECT_ID,
    instanceId: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
    gateway: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 1.5 * MINUTE_MS, progress: 50 },
        { atMs: 3 * MINUTE_MS, progress: 80 },
        { atMs: 5 * MINUTE_MS, progress: 90 },
      ],
      finish: { atMs: 6.2 * MINUTE_MS, status: 'success' },
    },
  },
  {
    name: 'payments-gw-staging',
    projectId: PROJECT_ID,
    instanceId: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2',
    gateway: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 2 * MINUTE_MS, progress: 50 },
      ],
      finish: { atMs: 3 * MINUTE_MS + 40_000, status: 'failed', errorCode: 'APIC.9218', errorMsg: 'create failed...' },
    },
  },
  { name: 'typo-gw', projectId: PROJECT_ID, instanceId: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3', gateway: null },
];

async function main(): Promise<number> {
  const rows = new Map<string, BoardRow>();
  const outcomes = new Map<string, WatchEvent>();
  const watchOf = new Map(WATCHES.map((watch) => [watch.instanceId, watch]));
  let show: (instanceId: string, row: BoardRow) => void = () => undefined;
  const stack = await startLocalStack({
    timeScale: TIME_SCALE,
    onInvocation: (event) => {
      // The record being processed carries the state its poll starts from: what was seen last.
      for (const record of event.Records) {
        const message = safely(() => parseMessageBody(record.body));
        if (message?.kind !== 'state') continue;
        const watch = watchOf.get(message.state.request.instance_id);
        if (watch && !outcomes.has(watch.instanceId)) show(watch.instanceId, rowOfState(watch.name, message.state));
      }
    },
  });
  const { aws, simulator, receiver, clock, startedAtMs: startedMs } = stack;
  for (const watch of WATCHES) {
    if (watch.gateway) simulator.addGateway({ projectId: watch.projectId, instanceId: watch.instanceId, ...watch.gateway });
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
  for (const watch of WATCHES) show(watch.instanceId, { label: watch.name, status: 'requested', progress: null, startedAtMs: clock.now(), tone: 'active' });

  for (const watch of WATCHES) {
    const body = { project_id: watch.projectId, instance_id: watch.instanceId, region: 'ap-southeast-1', instance_name: watch.name, context: { ticket: 'OPS-1234' } };
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: JSON.stringify(body) }));
  }

  const expected = WATCHES.length * LOCAL_CHANNELS.length;
  let shown = 0;
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  while (Date.now() < deadline && shown < expected) {
    await new Promise((resolve) => setTimeout(resolve, RECEIVER_POLL_MS));
    for (const request of receiver.received().slice(shown)) {
      shown += 1;
      if (request.path === '/webhook') {
        const event = request.body as WatchEvent;
        const watch = watchOf.get(event.data.instance_id);
        if (watch) {
          outcomes.set(watch.instanceId, event);
          show(watch.instanceId, rowOfOutcome(watch.name, event));
        }
      }
      board.log(describeNotification(request, stamp()));
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

function summaryTable(received: ReceivedRequest[], outcomes: Map<string, WatchEvent>): string {
  const delivered = (watch: DemoWatch, channel: string) =>
    received.some((request) => request.path === `/${channel}` && JSON.stringify(request.body).includes(watch.instanceId)) ? '✔' : '✖';
  const table = [
    ['gateway', 'outcome', 'elapsed', 'polls', 'error', ...LOCAL_CHANNELS],
    ...WATCHES.map((watch) => {
      const data = outcomes.get(watch.instanceId)?.data;
      return [watch.name, data?.outcome ?? '—', data?.elapsed ?? '—', String(data?.polls ?? '—'), data?.error_code ?? '', ...LOCAL_CHANNELS.map((channel) => delivered(watch, channel))];
    }),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => [...row[column]!].length)));
  return table.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd()).join('\n');
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
