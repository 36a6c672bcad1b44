import { readCliSettings } from '../../config/environment.js';
import { createWatchRequestSender, type WatchLookup } from '../../queue/watch-request-sender.js';
import { sqsClientFor } from '../../queue/sqs-client.js';
import { isMissingCredentialsError, isMissingRegionError, queueUrlProblem, regionOfQueueUrl, regionOfStackArn } from '../aws-region.js';
import { describeError } from '../../describe-error.js';
import { CliError, CliUsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { watchRequestFromOptions, type RequestOptions } from '../request-options.js';

/** Where to send watch requests (`start`, `discover --start`). */
export interface QueueOptions {
  queueUrl?: string;
  stack?: string;
  awsRegion?: string;
}

export interface StartCommandOptions extends RequestOptions, QueueOptions {}

/** The stack outputs that name the watch queue and the watch table (serverless.yml). */
const QUEUE_URL_OUTPUT = 'WatchQueueUrl';
export const TABLE_NAME_OUTPUT = 'WatchTableName';

/**
 * Without the watch table, `start` cannot see a watch already active for the gateway: the id it
 * prints is then the one the request starts, unless the watcher finds such a watch and the
 * request joins it.
 */
export const PROVISIONAL_WATCH_ID =
  'apig-watch: the watch id is provisional: without the watch table (WATCH_TABLE_NAME, or --stack) start cannot tell whether this gateway is already being watched; if it is, the request joins that watch and its notifications carry that watch id (apig-watch list shows it)';

/** The fix for an SDK that finds no region, for every place it is missing. */
const MISSING_REGION = 'no AWS region: pass --aws-region REGION or set AWS_REGION (a queue URL or a stack ARN names it too)';
/** The fix for an SDK that finds no credentials. */
const MISSING_CREDENTIALS =
  'no AWS credentials found: set AWS_PROFILE (after `aws configure` or `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them';

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
  const request = watchRequestFromOptions(options);
  const settings = readCliSettings(io.env);
  const queueUrl = await resolveQueueUrl(options, settings.watchQueueUrl);
  const region = options.awsRegion ?? regionOfQueueUrl(queueUrl);
  const tableName =
    io.env.WATCH_TABLE_NAME?.trim() ||
    (options.stack ? await stackOutput(options.stack, TABLE_NAME_OUTPUT, options.awsRegion ?? regionOfStackArn(options.stack)) : undefined);
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
    if (isMissingRegionError(error)) throw new CliUsageError(MISSING_REGION);
    if (isMissingCredentialsError(error)) throw new CliUsageError(MISSING_CREDENTIALS);
    throw new CliError(`could not send the watch request to ${queueUrl}: ${describeError(error)}`, EXIT_CODES.couldNotWatch);
  }
}

/**
 * The watch queue: `--queue-url`, else `WATCH_QUEUE_URL`, else the `WatchQueueUrl` output of
 * `--stack`. Throws `CliUsageError` when none is given or the URL is not an SQS queue URL.
 *
 * @example
 * const queueUrl = await resolveQueueUrl({ stack: 'apig-watch-prod' }, settings.watchQueueUrl);
 */
export async function resolveQueueUrl(options: QueueOptions, watchQueueUrl: string | null): Promise<string> {
  const given =
    options.queueUrl !== undefined
      ? { url: options.queueUrl, from: '--queue-url' }
      : watchQueueUrl
        ? { url: watchQueueUrl, from: 'WATCH_QUEUE_URL' }
        : undefined;
  if (given) {
    checkQueueUrl(given.url, given.from);
    return given.url;
  }
  if (!options.stack) {
    throw new CliUsageError('no watch queue: pass --queue-url URL, set WATCH_QUEUE_URL, or name the deployed stack with --stack apig-watch-<stage>');
  }
  const url = await stackOutput(options.stack, QUEUE_URL_OUTPUT, options.awsRegion ?? regionOfStackArn(options.stack));
  if (!url) throw new CliUsageError(`--stack ${options.stack} has no ${QUEUE_URL_OUTPUT} output: is it an apig-watch stack?`);
  checkQueueUrl(url, `the ${QUEUE_URL_OUTPUT} output of ${options.stack}`);
  return url;
}

function checkQueueUrl(url: string, from: string): void {
  const problem = queueUrlProblem(url);
  if (problem)
    throw new CliUsageError(
      `${from} must be an SQS queue URL like https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod; ${JSON.stringify(url)} ${problem}`,
    );
}

/**
 * Reads one output of the stack; the CloudFormation client loads only when needed.
 *
 * @example
 * const tableName = await stackOutput('apig-watch-prod', TABLE_NAME_OUTPUT, 'ap-southeast-1');
 */
export async function stackOutput(stackName: string, outputKey: string, region: string | undefined): Promise<string | undefined> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(region === undefined ? {} : { region });
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks[0]?.Outputs?.find((output) => output.OutputKey === outputKey)?.OutputValue;
  } catch (error) {
    if (isMissingRegionError(error)) throw new CliUsageError(MISSING_REGION);
    if (isMissingCredentialsError(error)) throw new CliUsageError(MISSING_CREDENTIALS);
    throw new CliError(`could not read the outputs of stack ${stackName}: ${describeError(error)}`, EXIT_CODES.couldNotWatch);
  } finally {
    client.destroy();
  }
}

/** The watch table, read-only, to tell a request that joins an active watch; loaded only when needed. */
async function watchLookup(tableName: string, region: string | undefined): Promise<WatchLookup> {
  const [{ DynamoDBClient }, { createDynamoStepStore }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('../../store/step-store.js')]);
  return createDynamoStepStore(new DynamoDBClient(region === undefined ? {} : { region }), tableName);
}
