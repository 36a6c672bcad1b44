import { createApigRequester } from '../../../apig/index.js';
import { createInstanceDetailSource } from '../../../apig/index.js';
import { createProgressSource } from '../../../apig/index.js';
import { readCliSettings } from '../../../config/index.js';
import { apigConfigFrom, resolveSecretValues } from '../../../config/index.js';
import { type OutcomeEvent, pollScheduleFor, SILENT_LOG, type Target, type WatchState } from '../../../watch/index.js';
import { createNotifier } from '../../../notify/index.js';
import { readSecretReference } from '../../../runtime/index.js';
import { scaledClock, scaledSleep } from '../../../runtime/index.js';
import { describeDelivery } from '../../delivery.js';
import { notifyTargets, watchRequestFromOptions, type NotifyOptions, type RequestOptions } from '../../options.js';
import { CliUsageError, EXIT_CODES, exitCodeForOutcome, lineLog, wantsColor, type CliIo, type Screen } from '../../process.js';
import { createLiveBoard } from './live-board.js';
import { describeOutcome } from './outcome-text.js';
import { type LocalWatchResult, watchLocally } from './local-watch.js';
import { rowOfOutcome, rowOfState } from './watch-rows.js';

export interface WatchCommandOptions extends RequestOptions, NotifyOptions {
  /** Seconds between two polls, instead of the adaptive schedule. */
  interval?: number;
  /** Exit 5 when a target did not take the notification. */
  requireNotify?: boolean;
  /** Seconds; overrides `WATCH_TIMEOUT_SECONDS`. */
  timeout?: number;
  json?: boolean;
  verbose?: boolean;
}

const ROW_KEY = 'watch';

/**
 * `apig-watch watch`: watches one creation (or another operation) from this machine, with the poller's client, policy,
 * renderers and delivery but no AWS, then notifies every target once. Human output goes to stdout
 * (to stderr with `--json`, whose event is then stdout's only line). Resolves with the exit code.
 *
 * @example
 * const code = await runWatch({ projectId, instanceId, region: 'ap-southeast-1', json: true }, processIo());
 */
export async function runWatch(options: WatchCommandOptions, io: CliIo): Promise<number> {
  const request = await watchRequestFromOptions(options);
  const settings = readCliSettings(io.env);
  const human: Screen = options.json ? io.stderr : io.stdout;
  const clock = scaledClock(settings.timeScale, settings.timeOriginMs ?? Date.now());
  const board = createLiveBoard(human, { now: clock.now, color: wantsColor(human, io.env) });
  const log = options.verbose ? lineLog((line) => (human.isTTY ? board.log(line) : io.stderr.write(`${line}\n`))) : SILENT_LOG;
  const stopListening = io.onInterrupt(() => {
    board.close();
    io.stderr.write('apig-watch: stopped watching; the gateway may still be being created\n');
    io.exit(EXIT_CODES.interrupted);
  });
  try {
    const values = await resolveSecretValues(settings.secrets, readSecretReference);
    const apig = apigConfigFrom(values, settings);
    // The watch's clock signs too (X-Sdk-Date), so a time-scaled simulator sharing it accepts the signature.
    const requester = createApigRequester(apig, { log, now: clock.now });
    const progressSource = createProgressSource(apig, { requester });
    const instanceDetails = createInstanceDetailSource(apig, { requester });
    const targets = await notifyTargets(values.NOTIFY_URLS, options);
    if (options.requireNotify && targets.length === 0) {
      throw new CliUsageError('--require-notify needs a notification target: set NOTIFY_URLS or pass --notify URL');
    }
    const notifier = createNotifier({ webhookSecret: values.WEBHOOK_SECRET, log });
    if (settings.timeScale !== 1) io.stderr.write(`apig-watch: time runs ${settings.timeScale}× faster (APIG_WATCH_TIME_SCALE)\n`);

    const label = request.instance_name ?? request.instance_id;
    board.update(ROW_KEY, { label, status: 'starting', progress: null, startedAtMs: clock.now(), tone: 'active' });
    const onStep = (state: WatchState, delaySeconds: number) =>
      board.update(ROW_KEY, rowOfState(label, state, { nextPollAtMs: clock.now() + delaySeconds * 1000 }));
    const { event, deliveries } = await watchLocally(
      request,
      { progressSource, instanceDetails, notifier, targets, clock, sleep: scaledSleep(settings.timeScale), log },
      {
        timeoutSeconds: options.timeout ?? settings.watchTimeoutSeconds,
        intervalSeconds: options.interval,
        pollSchedule: pollScheduleFor(settings.pollProfile),
        onStep,
      },
    );
    board.update(ROW_KEY, rowOfOutcome(label, event));
    board.close();

    human.write(`\n${describeOutcome(event).join('\n')}\n`);
    const undelivered = reportDeliveries(event, targets, deliveries, human);
    if (undelivered > 0) {
      io.stderr.write(
        `apig-watch: ${undelivered} of ${targets.length} notification target(s) did not take the notification (see above)${options.requireNotify ? '' : '; --require-notify makes this exit 5'}\n`,
      );
    }
    if (options.json) io.stdout.write(`${JSON.stringify(event)}\n`);
    return options.requireNotify && undelivered > 0 ? EXIT_CODES.notNotified : exitCodeForOutcome(event.data.outcome);
  } finally {
    board.close();
    stopListening();
  }
}

/**
 * Prints what each target the watch notified answered (the use case chose them by their filters,
 * on=, when=, group=, as the Lambda does) and returns how many did not take the outcome.
 */
function reportDeliveries(event: OutcomeEvent, targets: Target[], deliveries: LocalWatchResult['deliveries'], human: Screen): number {
  if (targets.length === 0) {
    human.write('No notification targets (NOTIFY_URLS, --notify): nothing sent.\n');
    return 0;
  }
  if (deliveries.length === 0) {
    human.write(`No target's filters (on=, when=, group=) want a ${event.data.outcome} outcome of this watch: nothing sent.\n`);
    return 0;
  }
  human.write(`Notifications:\n${deliveries.map(({ target, result }) => `  ${describeDelivery(target, result)}`).join('\n')}\n`);
  return deliveries.filter(({ result }) => result.status !== 'delivered').length;
}
