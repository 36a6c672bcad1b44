import { Webhook } from 'standardwebhooks';
import { watchRequestBody } from '../support/factories.js';
import { MINUTE_MS, instanceIdFor, startPipeline, type Pipeline } from '../support/pipeline.js';

/**
 * docs/contracts.md, "Signing": with WEBHOOK_SECRET_PREVIOUS set, the watcher's
 * posts carry a signature under each secret, so receivers still on the previous secret and those
 * already on the new one both accept them (checked with the official Standard Webhooks verifier).
 */

const PATH = '/hooks/rotation';
/** The new secret in the form the stack generates it (serverless.yml, WebhookSigningSecret): no whsec_. */
const NEW_SECRET = 'n3wGeneratedSecretOfSixtyFourLettersAndDigits0123456789abcdefghi';
const PREVIOUS_SECRET = `whsec_${Buffer.from('the previous webhook signing secret').toString('base64')}`;

let pipeline: Pipeline;
afterEach(async () => {
  await pipeline?.stop();
});

describe('a webhook signing secret rotation', () => {
  it('posts outcomes that a receiver with the previous secret and one with the new secret both accept', async () => {
    // Prepare
    pipeline = await startPipeline();
    const watcher = pipeline.watcher({
      NOTIFY_URLS: `webhook+${pipeline.receiver.url}${PATH}`,
      WEBHOOK_SECRET: NEW_SECRET,
      WEBHOOK_SECRET_PREVIOUS: PREVIOUS_SECRET,
    });
    pipeline.run(watcher.handler);
    pipeline.addGateway(instanceIdFor(1), { steps: [{ atMs: 0, progress: 40 }], finish: { atMs: 2 * MINUTE_MS, status: 'success' } });

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceIdFor(1) }));
    const [post] = await pipeline.waitForPosts(PATH, 1);

    // Assess
    expect(new Webhook(PREVIOUS_SECRET).verify(post!.rawBody, post!.headers)).toMatchObject({ data: { outcome: 'succeeded' } });
    expect(new Webhook(`whsec_${NEW_SECRET}`).verify(post!.rawBody, post!.headers)).toMatchObject({ data: { outcome: 'succeeded' } });
    expect(() => new Webhook(`whsec_${Buffer.from('a third secret, never configured').toString('base64')}`).verify(post!.rawBody, post!.headers)).toThrow();
  });
});
