/**
 * The watch core's public surface: what the handlers, the adapters, the CLI and the dev kit use.
 * The rest of lib/watch (the pure policies' internals, the schedule's models) is imported directly
 * by its tests and the bench only.
 */
export { type CancelResult, cancelWatch } from './cancel-watch.js';
export {
  buildHealthNotice,
  buildOutcomeEvent,
  buildStartedEvent,
  DEFAULT_EVENT_KINDS,
  DEFAULT_OUTCOMES,
  EVENT_KINDS,
  type EventData,
  type EventKind,
  formatElapsed,
  type GatewayFacts,
  type NotificationEvent,
  notificationEventSchema,
  type Outcome,
  type OutcomeEvent,
  OUTCOMES,
  outcomeEventSchema,
  type UnavailableReason,
} from './events.js';
export { operationShownBy } from './decide-poll.js';
export * from './ports/index.js';
export { processBatch } from './process-batch.js';
export {
  DISCOVERY_ORIGIN,
  type FieldProblem,
  GROUP_NAME_PATTERN,
  InvalidMessageError,
  isEuropeanSiteRegion,
  type Operation,
  OPERATIONS,
  parseWatchRequest,
  REGION_PATTERN,
  type WatchRequest,
  watchRequestSchema,
} from './request.js';
export { adaptiveSchedule, POLL_PROFILES, type PollProfile, type PollSchedule, pollScheduleFor } from './schedule.js';
export { selectTargets, unknownGroups } from './select-targets.js';
export { MIN_STATE_SIGNING_KEY_BYTES, parseMessageBody, type StateSigningKeys, unverifiedStateOf } from './state-message.js';
export { gatewayKeyFor, initialState, type LastSeen, type WatchState, watchIdFor } from './state.js';
export type { IncomingRecord, StepOutcome, WatchPorts, WatchSettings } from './step-context.js';
