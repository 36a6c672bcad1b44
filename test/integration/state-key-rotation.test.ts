import type { SqsHandler } from '../../devkit/local-event-source.js';
import { FORGED_STATE_REASON } from '../../lib/watch/state-message.js';
import { watchRequestBody } from '../support/factories.js';
import { THREE_STEP_CREATION, instanceIdFor, settledPosts, startPipeline, type EnvOverrides, type Pipeline } from '../support/pipeline.js';
import { OLD_KEY, NEW_KEY, ROTATION_WINDOWS, type KeyConfig } from '../support/rotation.js';

/**
 * Two watcher containers with the key configurations that coexist at one point of a rotation
 * (docs/operating.md, "Rotating the state signing key"), each taking every other invocation of one
 * watch's chain, so every step's state is read by the other container than the one that signed it.
 */

const TARGET = '/hooks/rotation';

let pipeline: Pipeline;
afterEach(async () => {
  await pipeline?.stop();
});

function envOf(keys: KeyConfig): EnvOverrides {
  return {
    NOTIFY_URLS: `webhook+${pipeline.receiver.url}${TARGET}`,
    STATE_SIGNING_KEY: keys.current,
    ...(keys.previous ? { STATE_SIGNING_KEY_PREVIOUS: keys.previous } : {}),
    ...(keys.next ? { STATE_SIGNING_KEY_NEXT: keys.next } : {}),
  };
}

/** Runs one watch with invocations alternating between a container of each configuration. */
async function watchAcross(first: KeyConfig, second: KeyConfig) {
  pipeline = await startPipeline();
  const containers = [pipeline.watcher(envOf(first)), pipeline.watcher(envOf(second))];
  let invocations = 0;
  const alternating: SqsHandler = (event, context) => {
    const container = containers[invocations++ % 2];
    if (!container) throw new Error('no container');
    return container.handler(event, context);
  };
  pipeline.run(alternating, { batchSize: 1, concurrency: 1 });
  const instanceId = instanceIdFor(1);
  pipeline.addGateway(instanceId, THREE_STEP_CREATION);
  await pipeline.send(watchRequestBody({ instance_id: instanceId }));
  return { instanceId, invocations: () => invocations };
}

describe('rotating the state signing key (docs/operating.md)', () => {
  it.each(ROTATION_WINDOWS.map((window) => [window.name, window] as const))(
    'loses nothing while containers of "%s" read each other\'s states',
    async (_, window) => {
      // Prepare
      const [first, second] = window.configs;
      if (!first || !second) throw new Error('a window names two configurations');

      // Act
      const { instanceId, invocations } = await watchAcross(first, second);

      // Assess
      const [posts] = await settledPosts(pipeline, instanceId, [TARGET]);
      expect(posts).toHaveLength(1);
      expect(invocations()).toBeGreaterThanOrEqual(3);
      expect(await pipeline.deadLetters(0, 200)).toEqual([]);
    },
  );

  it('dead-letters as forged the states of a container that signs with a key the other does not accept yet (the old procedure)', async () => {
    // Prepare: the secret rotated in place, one container still holding the old value.
    const stale = { current: OLD_KEY, previous: null, next: null };
    const rotated = { current: NEW_KEY, previous: OLD_KEY, next: null };

    // Act
    await watchAcross(stale, rotated);

    // Assess
    const [letter] = await pipeline.deadLetters(1);
    expect(letter?.reason).toBe(FORGED_STATE_REASON);
  });
});
