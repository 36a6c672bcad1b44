import { watchRequestBody } from '../support/factories.js';
import { MINUTE_MS, instanceIdFor, startPipeline, webhookEvent, type Pipeline } from '../support/pipeline.js';

/**
 * NOTIFY_URLS filters through the real poller (fauxqs, dynalite, the simulator, a receiver): each
 * target hears exactly the outcomes, contexts and groups it is configured for.
 */

let pipeline: Pipeline;
afterAll(async () => pipeline?.stop());

const TARGETS = {
  all: '',
  oncall: '#on=failed',
  payments: '#when=team:payments',
  billing: '#group=billing',
};

it('routes each outcome to the targets whose on=, when= and group= want it, and to no other', async () => {
  // Prepare: a success for team payments, a failure naming group billing, a failure of another team.
  pipeline = await startPipeline();
  const notifyUrls = Object.entries(TARGETS)
    .map(([name, fragment]) => `webhook+${pipeline.receiver.url}/${name}${fragment}`)
    .join(',');
  pipeline.run(pipeline.watcher({ NOTIFY_URLS: notifyUrls }).handler);
  const [paymentsOk, billingFailed, ordersFailed] = [instanceIdFor(1), instanceIdFor(2), instanceIdFor(3)];
  const failing = { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 2 * MINUTE_MS, status: 'failed' as const, errorCode: 'APIC.9218' } };
  pipeline.addGateway(paymentsOk, { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 2 * MINUTE_MS, status: 'success' } });
  pipeline.addGateway(billingFailed, failing);
  pipeline.addGateway(ordersFailed, failing);

  // Act
  await pipeline.send(
    watchRequestBody({ instance_id: paymentsOk, context: { team: 'payments' } }),
    watchRequestBody({ instance_id: billingFailed, context: { team: 'billing' }, notify: ['billing'] }),
    watchRequestBody({ instance_id: ordersFailed, context: { team: 'orders' } }),
  );
  await pipeline.waitForPosts('/all', 3);
  await pipeline.waitForQuiet();

  // Assess
  const heard = (name: string) =>
    pipeline.receiver
      .received(`/${name}`)
      .map((post) => webhookEvent(post).data.instance_id)
      .sort();
  expect(heard('all')).toEqual([paymentsOk, billingFailed, ordersFailed].sort());
  expect(heard('oncall')).toEqual([billingFailed, ordersFailed].sort());
  expect(heard('payments')).toEqual([paymentsOk]);
  expect(heard('billing')).toEqual([billingFailed]);
});

it('sends the opt-in started notice once, at the first progress seen, only to targets with on=started', async () => {
  // Prepare
  await pipeline?.stop();
  pipeline = await startPipeline();
  const notifyUrls = [`webhook+${pipeline.receiver.url}/everything`, `webhook+${pipeline.receiver.url}/lifecycle#on=started,succeeded`].join(',');
  pipeline.run(pipeline.watcher({ NOTIFY_URLS: notifyUrls }).handler);
  const instanceId = instanceIdFor(4);
  pipeline.addGateway(instanceId, {
    steps: [
      { atMs: 0, progress: 30 },
      { atMs: 2 * MINUTE_MS, progress: 80 },
    ],
    finish: { atMs: 4 * MINUTE_MS, status: 'success' },
  });

  // Act
  await pipeline.send(watchRequestBody({ instance_id: instanceId }));
  await pipeline.waitForPosts('/lifecycle', 2);
  await pipeline.waitForQuiet();

  // Assess
  const lifecycle = pipeline.receiver.received('/lifecycle').map((post) => webhookEvent(post));
  expect(lifecycle.map((event) => event.type)).toEqual(['apig.gateway.creation.started', 'apig.gateway.creation.succeeded']);
  expect(lifecycle[0]!.data).toMatchObject({ outcome: 'started', instance_id: instanceId, progress: 30, finished_at: null });
  expect(pipeline.receiver.received('/everything').map((post) => webhookEvent(post).type)).toEqual(['apig.gateway.creation.succeeded']);
});
