import { isNeverAnswered } from '../../../notify/index.js';
import type { Outcome, OutcomeEvent, WatchState } from '../../../watch/index.js';
import type { BoardRow, RowTone } from './live-board.js';

const OUTCOME_TONES: Readonly<Record<Outcome, RowTone>> = {
  succeeded: 'good',
  failed: 'bad',
  not_found: 'bad',
  unauthorized: 'bad',
  forbidden: 'bad',
  timed_out: 'warn',
  unavailable: 'warn',
  cancelled: 'warn',
  not_started: 'warn',
  recovered: 'good',
};

/** How a row names an outcome that Huawei's status does not tell: in words, not state names. */
const OUTCOME_WORDS: Readonly<Record<Outcome, string>> = {
  succeeded: 'success',
  failed: 'failed',
  not_found: 'not found',
  unauthorized: 'credentials rejected',
  forbidden: 'permission missing',
  timed_out: 'still creating at the deadline',
  unavailable: 'Huawei unavailable',
  cancelled: 'cancelled',
  not_started: 'operation never started',
  recovered: 'healthy again',
};

/**
 * The board row of a watch still going, from its state: what Huawei answered last, a run of
 * transient errors as the note, and (when known) when the next poll is due.
 *
 * @example
 * board.update(id, rowOfState('orders-gw', decision.next, { nextPollAtMs: now + delay * 1000 }));
 */
export function rowOfState(label: string, state: WatchState, extra: { nextPollAtMs?: number; note?: string } = {}): BoardRow {
  const { last, transient } = state;
  return {
    label,
    status: state.kind === 'deliver' ? 'notifying' : (last?.status ?? 'waiting'),
    progress: last?.progress ?? null,
    startedAtMs: last?.start_time_ms ?? state.requested_at,
    tone: 'active',
    note: transient ? `retrying after: ${transient.last_error}` : extra.note,
    nextPollAtMs: extra.nextPollAtMs ?? null,
  };
}

/**
 * The final row of a watch, from its outcome event (whose progress is the last one reached while
 * creating, also for a failure: the row, the summary and every channel say the same).
 *
 * @example
 * board.update(id, rowOfOutcome('orders-gw', event));
 */
export function rowOfOutcome(label: string, event: OutcomeEvent): BoardRow {
  const { data } = event;
  const completed = data.outcome === 'succeeded' || data.outcome === 'failed';
  const endedAtMs = Date.parse(data.finished_at ?? event.timestamp);
  return {
    label,
    status: completed ? (data.status ?? OUTCOME_WORDS[data.outcome]) : isNeverAnswered(data) ? 'Huawei never answered' : OUTCOME_WORDS[data.outcome],
    progress: data.progress,
    startedAtMs: data.started_at === null ? endedAtMs : Date.parse(data.started_at),
    endedAtMs,
    tone: OUTCOME_TONES[data.outcome],
  };
}
