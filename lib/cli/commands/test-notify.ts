import { readCliSettings, resolveSecretValues } from '../../config.js';
import { SILENT_LOG } from '../../logger.js';
import { createNotifier } from '../../notify/deliver.js';
import { readSecretReference } from '../../runtime/secrets.js';
import type { Outcome } from '../../watch/outcome.js';
import { deliverToAll } from '../deliver-all.js';
import { CliUsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { lineLog } from '../line-log.js';
import { notifyTargets, type NotifyOptions } from '../notify-options.js';
import { describeDelivery } from '../outcome-text.js';
import { sampleEvent } from '../sample-event.js';

/** The only settings a test notification needs (no Huawei credentials). */
const NOTIFY_SECRETS: readonly string[] = ['NOTIFY_URLS', 'WEBHOOK_SECRET'];

export interface TestNotifyOptions extends NotifyOptions {
  outcome: Outcome;
  verbose?: boolean;
}

/**
 * `apig-watch test-notify`: sends a sample notification of one outcome to every configured target
 * through the real renderers and delivery, and prints what each answered. Exit 0 when every target
 * took it, 1 when any did not. Only `NOTIFY_URLS` and `WEBHOOK_SECRET` are read: no Huawei credentials needed.
 *
 * @example
 * await runTestNotify({ outcome: 'failed', notify: ['slack+https://hooks.slack.com/services/…'] }, processIo());
 */
export async function runTestNotify(options: TestNotifyOptions, io: CliIo): Promise<number> {
  const { secrets } = readCliSettings(io.env);
  const notifySecrets = Object.fromEntries(Object.entries(secrets).filter(([name]) => NOTIFY_SECRETS.includes(name)));
  const values = await resolveSecretValues(notifySecrets, readSecretReference);
  const targets = notifyTargets(values.NOTIFY_URLS, options);
  if (targets.length === 0) throw new CliUsageError('no notification targets: set NOTIFY_URLS or pass --notify URL');
  const log = options.verbose ? lineLog((line) => io.stderr.write(`${line}\n`)) : SILENT_LOG;
  const notifier = createNotifier({ webhookSecret: values.WEBHOOK_SECRET, log });

  const event = sampleEvent(options.outcome, Date.now());
  io.stdout.write(`Sending a sample "${options.outcome}" notification (${event.type}) to ${targets.length} target(s)…\n`);
  const results = await deliverToAll(event, targets, notifier);
  targets.forEach((target, index) => io.stdout.write(`  ${describeDelivery(target, results[index]!)}\n`));
  const failures = results.filter((result) => result.status !== 'delivered').length;
  if (failures > 0) io.stderr.write(`apig-watch: ${failures} of ${targets.length} target(s) did not take the notification\n`);
  return failures === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}
