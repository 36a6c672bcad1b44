import { createProgressSource } from '../../../apig/progress-client.js';
import { readCliSettings } from '../../../config/settings.js';
import { apigConfigFrom, resolveSecretValues } from '../../../config/resolve.js';
import { SILENT_LOG, type Notifier, type Target, type OutcomeEvent, type WatchRequest, selectTargets, initialState } from '../../../watch/index.js';
import { createNotifier } from '../../../notify/notifier.js';
import { readSecretReference } from '../../../runtime/read-secret-reference.js';
import { scaledClock, scaledSleep } from '../../../runtime/time-scale.js';
import { deliverToAll, describeDelivery } from '../../delivery.js';
import { notifyTargets, watchRequestFromOptions, type NotifyOptions, type RequestOptions } from '../../options.js';
import { CliUsageError, EXIT_CODES, exitCodeForOutcome, lineLog, wantsColor, type CliIo, type Screen } from '../../process.js';
import { createLiveBoard } from './live-board.js';
import { describeOutcome } from './outcome-text.js';
import { watchCreation, type PollUpdate } from './watch-creation.js';
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
 * `apig-watch watch`: watches one creation from this machine, with the poller's client, policy,
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
    const progressSource = createProgressSource(
      apigConfigFrom(values, settings),
      // The watch's clock signs too (X-Sdk-Date), so a time-scaled simulator sharing it accepts the signature.
      { log, now: clock.now },
    );
    const targets = await notifyTargets(values.NOTIFY_URLS, options);
    if (options.requireNotify && targets.length === 0) {
      throw new CliUsageError('--require-notify needs a notification target: set NOTIFY_URLS or pass --notify URL');
    }
    const notifier = createNotifier({ webhookSecret: values.WEBHOOK_SECRET, log });
    if (settings.timeScale !== 1) io.stderr.write(`apig-watch: time runs ${settings.timeScale}× faster (APIG_WATCH_TIME_SCALE)\n`);

    const first = initialState(request, clock.now(), options.timeout ?? settings.watchTimeoutSeconds);
    const label = request.instance_name ?? request.instance_id;
    board.update(ROW_KEY, { label, status: 'starting', progress: null, startedAtMs: first.requested_at, tone: 'active' });
    const onPoll = ({ state, delaySeconds, warning }: PollUpdate) =>
      board.update(ROW_KEY, rowOfState(label, state, { nextPollAtMs: clock.now() + delaySeconds * 1000, note: warning }));
    const event = await watchCreation(first, { progressSource, clock, sleep: scaledSleep(settings.timeScale), onPoll }, { intervalSeconds: options.interval });
    board.update(ROW_KEY, rowOfOutcome(label, event));
    board.close();

    human.write(`\n${describeOutcome(event).join('\n')}\n`);
    const undelivered = await notifyAll(event, request, targets, notifier, human);
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
 * Notifies the targets whose filters (on=, when=, group=) want the event — chosen by the watcher's
 * own `selectTargets`, so the gate routes as the Lambda does — prints what each answered, and
 * resolves with how many did not take it.
 */
async function notifyAll(event: OutcomeEvent, request: WatchRequest, targets: Target[], notifier: Notifier, human: Screen): Promise<number> {
  if (targets.length === 0) {
    human.write('No notification targets (NOTIFY_URLS, --notify): nothing sent.\n');
    return 0;
  }
  const chosen = selectTargets(targets, event, request);
  if (chosen.length === 0) {
    human.write(`No target's filters (on=, when=, group=) want a ${event.data.outcome} outcome of this watch: nothing sent.\n`);
    return 0;
  }
  const results = await deliverToAll(event, chosen, notifier);
  const lines = results.flatMap((result, index) => {
    const target = chosen[index];
    return target ? [`  ${describeDelivery(target, result)}`] : [];
  });
  human.write(`Notifications:\n${lines.join('\n')}\n`);
  return results.filter((result) => result.status !== 'delivered').length;
}
