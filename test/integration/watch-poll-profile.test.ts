import type { WatchPorts } from '../../lib/watch/step-context.js';
import { watchRequestBody } from '../support/factories.js';
import { MINUTE_MS, PIPELINE_WEBHOOK_SECRET, type Pipeline, startPipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await startPipeline();
});
afterAll(async () => {
  await pipeline?.stop();
});

/** The delay the watcher built from `env` gives the next poll of a gateway that has just reached 30 % (simulated seconds). */
async function firstPollDelaySeconds(instanceId: string, env: Record<string, string>): Promise<number | undefined> {
  pipeline.addGateway(instanceId, { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 60 * MINUTE_MS, status: 'success' } });
  const delays: number[] = [];
  const recordDelays = (ports: WatchPorts): WatchPorts => ({
    ...ports,
    queue: {
      ...ports.queue,
      async sendBatch(messages) {
        delays.push(...messages.map((message) => message.delaySeconds));
        return ports.queue.sendBatch(messages);
      },
    },
  });
  const { watcher } = pipeline.watcher({ NOTIFY_URLS: `webhook+${pipeline.receiver.url}/hook`, WEBHOOK_SECRET: PIPELINE_WEBHOOK_SECRET, ...env }, recordDelays);
  const body = JSON.stringify(watchRequestBody({ instance_id: instanceId }));
  const { failedMessageIds } = await watcher.processBatch([{ messageId: `m-${instanceId}`, body }], Date.now() + MINUTE_MS);
  expect(failedMessageIds).toEqual([]);
  return delays[0];
}

describe('POLL_PROFILE in the watcher', () => {
  it('spaces the polls of a creating gateway by the profile: prompt within 20 s, balanced within 46 s, economical longer', async () => {
    const prompt = await firstPollDelaySeconds('1'.repeat(32), { POLL_PROFILE: 'prompt' });
    const balanced = await firstPollDelaySeconds('2'.repeat(32), {});
    const economical = await firstPollDelaySeconds('3'.repeat(32), { POLL_PROFILE: 'economical' });
    expect(prompt).toBeLessThanOrEqual(20);
    expect(balanced).toBeGreaterThan(20);
    expect(balanced).toBeLessThanOrEqual(46);
    expect(economical).toBeGreaterThan(46);
  });
});
