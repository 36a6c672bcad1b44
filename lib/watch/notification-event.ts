/**
 * The terminal outcomes of a watch (docs/contracts.md, "Outcomes"). `cancelled` is an operator's
 * (`apig-watch cancel`), heard only by targets that ask for it (`on=cancelled`).
 */
export const OUTCOMES = ['succeeded', 'failed', 'not_found', 'unauthorized', 'forbidden', 'timed_out', 'unavailable', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcomes a target without `on=` hears: every one but `cancelled`. */
export const DEFAULT_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((outcome) => outcome !== 'cancelled');

/** `data` of the generic webhook event (docs/contracts.md, "Generic webhook event — contract", a public contract). */
export interface OutcomeData {
  outcome: Outcome;
  project_id: string;
  instance_id: string;
  instance_name: string | null;
  region: string;
  status: string | null;
  progress: number | null;
  error_code: string | null;
  error_msg: string | null;
  hint: string | null;
  started_at: string | null;
  finished_at: string | null;
  elapsed_ms: number | null;
  elapsed: string | null;
  polls: number;
  context: Record<string, string>;
}

/** The generic webhook event (docs/contracts.md, "Generic webhook event — contract"). `id` is stable per watch and outcome. */
export interface WatchEvent {
  type: `apig.gateway.creation.${Outcome}`;
  id: string;
  timestamp: string;
  data: OutcomeData;
}

/**
 * What a target can be notified of (`on=` in `NOTIFY_URLS`): the seven outcomes and `started`,
 * an opt-in notice that a watch began (first progress seen).
 */
export const EVENT_KINDS = [...OUTCOMES, 'started'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** `data` of a notified event: an outcome's, or the `started` notice's (same fields). */
export interface EventData extends Omit<OutcomeData, 'outcome'> {
  outcome: EventKind;
}

/** Any event apig-watch notifies: a `WatchEvent` (an outcome) or `apig.gateway.creation.started`. */
export interface NotificationEvent {
  type: `apig.gateway.creation.${EventKind}`;
  id: string;
  timestamp: string;
  data: EventData;
}
