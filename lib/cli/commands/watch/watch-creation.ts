import { decidePoll, observe } from '../../../watch/decide-poll.js';
import { type ProgressSource, type Clock, type OutcomeEvent, adaptiveSchedule, type PollSchedule, type WatchState } from '../../../watch/index.js';

/** What one poll that did not end the watch saw, and how long until the next. */
export interface PollUpdate {
  /** The state after the poll: `last` is what Huawei answered, `transient` a run of errors. */
  state: WatchState;
  delaySeconds: number;
  /** E.g. an unknown status; polling goes on. */
  warning?: string;
}

export interface WatchCreationPorts {
  progressSource: ProgressSource;
  clock: Clock;
  /** Waits this many ms of the clock's time (the CLI scales it with `APIG_WATCH_TIME_SCALE`). */
  sleep: (ms: number) => Promise<void>;
  onPoll?: (update: PollUpdate) => void;
}

export interface WatchCreationOptions {
  /** `--interval`: poll every this many seconds instead of the adaptive schedule (errors keep their back-off). */
  intervalSeconds?: number;
}

/**
 * Watches one creation in this process, with the poller's own policy and no queue: fetch →
 * `decidePoll` → wait `delaySeconds` → … until an outcome. With `intervalSeconds` the polls of a
 * gateway still being created are that far apart (bounded by the deadline, like the schedule's).
 *
 * @example
 * const event = await watchCreation(startWatch(request, clock.now(), 7200), { progressSource, clock, sleep });
 * event.data.outcome // 'succeeded'
 */
export async function watchCreation(first: WatchState, ports: WatchCreationPorts, options: WatchCreationOptions = {}): Promise<OutcomeEvent> {
  const { intervalSeconds } = options;
  const schedule: PollSchedule = intervalSeconds === undefined ? adaptiveSchedule : () => intervalSeconds;
  let state = first;
  for (;;) {
    const observation = await observe(state, ports.progressSource);
    const decision = decidePoll(state, observation, ports.clock.now(), schedule);
    if (decision.action === 'notify') return decision.event;
    const { delaySeconds } = decision;
    ports.onPoll?.({ state: decision.next, delaySeconds, warning: decision.warning });
    await ports.sleep(delaySeconds * 1000);
    state = decision.next;
  }
}
