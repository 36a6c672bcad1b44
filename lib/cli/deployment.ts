import { describeError } from '../describe-error.js';
import { CliError, CliUsageError, EXIT_CODES, type CliIo } from './process.js';

/**
 * Where the deployed apig-watch is, for the commands that reach it (`start`, `list`, `cancel`,
 * `redrive`, `discover --start`): its watch queue and watch table, from an option, a variable or
 * the CloudFormation stack's outputs, and the AWS region their names tell before asking AWS anything.
 */

/** Where to send watch requests (`start`, `discover --start`, `redrive`). */
export interface QueueOptions {
  queueUrl?: string;
  stack?: string;
  awsRegion?: string;
}

/** Where the watch table is (`list`, `cancel`). */
export interface TableOptions {
  table?: string;
  stack?: string;
  awsRegion?: string;
}

/** The stack outputs that name the watch queue and the watch table (serverless.yml). */
const QUEUE_URL_OUTPUT = 'WatchQueueUrl';
const TABLE_NAME_OUTPUT = 'WatchTableName';

/** The fix for an SDK that finds no region, for every place it is missing. */
const MISSING_REGION = 'no AWS region: pass --aws-region REGION or set AWS_REGION (a queue URL or a stack ARN names it too)';
/** The fix for an SDK that finds no credentials. */
const MISSING_CREDENTIALS =
  'no AWS credentials found: set AWS_PROFILE (after `aws configure` or `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them';

/** An AWS region name, e.g. `ap-southeast-1`, `us-gov-west-1`. */
const REGION = String.raw`[a-z]{2}(?:-[a-z]+)+-\d+`;
/** `sqs.<region>.amazonaws.com[.cn]`, the legacy `<region>.queue.amazonaws.com`, local `sqs.<region>.localhost`. */
const QUEUE_HOST_REGION = new RegExp(`^(?:sqs\\.(${REGION})\\.|(${REGION})\\.queue\\.)`);
const STACK_ARN_REGION = new RegExp(`^arn:aws[a-z-]*:cloudformation:(${REGION}):`);
/** `/<account id>/<queue name>`. */
const QUEUE_PATH = /^\/[^/]+\/[^/]+\/?$/;

/**
 * Why `value` is not an SQS queue URL, or `null` when it is one (`http(s)://host/<account>/<queue>`).
 *
 * @example
 * queueUrlProblem('not-a-url') // 'is not a URL'
 * queueUrlProblem('https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod') // null
 */
export function queueUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `has the scheme ${url.protocol} (an SQS queue URL starts with https://)`;
  if (!QUEUE_PATH.test(url.pathname)) return 'does not end in /<account id>/<queue name>';
  return null;
}

/**
 * The AWS region a queue URL names in its host, or `undefined`.
 *
 * @example
 * regionOfQueueUrl('https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod') // 'ap-southeast-1'
 * regionOfQueueUrl('http://sqs.us-east-1.localhost:4566/000000000000/apig-watch')            // 'us-east-1'
 */
export function regionOfQueueUrl(queueUrl: string): string | undefined {
  const match = QUEUE_HOST_REGION.exec(safeHost(queueUrl));
  return match?.[1] ?? match?.[2];
}

/**
 * The AWS region of a CloudFormation stack given by its ARN, or `undefined` for a plain stack name.
 *
 * @example
 * regionOfStackArn('arn:aws:cloudformation:ap-southeast-1:123456789012:stack/apig-watch-prod/1a2b…') // 'ap-southeast-1'
 * regionOfStackArn('apig-watch-prod') // undefined
 */
export function regionOfStackArn(stack: string): string | undefined {
  return STACK_ARN_REGION.exec(stack)?.[1];
}

/**
 * Whether an AWS SDK error says that no region could be found (`AWS_REGION`, profile, …): the
 * SDK signals it with a plain `Error`, so its message is all there is to read.
 *
 * @example
 * isMissingRegionError(new Error('Region is missing')) // true
 */
export function isMissingRegionError(error: unknown): boolean {
  return error instanceof Error && /^Region is missing/.test(error.message);
}

/**
 * Whether an AWS SDK error says that no credentials could be found (environment, profile, SSO,
 * instance role…): a setup problem, not AWS being unavailable.
 *
 * @example
 * isMissingCredentialsError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })) // true
 */
export function isMissingCredentialsError(error: unknown): boolean {
  return error instanceof Error && error.name === 'CredentialsProviderError';
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/**
 * The usage error an AWS SDK error stands for when it found no region or no credentials anywhere
 * (a setup problem, not AWS being unavailable), or `undefined`.
 *
 * @example
 * const setup = missingAwsSetup(error);
 * if (setup) throw setup;
 */
export function missingAwsSetup(error: unknown): CliUsageError | undefined {
  if (isMissingRegionError(error)) return new CliUsageError(MISSING_REGION);
  if (isMissingCredentialsError(error)) return new CliUsageError(MISSING_CREDENTIALS);
  return undefined;
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
 * The watch table: `--table`, else `WATCH_TABLE_NAME`, else the stack's `WatchTableName` output.
 *
 * @example
 * const tableName = await resolveTableName({ stack: 'apig-watch-prod' }, io.env, 'ap-southeast-1');
 */
export async function resolveTableName(options: TableOptions, env: CliIo['env'], region: string | undefined): Promise<string> {
  const given = options.table ?? env.WATCH_TABLE_NAME?.trim();
  if (given) return given;
  if (!options.stack)
    throw new CliUsageError('no watch table: pass --table NAME, set WATCH_TABLE_NAME, or name the deployed stack with --stack apig-watch-<stage>');
  const name = await stackTableName(options.stack, region);
  if (!name) throw new CliUsageError(`--stack ${options.stack} has no ${TABLE_NAME_OUTPUT} output: is it an apig-watch stack?`);
  return name;
}

/**
 * The watch table the stack names in its `WatchTableName` output, or `undefined` when it has none.
 *
 * @example
 * const tableName = await stackTableName('apig-watch-prod', 'ap-southeast-1');
 */
export function stackTableName(stackName: string, region: string | undefined): Promise<string | undefined> {
  return stackOutput(stackName, TABLE_NAME_OUTPUT, region);
}

/** Reads one output of the stack; the CloudFormation client loads only when needed. */
async function stackOutput(stackName: string, outputKey: string, region: string | undefined): Promise<string | undefined> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(region === undefined ? {} : { region });
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks[0]?.Outputs?.find((output) => output.OutputKey === outputKey)?.OutputValue;
  } catch (error) {
    throw missingAwsSetup(error) ?? new CliError(`could not read the outputs of stack ${stackName}: ${describeError(error)}`, EXIT_CODES.couldNotWatch);
  } finally {
    client.destroy();
  }
}
