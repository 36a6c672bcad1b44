import { readCliSettings } from '../../config/index.js';
import { createWatchRequestSender, type WatchLookup } from '../../queue/index.js';
import { sqsClientFor } from '../../queue/index.js';
import { describeError } from '../../describe-error.js';
import { missingAwsSetup, regionOfQueueUrl, regionOfStackArn, resolveQueueUrl, stackTableName, type QueueOptions } from '../deployment.js';
import { watchRequestFromOptions, type RequestOptions } from '../options.js';
import { CliError, EXIT_CODES, type CliIo } from '../process.js';

export interface StartCommandOptions extends RequestOptions, QueueOptions {}

/**
 * Without the watch table, `start` cannot see a watch already active for the gateway: the id it
 * prints is then the one the request starts, unless the watcher finds such a watch and the
 * request joins it.
 */
export const PROVISIONAL_WATCH_ID =
  'apig-watch: the watch id is provisional: without the watch table (WATCH_TABLE_NAME, or --stack) start cannot tell whether this gateway is already being watched; if it is, the request joins that watch and its notifications carry that watch id (apig-watch list shows it)';

/**
 * `apig-watch start`: sends a watch request (docs/contracts.md, "Watch request") to the deployed watch queue
 * and prints the watch id on stdout. The queue is `--queue-url`, else `WATCH_QUEUE_URL`, else the
 * `WatchQueueUrl` output of the CloudFormation stack `--stack`. The AWS region is `--aws-region`,
 * else the one the queue URL (or the stack's ARN) names, else the SDK's own; AWS credentials are
 * the SDK's. When the watch table is known (`WATCH_TABLE_NAME`, or the stack's `WatchTableName`),
 * a request for a gateway whose watch is active joins it: nothing is sent, and stderr says so.
 * A malformed queue URL, or a region or credentials found nowhere, is a usage error (exit 2).
 *
 * @example
 * await runStart({ projectId, instanceId, region: 'ap-southeast-1', context: [], stack: 'apig-watch-prod' }, io);
 * // stdout: w_5d1c0e…
 */
export async function runStart(options: StartCommandOptions, io: CliIo): Promise<number> {
  const request = await watchRequestFromOptions(options);
  const settings = readCliSettings(io.env);
  const queueUrl = await resolveQueueUrl(options, settings.watchQueueUrl);
  const region = options.awsRegion ?? regionOfQueueUrl(queueUrl);
  const tableName =
    io.env.WATCH_TABLE_NAME?.trim() || (options.stack ? await stackTableName(options.stack, options.awsRegion ?? regionOfStackArn(options.stack)) : undefined);
  const lookup = tableName ? await watchLookup(tableName, region) : undefined;
  const sender = createWatchRequestSender(sqsClientFor({ sqsEndpointOverridden: settings.sqsEndpointOverridden, region }), queueUrl, lookup);
  try {
    const { watchId, joined, messageId } = await sender.send(request);
    io.stdout.write(`${watchId}\n`);
    const gateway = request.instance_name ?? request.instance_id;
    io.stderr.write(
      joined
        ? `apig-watch: ${gateway} is already being watched; this request joins that watch (nothing sent)\n`
        : `apig-watch: watch request for ${gateway} sent to ${queueUrl} (SQS message ${messageId ?? '?'})\n`,
    );
    if (lookup === undefined) io.stderr.write(`${PROVISIONAL_WATCH_ID}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    throw missingAwsSetup(error) ?? new CliError(`could not send the watch request to ${queueUrl}: ${describeError(error)}`, EXIT_CODES.couldNotWatch);
  }
}

/** The watch table, read-only, to tell a request that joins an active watch; loaded only when needed. */
async function watchLookup(tableName: string, region: string | undefined): Promise<WatchLookup> {
  const [{ DynamoDBClient }, { createDynamoStepStore }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('../../store/index.js')]);
  return createDynamoStepStore(new DynamoDBClient(region === undefined ? {} : { region }), tableName);
}
