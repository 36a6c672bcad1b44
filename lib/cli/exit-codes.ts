import type { Outcome } from '../watch/index.js';

/** The exit codes of `apig-watch` (documented in docs/operating.md and `apig-watch --help`). */
export const EXIT_CODES = {
  /** `watch`: the gateway was created; other commands: done. */
  ok: 0,
  /** `watch`: the creation failed; `test-notify`: a target did not take the sample. */
  failed: 1,
  /** Invalid usage or input: a bad argument or setting, named in the message. */
  usage: 2,
  /** `watch`: still creating at the deadline (`--timeout`). */
  timedOut: 3,
  /** Could not watch or start: not found, unauthorized, forbidden, Huawei or AWS unavailable. */
  couldNotWatch: 4,
  /** `watch --require-notify`: the watch ended, but a target did not take the notification. */
  notNotified: 5,
  /** An internal error: a bug, please report it. */
  internal: 70,
  /** Stopped with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

const OUTCOME_EXIT_CODES: Readonly<Record<Outcome, number>> = {
  succeeded: EXIT_CODES.ok,
  failed: EXIT_CODES.failed,
  timed_out: EXIT_CODES.timedOut,
  not_found: EXIT_CODES.couldNotWatch,
  unauthorized: EXIT_CODES.couldNotWatch,
  forbidden: EXIT_CODES.couldNotWatch,
  unavailable: EXIT_CODES.couldNotWatch,
  cancelled: EXIT_CODES.couldNotWatch,
};

/**
 * The exit code of `apig-watch watch` for a watch's outcome.
 *
 * @example
 * exitCodeForOutcome('timed_out') // 3
 */
export function exitCodeForOutcome(outcome: Outcome): number {
  return OUTCOME_EXIT_CODES[outcome];
}
