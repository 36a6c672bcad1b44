import type { Log } from './ports.js';

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
