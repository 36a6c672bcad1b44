import { ConfigError } from '../config-error.js';

/**
 * A notification setting (`NOTIFY_URLS`, `WEBHOOK_SECRET`) is unusable. The message names the
 * variable, the entry's position and the problem, never the URL or secret itself:
 * `NOTIFY_URLS entry 2 is not a valid URL`. A `ConfigError`, so the poller and the CLI report it as such.
 */
export class NotifyConfigError extends ConfigError {
  override readonly name: string = 'NotifyConfigError';

  constructor(
    readonly variable: string,
    readonly problem: string,
    readonly position?: number,
  ) {
    super(position === undefined ? `${variable} ${problem}` : `${variable} entry ${position} ${problem}`);
  }
}
