import { ApigError, ApigRetryableError, ApigTerminalError, IamLoginRefusedError } from './progress-errors.js';
import type { ProgressSource } from './ports.js';
import type { Observation } from './decide.js';
import type { WatchState } from './state.js';

/**
 * Polls Huawei once for a watch and turns the answer or the error into an `Observation` for
 * `decidePoll`; errors that are not the APIG client's are thrown.
 *
 * @example
 * const decision = decidePoll(state, await observe(state, progressSource), Date.now());
 */
export async function observe(state: WatchState, progressSource: ProgressSource): Promise<Observation> {
  const { project_id, instance_id, region } = state.request;
  try {
    return { kind: 'progress', report: await progressSource.fetchProgress({ projectId: project_id, instanceId: instance_id, region }) };
  } catch (error) {
    if (error instanceof ApigTerminalError) return { kind: 'terminal_error', outcome: error.outcome, code: error.code ?? null, message: error.message };
    if (error instanceof IamLoginRefusedError) {
      const refusal = { confirmedAtMs: error.confirmedAtMs, fresh: error.fresh, code: error.code ?? null };
      return { kind: 'transient_error', throttled: false, answered: true, refusedLogin: refusal, message: error.message };
    }
    if (error instanceof ApigRetryableError) {
      const { reason, httpStatus, message } = error;
      // A foreign 404 is an HTTP answer, but not Huawei's: as far as the watch knows, Huawei never answered.
      const wrongEndpoint = reason === 'wrong_endpoint';
      return {
        kind: 'transient_error',
        throttled: reason === 'throttled',
        unreachable: reason === 'unreachable' || wrongEndpoint,
        answered: httpStatus !== undefined && !wrongEndpoint,
        message,
      };
    }
    if (error instanceof ApigError) return { kind: 'transient_error', throttled: false, message: error.message };
    throw error;
  }
}
