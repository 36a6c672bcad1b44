import { ApigRetryableError, ApigTerminalError } from '../../lib/apig/errors.js';
import type { ProgressReport, ProgressSource } from '../../lib/apig/types.js';
import { watchCreation, type PollUpdate } from '../../lib/cli/watch-creation.js';
import { progressReport, T0, watchState } from '../support/factories.js';

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
  return { sleeps, ports: { progressSource, clock: { now: () => nowMs }, sleep } };
}

describe('watchCreation', () => {
  it('polls until an outcome and returns its event, reporting each poll that did not end the watch', async () => {
    const { ports } = scripted([{ progress: 30 }, { progress: 80 }, { status: 'success', progress: 100 }]);
    const updates: PollUpdate[] = [];

    const event = await watchCreation(watchState(), { ...ports, onPoll: (update) => updates.push(update) });

    expect(event.data).toMatchObject({ outcome: 'succeeded', polls: 3 });
    expect(updates.map((update) => update.state.last?.progress)).toEqual([30, 80]);
  });

  it('waits the schedule\'s delay, but never less than the minimum interval', async () => {
    const { ports, sleeps } = scripted([{ progress: 30 }, { progress: 30 }, { status: 'success' }]);

    await watchCreation(watchState(), ports, { minIntervalSeconds: 120 });

    expect(sleeps).toEqual([120_000, 120_000]);
  });

  it('backs off after a transient error and ends with the terminal outcome of a refusal', async () => {
    const { ports, sleeps } = scripted([new ApigRetryableError('server_error', 'HTTP 500'), new ApigTerminalError('forbidden', 'HTTP 403', { code: 'APIC.7106' })]);

    const event = await watchCreation(watchState(), ports);

    expect(sleeps).toHaveLength(1);
    expect(event.data).toMatchObject({ outcome: 'forbidden', error_code: 'APIC.7106' });
  });
});
