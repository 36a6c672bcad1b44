import { ApigRetryableError, ApigTerminalError, type ProgressReport, type ProgressSource } from '../../lib/watch/ports/progress-source.js';
import { watchLocally } from '../../lib/cli/commands/watch/local-watch.js';
import { SILENT_LOG } from '../../lib/watch/ports/observability.js';
import type { Notifier } from '../../lib/watch/ports/notifier.js';
import type { WatchState } from '../../lib/watch/state.js';
import { progressReport, T0, watchRequest } from '../support/factories.js';

const NO_NOTIFIER: Notifier = {
  async deliver() {
    throw new Error('no target: nothing is delivered');
  },
};

/** Answers from a script, one per poll; a clock that the sleeps move forward. */
function scripted(answers: Array<Partial<ProgressReport> | Error>) {
  let nowMs = T0;
  const sleeps: number[] = [];
  const progressSource: ProgressSource = {
    async fetchProgress() {
      const answer = answers.shift();
      if (answer === undefined) throw new Error('polled more often than scripted');
      if (answer instanceof Error) throw answer;
      return progressReport(answer);
    },
  };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    nowMs += ms;
  };
  return { sleeps, ports: { progressSource, clock: { now: () => nowMs }, sleep, notifier: NO_NOTIFIER, targets: [], log: SILENT_LOG } };
}

/** Watches the factories' gateway locally, as `apig-watch watch` does, for at most `timeoutSeconds`. */
function watchScripted(
  ports: ReturnType<typeof scripted>['ports'],
  options: { intervalSeconds?: number; timeoutSeconds?: number; onStep?: (state: WatchState) => void } = {},
) {
  return watchLocally(watchRequest(), ports, { timeoutSeconds: 7200, ...options }).then(({ event }) => event);
}

describe('watchLocally (apig-watch watch, through the Lambda use case)', () => {
  it('polls until an outcome and returns its event, reporting each poll that did not end the watch', async () => {
    const { ports } = scripted([{ progress: 30 }, { progress: 80 }, { status: 'success', progress: 100 }]);
    const updates: WatchState[] = [];

    const event = await watchScripted(ports, { onStep: (state) => updates.push(state) });

    expect(event.data).toMatchObject({ outcome: 'succeeded', polls: 3 });
    expect(updates.map((state) => state.last?.progress)).toEqual([30, 80]);
  });

  it('polls every --interval seconds instead of the adaptive schedule, shorter or longer than its own', async () => {
    const fast = scripted([{ progress: 30 }, { progress: 30 }, { status: 'success' }]);
    const slow = scripted([{ progress: 30 }, { progress: 30 }, { status: 'success' }]);

    await watchScripted(fast.ports, { intervalSeconds: 5 });
    await watchScripted(slow.ports, { intervalSeconds: 120 });

    expect(fast.sleeps).toEqual([5_000, 5_000]);
    expect(slow.sleeps).toEqual([120_000, 120_000]);
  });

  it('waits between polls, never loops, when Huawei answers a progress of 5e-324', async () => {
    const { ports, sleeps } = scripted([{ progress: 5e-324 }, { progress: 5e-324 }, { progress: 5e-324 }, { status: 'success', progress: 100 }]);

    const event = await watchScripted(ports);

    expect(event.data.outcome).toBe('succeeded');
    expect(sleeps).toHaveLength(3);
    for (const ms of sleeps) {
      expect(Number.isInteger(ms / 1000)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(1000);
    }
  });

  it('never waits past the deadline with --interval', async () => {
    const { ports, sleeps } = scripted([{ progress: 30 }, { progress: 30 }]);

    const event = await watchScripted(ports, { intervalSeconds: 600, timeoutSeconds: 90 });

    expect(sleeps).toEqual([90_000]);
    expect(event.data.outcome).toBe('timed_out');
  });

  it('gives up on a refused connection after a few quick attempts when Huawei never answered', async () => {
    const refused = () => new ApigRetryableError('unreachable', 'APIG progress request failed (ECONNREFUSED): …; check APIG_ENDPOINT and the region');
    const { ports, sleeps } = scripted([refused(), refused(), refused()]);

    const event = await watchScripted(ports);

    expect(event.data).toMatchObject({ outcome: 'unavailable', status: null, progress: null });
    expect(event.data.error_msg).toMatch(/^Huawei never answered \(3 attempts\): .*check APIG_ENDPOINT/);
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(30_000);
  });

  it('backs off after a transient error and ends with the terminal outcome of a refusal', async () => {
    const { ports, sleeps } = scripted([
      new ApigRetryableError('server_error', 'HTTP 500'),
      new ApigTerminalError('forbidden', 'HTTP 403', { code: 'APIC.7106' }),
    ]);

    const event = await watchScripted(ports);

    expect(sleeps).toHaveLength(1);
    expect(event.data).toMatchObject({ outcome: 'forbidden', error_code: 'APIC.7106' });
  });

  it('notifies through the Lambda use case: an on=started target hears the first progress, then the outcome, each once', async () => {
    // Prepare
    const { ports } = scripted([{ progress: 30 }, { progress: 80 }, { status: 'success', progress: 100 }]);
    const heard: string[] = [];
    const notifier: Notifier = {
      async deliver(event) {
        heard.push(event.type);
        return { status: 'delivered', attempts: 1, httpStatus: 200 };
      },
    };
    const target = { id: 't1', type: 'webhook', url: 'https://hooks.example/x', display: 'webhook hooks.example #t1', on: ['started', 'succeeded'] as const };

    // Act
    const { event, deliveries } = await watchLocally(watchRequest(), { ...ports, notifier, targets: [target] }, { timeoutSeconds: 7200 });

    // Assess
    expect(heard).toEqual(['apig.gateway.creation.started', 'apig.gateway.creation.succeeded']);
    expect(event.data.outcome).toBe('succeeded');
    expect(deliveries).toEqual([{ target, result: { status: 'delivered', attempts: 1, httpStatus: 200 } }]);
  });
});
