import { readCliSettings } from '../../../config/index.js';
import { resolveSecretValues } from '../../../config/index.js';
import { SILENT_LOG, selectTargets, type EventKind } from '../../../watch/index.js';
import { createNotifier } from '../../../notify/index.js';
import { readSecretReference } from '../../../runtime/index.js';
import { deliverToAll, describeDelivery } from '../../delivery.js';
import { notifyTargets, routedRequestFrom, type NotifyOptions, type RoutingOptions } from '../../options.js';
import { CliUsageError, EXIT_CODES, lineLog, type CliIo } from '../../process.js';
import { describeRouting } from '../../routing.js';
import { sampleNotification } from './sample-event.js';

/** The only settings a test notification needs (no Huawei credentials). */
const NOTIFY_SECRETS: readonly string[] = ['NOTIFY_URLS', 'WEBHOOK_SECRET'];

/** A sample's own context label, so its notification says where it came from. */
const SAMPLE_CONTEXT = { sent_by: 'apig-watch test-notify' };

export interface TestNotifyOptions extends NotifyOptions, RoutingOptions {
  outcome: EventKind;
  verbose?: boolean;
}

/**
 * `apig-watch test-notify`: sends a sample notification of one outcome (or the `started` notice)
 * to every configured target that wants it — the `NOTIFY_URLS` filters applied to a watch with
 * `--context` labels and `--group` names, as the poller applies them — through the real renderers
 * and delivery, and prints what each answered (and, when filters leave targets out, the routing). Exit 0 when every target
 * took it, 1 when any did not. Only `NOTIFY_URLS` and `WEBHOOK_SECRET` are read: no Huawei credentials needed.
 *
 * @example
 * await runTestNotify({ outcome: 'failed', notify: ['slack+https://hooks.slack.com/services/…'] }, processIo());
 */
export async function runTestNotify(options: TestNotifyOptions, io: CliIo): Promise<number> {
  const { secrets } = readCliSettings(io.env);
  const notifySecrets = Object.fromEntries(Object.entries(secrets).filter(([name]) => NOTIFY_SECRETS.includes(name)));
  const values = await resolveSecretValues(notifySecrets, readSecretReference);
  const targets = await notifyTargets(values.NOTIFY_URLS, options);
  if (targets.length === 0) throw new CliUsageError('no notification targets: set NOTIFY_URLS or pass --notify URL');
  const log = options.verbose ? lineLog((line) => io.stderr.write(`${line}\n`)) : SILENT_LOG;
  const notifier = createNotifier({ webhookSecret: values.WEBHOOK_SECRET, log });

  const request = await routedRequestFrom(options, SAMPLE_CONTEXT);
  const event = sampleNotification(options.outcome, Date.now(), request.context);
  const chosen = selectTargets(targets, event, request);
  if (chosen.length < targets.length) {
    io.stdout.write(`Routing (NOTIFY_URLS filters) for this watch:\n${describeRouting(targets, [options.outcome], request).join('\n')}\n\n`);
  }
  if (chosen.length === 0) {
    io.stdout.write(`No target wants a "${options.outcome}" notification of this watch: nothing sent.\n`);
    return EXIT_CODES.ok;
  }
  io.stdout.write(`Sending a sample "${options.outcome}" notification (${event.type}) to ${chosen.length} target(s)…\n`);
  const results = await deliverToAll(event, chosen, notifier);
  for (const [index, result] of results.entries()) {
    const target = chosen[index];
    if (target) io.stdout.write(`  ${describeDelivery(target, result)}\n`);
  }
  const failures = results.filter((result) => result.status !== 'delivered').length;
  if (failures > 0) io.stderr.write(`apig-watch: ${failures} of ${chosen.length} target(s) did not take the notification\n`);
  return failures === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}
