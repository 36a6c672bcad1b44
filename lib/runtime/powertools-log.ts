import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Log } from '../watch/index.js';

/**
 * The `Log` port over a Powertools `Logger`: structured JSON lines, with the Lambda context the
 * logger's middleware adds.
 *
 * @example
 * const log = logThrough(new Logger({ serviceName: 'apig-watch' }));
 * log.info('watch requested', { watch_id });
 */
export function logThrough(logger: Logger): Log {
  return {
    debug: (message, extra = {}) => logger.debug(message, extra as LogAttributes),
    info: (message, extra = {}) => logger.info(message, extra as LogAttributes),
    warn: (message, extra = {}) => logger.warn(message, extra as LogAttributes),
    error: (message, extra = {}) => logger.error(message, extra as LogAttributes),
  };
}
