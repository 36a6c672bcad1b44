import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { createSqsWatchQueue } from '../../lib/queue/watch-queue.js';
import type { OutgoingMessage, WatchQueue } from '../../lib/watch/ports/watch-queue.js';

const KIB = 1024;

let aws: LocalAws;
let queue: WatchQueue;
beforeAll(async () => {
  aws = await startLocalAws();
  queue = createSqsWatchQueue(aws.sqs, aws.queueUrl, aws.deadLetterQueueUrl);
});
afterAll(async () => {
  await aws.stop();
});

/** A message whose JSON body is `bytes` long, tagged with `id`. */
function messageFactory(id: string, bytes: number): OutgoingMessage {
  const head = `{"id":"${id}","pad":"`;
  return { id, body: `${head}${'x'.repeat(Math.max(0, bytes - head.length - 2))}"}`, delaySeconds: 0 };
}

/** Receives up to `expected` messages of the watch queue (hiding them for a minute); the ids in their bodies, sorted. */
async function receiveAllIds(expected: number): Promise<string[]> {
  const ids: string[] = [];
  for (let round = 0; round < 20 && ids.length < expected; round += 1) {
    const answer = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }),
    );
    for (const message of answer.Messages ?? []) ids.push((JSON.parse(message.Body ?? '{}') as { id: string }).id);
  }
  return ids.sort();
}

describe('createSqsWatchQueue().sendBatch over fauxqs', () => {
  it('sends six messages of 200 KiB (1.2 MB together, more than one SendMessageBatch may carry) without failing any', async () => {
    // Prepare
    const messages = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => messageFactory(`big-${id}`, 200 * KIB));

    // Act
    const failed = await queue.sendBatch(messages);

    // Assess
    expect([...failed]).toEqual([]);
    expect(await receiveAllIds(6)).toEqual(messages.map((message) => message.id).sort());
  });

  it('fails only the one message too large for SQS: the nine others of its batch are sent', async () => {
    // Prepare
    const small = Array.from({ length: 9 }, (_, index) => messageFactory(`small-${index}`, 2 * KIB));
    const huge = messageFactory('huge', 1100 * KIB);
    const messages = [...small.slice(0, 4), huge, ...small.slice(4)];

    // Act
    const failed = await queue.sendBatch(messages);

    // Assess
    expect([...failed.keys()]).toEqual(['huge']);
    expect(failed.get('huge')).toMatch(/long|large|size|bytes/i);
    expect(await receiveAllIds(9)).toEqual(small.map((message) => message.id).sort());
  });

  it('still sends 25 small messages, 10 at most per call', async () => {
    // Prepare
    const messages = Array.from({ length: 25 }, (_, index) => messageFactory(`n-${String(index).padStart(2, '0')}`, 300));

    // Act
    const failed = await queue.sendBatch(messages);

    // Assess
    expect([...failed]).toEqual([]);
    expect(await receiveAllIds(25)).toHaveLength(25);
  });
});
