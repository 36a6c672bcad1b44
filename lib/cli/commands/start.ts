import { readCliSettings } from '../../config.js';
import { createWatchRequestSender, sqsClientFor } from '../../queue/watch-request-sender.js';
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

/** The stack output that names the watch queue (serverless.yml). */
export const QUEUE_URL_OUTPUT = 'WatchQueueUrl';

/**
 * `apig-watch start`: sends a watch request (DESIGN §2) to the deployed watch queue and prints the
 * watch id on stdout. The queue is `--queue-url`, else `WATCH_QUEUE_URL`, else the `WatchQueueUrl`
 * output of the CloudFormation stack `--stack`. AWS credentials and region are the SDK's own.
 *
 * @example
 * await runStart({ projectId, instanceId, region: 'ap-southeast-1', context: [], stack: 'apig-watch-prod' }, io);
 * // stdout: w_5d1c0e…
 */
export async function runStart(options: StartCommandOptions, io: CliIo): Promise<number> {
  const request = watchRequestFromOptions(options);
  const settings = readCliSettings(io.env);
  const queueUrl = await resolveQueueUrl(options, settings.watchQueueUrl);
  const sender = createWatchRequestSender(sqsClientFor({ sqsEndpointOverridden: settings.sqsEndpointOverridden, region: options.awsRegion }), queueUrl);
  try {
    const { watchId, messageId } = await sender.send(request);
    io.stdout.write(`${watchId}\n`);
    io.stderr.write(`apig-watch: watch request for ${request.instance_name ?? request.instance_id} sent to ${queueUrl} (SQS message ${messageId ?? '?'})\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    throw new CliError(`could not send the watch request to ${queueUrl}: ${describe(error)}`, EXIT_CODES.couldNotWatch);
  }
}

/**
 * The watch queue: `--queue-url`, else `WATCH_QUEUE_URL`, else the `WatchQueueUrl` output of
 * `--stack`. Throws `CliUsageError` when none is given.
 *
 * @example
 * const queueUrl = await resolveQueueUrl({ stack: 'apig-watch-prod' }, settings.watchQueueUrl);
 */
export async function resolveQueueUrl(options: QueueOptions, watchQueueUrl: string | null): Promise<string> {
  const queueUrl = options.queueUrl ?? watchQueueUrl ?? (options.stack ? await queueUrlOfStack(options.stack, options.awsRegion) : undefined);
  if (!queueUrl) {
    throw new CliUsageError('no watch queue: pass --queue-url URL, set WATCH_QUEUE_URL, or name the deployed stack with --stack apig-watch-<stage>');
  }
  return queueUrl;
}

/** Reads the queue URL from the stack's outputs; the CloudFormation client loads only when needed. */
async function queueUrlOfStack(stackName: string, region: string | undefined): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(region === undefined ? {} : { region });
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const url = Stacks[0]?.Outputs?.find((output) => output.OutputKey === QUEUE_URL_OUTPUT)?.OutputValue;
    if (!url) throw new CliUsageError(`--stack ${stackName} has no ${QUEUE_URL_OUTPUT} output: is it an apig-watch stack?`);
    return url;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`could not read the outputs of stack ${stackName}: ${describe(error)}`, EXIT_CODES.couldNotWatch);
  } finally {
    client.destroy();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
