import { readCliSettings } from '../../config.js';
import { createWatchRequestSender, sqsClientFor } from '../../queue/watch-request-sender.js';
import { isMissingRegionError, queueUrlProblem, regionOfQueueUrl, regionOfStackArn } from '../aws-region.js';
import { CliError, CliUsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { watchRequestFromOptions, type RequestOptions } from '../request-options.js';

export interface StartCommandOptions extends RequestOptions {
  queueUrl?: string;
  stack?: string;
  awsRegion?: string;
}

/** The stack output that names the watch queue (serverless.yml). */
export const QUEUE_URL_OUTPUT = 'WatchQueueUrl';

/** The fix for an SDK that finds no region, for every place it is missing. */
const MISSING_REGION = 'no AWS region: pass --aws-region REGION or set AWS_REGION (a queue URL or a stack ARN names it too)';

/**
 * `apig-watch start`: sends a watch request (DESIGN §2) to the deployed watch queue and prints the
 * watch id on stdout. The queue is `--queue-url`, else `WATCH_QUEUE_URL`, else the `WatchQueueUrl`
 * output of the CloudFormation stack `--stack`. The AWS region is `--aws-region`, else the one the
 * queue URL (or the stack's ARN) names, else the SDK's own; AWS credentials are the SDK's.
 * A malformed queue URL or a region found nowhere is a usage error (exit 2).
 *
 * @example
 * await runStart({ projectId, instanceId, region: 'ap-southeast-1', context: [], stack: 'apig-watch-prod' }, io);
 * // stdout: w_5d1c0e…
 */
export async function runStart(options: StartCommandOptions, io: CliIo): Promise<number> {
  const request = watchRequestFromOptions(options);
  const settings = readCliSettings(io.env);
  const given = options.queueUrl !== undefined ? { url: options.queueUrl, from: '--queue-url' } : settings.watchQueueUrl ? { url: settings.watchQueueUrl, from: 'WATCH_QUEUE_URL' } : undefined;
  if (given) checkQueueUrl(given.url, given.from);
  const queueUrl = given?.url ?? (options.stack ? await queueUrlOfStack(options.stack, options.awsRegion ?? regionOfStackArn(options.stack)) : undefined);
  if (!queueUrl) {
    throw new CliUsageError('no watch queue: pass --queue-url URL, set WATCH_QUEUE_URL, or name the deployed stack with --stack apig-watch-<stage>');
  }
  const region = options.awsRegion ?? regionOfQueueUrl(queueUrl);
  const sender = createWatchRequestSender(sqsClientFor({ sqsEndpointOverridden: settings.sqsEndpointOverridden, region }), queueUrl);
  try {
    const { watchId, messageId } = await sender.send(request);
    io.stdout.write(`${watchId}\n`);
    io.stderr.write(`apig-watch: watch request for ${request.instance_name ?? request.instance_id} sent to ${queueUrl} (SQS message ${messageId ?? '?'})\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    if (isMissingRegionError(error)) throw new CliUsageError(MISSING_REGION);
    throw new CliError(`could not send the watch request to ${queueUrl}: ${describe(error)}`, EXIT_CODES.couldNotWatch);
  }
}

function checkQueueUrl(url: string, from: string): void {
  const problem = queueUrlProblem(url);
  if (problem) throw new CliUsageError(`${from} must be an SQS queue URL like https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod; ${JSON.stringify(url)} ${problem}`);
}

/** Reads the queue URL from the stack's outputs; the CloudFormation client loads only when needed. */
async function queueUrlOfStack(stackName: string, region: string | undefined): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(region === undefined ? {} : { region });
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const url = Stacks[0]?.Outputs?.find((output) => output.OutputKey === QUEUE_URL_OUTPUT)?.OutputValue;
    if (!url) throw new CliUsageError(`--stack ${stackName} has no ${QUEUE_URL_OUTPUT} output: is it an apig-watch stack?`);
    checkQueueUrl(url, `the ${QUEUE_URL_OUTPUT} output of ${stackName}`);
    return url;
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (isMissingRegionError(error)) throw new CliUsageError(MISSING_REGION);
    throw new CliError(`could not read the outputs of stack ${stackName}: ${describe(error)}`, EXIT_CODES.couldNotWatch);
  } finally {
    client.destroy();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
