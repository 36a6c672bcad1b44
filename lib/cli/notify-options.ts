import { NotifyConfigError } from '../notify/errors.js';
import { parseNotifyUrls } from '../notify/targets.js';
import type { Target } from '../watch/index.js';
import { CliUsageError } from './errors.js';

/** The options of commands that notify (`watch`, `test-notify`). */
export interface NotifyOptions {
  /** `--notify URL`, repeatable. */
  notify?: string[];
  notifyOnly?: boolean;
}

/**
 * The targets to notify: `NOTIFY_URLS` (unless `--notify-only`) then each `--notify`, duplicates
 * collapsed. A bad entry is a usage error naming where it came from, never the URL itself.
 *
 * @example
 * notifyTargets(values.NOTIFY_URLS, { notify: ['webhook+http://127.0.0.1:8080/hook'] })
 */
export function notifyTargets(notifyUrls: string | undefined, options: NotifyOptions): Target[] {
  const targets = new Map<string, Target>();
  const add = (found: Target[]) => {
    for (const target of found) if (!targets.has(target.id)) targets.set(target.id, target);
  };
  if (!options.notifyOnly) {
    add(parseNotifyUrls(notifyUrls ?? ''));
  }
  (options.notify ?? []).forEach((value, index) => {
    try {
      add(parseNotifyUrls(value));
    } catch (error) {
      if (error instanceof NotifyConfigError) throw new CliUsageError(`--notify #${index + 1} ${error.problem}`);
      throw error;
    }
  });
  return [...targets.values()];
}
