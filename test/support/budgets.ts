/**
 * The real-time budgets of the tests that run the watcher on loopback (test/support/pipeline.ts,
 * the packaged handler in test/deploy). Each is wide enough that a stall of a second or two on a
 * loaded machine cannot fail a test, and costs nothing when the machine is idle: the waits return
 * on their event, an invocation returns when it is done.
 */

/**
 * The function timeout the local event source tells the handler about. The watcher keeps 5 s free
 * at the end, so deliveries get 10 s: a second lost to a loaded machine never pushes a post into
 * the next invocation. Nothing waits for it: an invocation returns as soon as it is done.
 */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 15_000;
/**
 * Seconds before a record the handler did not finish is delivered again: longer than an invocation
 * may run (`DEFAULT_FUNCTION_TIMEOUT_MS`), as Lambda requires, so that a stalled invocation is never
 * run a second time beside itself. Failed records come back sooner (ChangeMessageVisibility); a
 * test of what SQS does after a lost answer or a crashed invocation sets a short one itself.
 */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 20;
/**
 * How long a wait for an event (a post, a quiet queue, a dead letter) gives it by default. Generous, so that a stall on a loaded
 * machine cannot fail a test, and free: every wait returns as soon as its event happens.
 */
export const DEFAULT_WAIT_MS = 60_000;
