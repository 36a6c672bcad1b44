/**
 * What the core logs, counts and reads the time through. Powertools' `Logger` and `Metrics`
 * (lib/runtime) implement it in Lambda; tests pass recording fakes.
 */

/** The logging port. Never log a secret: targets are logged by their `display` form. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** A logger that drops everything, for callers that do not care. */
export const SILENT_LOG: Log = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A `Log` that adds the same keys to every line (a record's watch, step and message id).
 *
 * @example
 * withKeys(log, { watch_id, step }).info('polling again', { delaySeconds: 30 });
 */
export function withKeys(log: Log, keys: Record<string, unknown>): Log {
  return {
    debug: (message, extra) => log.debug(message, { ...keys, ...extra }),
    info: (message, extra) => log.info(message, { ...keys, ...extra }),
    warn: (message, extra) => log.warn(message, { ...keys, ...extra }),
    error: (message, extra) => log.error(message, { ...keys, ...extra }),
  };
}

/** The clock the use case reads; the demo runs it faster than real time. */
export interface Clock {
  now(): number;
}

/** The metrics port (Powertools Metrics in Lambda: CloudWatch EMF). */
export interface Metrics {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
  milliseconds(name: string, value: number, dimensions?: Record<string, string>): void;
}

/** Metrics that go nowhere, for callers that do not care. */
export const NO_METRICS: Metrics = { count() {}, milliseconds() {} };
