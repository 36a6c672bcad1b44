import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { encodeStateMessage } from '../../lib/watch/state-message.js';
import { initialState } from '../../lib/watch/state.js';
import { T0, watchRequest, watchRequestBody } from '../support/factories.js';
import { instanceIdFor, startPipeline, webhookEvent, type DeadLetter, type Pipeline, type Run } from '../support/pipeline.js';

/**
 * docs/contracts.md, "Watch request — contract": anything invalid is rejected with a clear reason and ends in the dead-letter queue,
 * body intact; it never blocks the other records of its batch, and never reaches Huawei.
 * One run sends the whole corpus, nine bad records and one valid one per batch; each test then
 * checks one property of that run.
 */

const WEBHOOK_PATH = '/hooks/bad-input';
const valid = (overrides: Record<string, unknown> = {}) => watchRequestBody({ instance_id: instanceIdFor(0xbad), ...overrides });
const unsignedState = initialState(watchRequest({ instance_id: instanceIdFor(0xf0) }), T0, 7200);
const ANOTHER_KEY = { current: 'not the watcher key, but 32 bytes or more', previous: null };

/** [what it is, the message body, what the reason must name]. Every body is distinct. */
const CORPUS: Array<[string, string, RegExp]> = [
  ['a body that is not JSON', '{"project_id": "0123', /not JSON/],
  ['null', 'null', /JSON object.*null/],
  ['an array of requests', JSON.stringify([valid()]), /JSON object.*array/],
  ['a number', '42', /JSON object.*number/],
  ['a JSON string', '"watch fedcba98 please"', /JSON object.*string/],
  ['an empty object', '{}', /project_id/],
  ['a project_id of the wrong type', JSON.stringify(valid({ project_id: 1234 })), /project_id/],
  ['a context that is not a map', JSON.stringify(valid({ context: 'ticket=OPS-1' })), /context/],
  ['a context value that is not a string', JSON.stringify(valid({ context: { ticket: 42 } })), /context\.ticket/],
  ['an instance_id climbing out with ../', JSON.stringify(valid({ instance_id: '../../../v3/auth/tokens?nocatalog' })), /instance_id/],
  ['an instance_id with an encoded slash (%2f)', JSON.stringify(valid({ instance_id: 'fedcba9876543210%2ffedcba987654' })), /instance_id/],
  ['an instance_id with a slash', JSON.stringify(valid({ instance_id: 'fedcba9876543210/fedcba987654321' })), /instance_id/],
  ['a project_id with ..', JSON.stringify(valid({ project_id: '0123456789abcdef..23456789abcde' })), /project_id/],
  ['an instance_id with a space', JSON.stringify(valid({ instance_id: 'fedcba9876543210 edcba9876543210' })), /instance_id/],
  ['a region naming another host', JSON.stringify(valid({ region: 'ap-southeast-1.attacker.example' })), /region/],
  ['a region with a user-info @', JSON.stringify(valid({ region: 'attacker.example@ap-southeast-1' })), /region/],
  ['a region with a path', JSON.stringify(valid({ region: 'ap-southeast-1/../../x' })), /region/],
  ['a region with a trailing newline', JSON.stringify(valid({ region: 'ap-southeast-1\n' })), /region/],
  ['an oversized instance_name (65 characters)', JSON.stringify(valid({ instance_name: 'x'.repeat(65) })), /instance_name/],
  ['an instance_name with control characters', JSON.stringify(valid({ instance_name: 'gw\u0007\u001b[31m' })), /instance_name/],
  ['too many context entries (11)', JSON.stringify(valid({ context: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) })), /context/],
  ['an unsigned state (the old v: 1 format)', JSON.stringify({ ...unsignedState, v: 1 }), /^forged-state$/],
  ['a state without a signature', JSON.stringify({ v: 2, state: unsignedState }), /^forged-state$/],
  ['a state signed with another key', encodeStateMessage({ ...unsignedState, step: 4 }, ANOTHER_KEY), /^forged-state$/],
  [
    'an EventBridge event with a bad detail',
    JSON.stringify({ version: '0', 'detail-type': 'x', source: 'acme', detail: valid({ instance_id: '..' }) }),
    /instance_id/,
  ],
];

const BAD_PER_BATCH = 9;
const batchCount = Math.ceil(CORPUS.length / BAD_PER_BATCH);
const validInstanceIds = Array.from({ length: batchCount }, (_, n) => instanceIdFor(0x900 + n));

let pipeline: Pipeline;
let attacker: WebhookReceiver;
let run: Run;
let deadLetters: DeadLetter[];

// Prepare and act once: each batch of ten holds nine bad records and one valid one; the first
// valid one also names endpoints of its own, which must be ignored.
beforeAll(async () => {
  pipeline = await startPipeline();
  attacker = await startWebhookReceiver();
  const { handler } = pipeline.watcher({ NOTIFY_URLS: `webhook+${pipeline.receiver.url}${WEBHOOK_PATH}` });
  run = pipeline.run(handler);
  for (const instanceId of validInstanceIds) pipeline.addGateway(instanceId, { steps: [], finish: { atMs: 0, status: 'success' } });
  const hostile = { apig_endpoint: attacker.url, iam_endpoint: attacker.url, endpoint: attacker.url, APIG_ENDPOINT: attacker.url };

  for (let batch = 0; batch < batchCount; batch += 1) {
    const bad = CORPUS.slice(batch * BAD_PER_BATCH, (batch + 1) * BAD_PER_BATCH).map(([, body]) => body);
    const good = valid({ instance_id: validInstanceIds[batch], ...(batch === 0 ? hostile : {}) });
    await pipeline.send(...bad.slice(0, 4), good, ...bad.slice(4));
  }
  deadLetters = await pipeline.deadLetters(CORPUS.length);
  await pipeline.waitForPosts(WEBHOOK_PATH, validInstanceIds.length);
  await pipeline.waitForQuiet();
});

afterAll(async () => {
  await attacker?.close();
  await pipeline?.stop();
});

describe('a bad watch-queue message', () => {
  it.each(CORPUS)('ends in the dead-letter queue, body intact, with a reason: %s', (_what, body, reason) => {
    // Assess
    const letter = deadLetters.find((candidate) => candidate.body === body);
    expect(letter).toBeDefined();
    expect(letter?.reason).toMatch(reason);
  });

  it('is moved by the watcher itself: no invocation reports a batch-item failure, and nothing else is dead-lettered', () => {
    expect(run.invocations.flatMap((invocation) => invocation.failedMessageIds)).toEqual([]);
    expect(deadLetters).toHaveLength(CORPUS.length);
  });

  it('never blocks the valid record of its batch: each one is watched and notified once', () => {
    const isValid = (body: string) => validInstanceIds.some((instanceId) => body.includes(instanceId));
    const mixed = run.invocations.filter(({ records }) => records.some((r) => isValid(r.body)) && records.some((r) => !isValid(r.body)));
    expect(mixed.length).toBeGreaterThan(0);
    const notified = pipeline.receiver.received(WEBHOOK_PATH).map((request) => webhookEvent(request).data);
    expect(notified.map((data) => data.instance_id).sort()).toEqual([...validInstanceIds].sort());
    expect(notified.every((data) => data.outcome === 'succeeded')).toBe(true);
  });

  it("never reaches Huawei: the simulator saw only the valid records' progress requests (and, once created, their instance detail)", () => {
    const expected = validInstanceIds.flatMap((instanceId) => {
      const instance = `/v2/${watchRequest().project_id}/apigw/instances/${instanceId}`;
      return [`${instance}/progress`, instance];
    });
    expect(pipeline.simulator.requests.map((request) => request.path).sort()).toEqual(expected.sort());
  });
});

describe('a watch request naming endpoints of its own', () => {
  it('is watched against the configured endpoint only: the named host receives nothing', () => {
    expect(attacker.received()).toEqual([]);
    expect(pipeline.progressRequests(validInstanceIds[0]!)).toHaveLength(1);
  });
});
