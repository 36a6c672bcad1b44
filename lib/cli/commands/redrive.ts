import { readCliSettings } from '../../config/index.js';
import { boundEchoedText } from '../../echoed-text.js';
import { parseJsonLeniently } from '../../lenient-json.js';
import { MAX_PEEKED_MESSAGES, findRedriveQueues, moveBack, peekDeadLetters, type DeadLetter, type MoveProgress } from '../../queue/index.js';
import { sqsClientFor } from '../../queue/index.js';
import { describeError } from '../../describe-error.js';
import { formatElapsed, parseWatchRequest, unverifiedStateOf } from '../../watch/index.js';
import { isMissingRegionError, regionOfQueueUrl, resolveQueueUrl, type QueueOptions } from '../deployment.js';
import { CliError, CliUsageError, EXIT_CODES, type CliIo } from '../process.js';
import { formatTable } from '../text-table.js';

export interface RedriveCommandOptions extends QueueOptions {
  dryRun?: boolean;
}

/** What a dead letter without a `reason` attribute is: SQS's redrive policy moved it there. */
const EXHAUSTED_RETRIES = 'exhausted retries';

/**
 * `apig-watch redrive`: lists the dead-letter queue of the watch queue (`--queue-url`,
 * `WATCH_QUEUE_URL` or `--stack`, as `start`), each message with what it is and why it is there;
 * then, unless `--dry-run`, moves it back to the watch queue with SQS's message-move task and
 * shows its progress until it ends. Exit 0 when everything listed was moved back (or nothing was
 * to be), 4 when AWS could not be read or the move failed.
 *
 * @example
 * await runRedrive({ stack: 'apig-watch-prod', dryRun: true }, io);
 * // MESSAGE ID  SENT    RECEIVES  WHAT                                      REASON
 * // 059f36b4…   3h ago  1         delivery of succeeded, w_… (orders-gw)   delivery budget spent: …
 */
export async function runRedrive(options: RedriveCommandOptions, io: CliIo): Promise<number> {
  const settings = readCliSettings(io.env);
  const watchQueueUrl = await resolveQueueUrl(options, settings.watchQueueUrl);
  const sqs = sqsClientFor({ sqsEndpointOverridden: settings.sqsEndpointOverridden, region: options.awsRegion ?? regionOfQueueUrl(watchQueueUrl) });
  try {
    const queues = await withAwsErrors(() => findRedriveQueues(sqs, watchQueueUrl), `could not find the dead-letter queue of ${watchQueueUrl}`);
    const letters = await withAwsErrors(() => peekDeadLetters(sqs, queues.deadLetterQueueUrl), `could not read ${queues.deadLetterQueueUrl}`);
    if (letters.length === 0) {
      io.stdout.write(`The dead-letter queue ${queues.deadLetterQueueUrl} is empty: nothing to redrive.\n`);
      return EXIT_CODES.ok;
    }
    const more = letters.length >= MAX_PEEKED_MESSAGES ? ` (the first ${MAX_PEEKED_MESSAGES}; run again for the rest)` : '';
    io.stdout.write(`${letters.length} message(s) in the dead-letter queue ${queues.deadLetterQueueUrl}${more}:\n`);
    io.stdout.write(`${describeLetters(letters, Date.now()).join('\n')}\n`);
    if (options.dryRun) {
      io.stdout.write('--dry-run: nothing moved.\n');
      return EXIT_CODES.ok;
    }

    io.stderr.write(`apig-watch: moving them back to ${watchQueueUrl}…\n`);
    let shown = '';
    const { progress, method } = await withAwsErrors(
      () =>
        moveBack(
          sqs,
          queues,
          letters.map((letter) => letter.messageId),
          (step) => {
            const line = describeProgress(step);
            if (line !== shown) io.stderr.write(`apig-watch: ${line}\n`);
            shown = line;
          },
        ),
      `could not move the messages back from ${queues.deadLetterQueueUrl}`,
    );
    if (method === 'one-by-one') {
      io.stderr.write('apig-watch: this SQS endpoint has no message-move tasks (a local emulator): the listed messages were moved one by one.\n');
    }
    if (progress.status !== 'COMPLETED') {
      throw new CliError(`the move ended ${progress.status}${progress.failureReason ? `: ${progress.failureReason}` : ''}`, EXIT_CODES.couldNotWatch);
    }
    io.stdout.write(`✔ ${progress.moved} message(s) moved back to ${watchQueueUrl}.\n`);
    return EXIT_CODES.ok;
  } finally {
    sqs.destroy();
  }
}

async function withAwsErrors<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isMissingRegionError(error)) throw new CliUsageError('no AWS region: pass --aws-region REGION or set AWS_REGION (a queue URL names it too)');
    throw new CliError(`${what}: ${describeError(error)}`, EXIT_CODES.couldNotWatch);
  }
}

function describeLetters(letters: DeadLetter[], nowMs: number): string[] {
  return formatTable(
    ['MESSAGE ID', 'SENT', 'RECEIVES', 'WHAT', 'REASON'],
    letters.map((letter) => [
      letter.messageId,
      letter.sentAtMs === null ? '-' : `${formatElapsed(nowMs - letter.sentAtMs)} ago`,
      String(letter.receiveCount),
      whatIs(letter.body),
      letter.reason === null ? EXHAUSTED_RETRIES : boundEchoedText(letter.reason, 200),
    ]),
  );
}

/** What a message body is, in words, read without the signing key (shown, never acted on). */
function whatIs(body: string): string {
  const state = unverifiedStateOf(body);
  if (state) {
    const gateway = boundEchoedText(state.request.instance_name ?? state.request.instance_id, 64);
    const step = state.kind === 'deliver' && state.event ? `delivery of ${state.event.data.outcome}` : `poll step ${state.step}`;
    return `${step}, ${state.watch_id} (${gateway})`;
  }
  const input = parseJsonLeniently(body);
  if (input === undefined) return 'not JSON';
  try {
    const request = parseWatchRequest(input);
    return `watch request for ${boundEchoedText(request.instance_name ?? request.instance_id, 64)}`;
  } catch {
    return 'not a watch request or state';
  }
}

function describeProgress(progress: MoveProgress): string {
  const of = progress.toMove === null ? '' : ` of ${progress.toMove}`;
  return `${progress.status.toLowerCase()}: ${progress.moved}${of} moved`;
}
