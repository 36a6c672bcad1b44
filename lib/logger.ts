/**
 * The logging port every module receives. Powertools' `Logger` satisfies it; tests pass a
 * recording logger. Never log a secret: URLs of targets are logged by their `display` form.
 */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** A logger that drops everything, for callers that do not care. */
export const SILENT_LOG: Log = { debug() {}, info() {}, warn() {}, error() {} };
