/**
 * What `apig-watch start` can tell from the names it is given, before asking AWS anything: whether
 * a queue URL is one, and the AWS region a queue URL or a stack ARN names.
 */

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
