import { BOUNDED_FETCH_OPTIONS, MAX_ANSWER_BYTES } from '../bounded-answer.js';
import { ApigRetryableError } from '../watch/index.js';

/**
 * What every request to Huawei (APIG and IAM) shares: redirects are never followed and answers are
 * read up to a bound (lib/bounded-answer.ts). A redirect would carry the token, the signature or
 * the IAM password to a host that configuration did not name; a 307/308 even re-sends the login body.
 */

/** `fetch` options for every request to Huawei: a 3xx comes back as an answer, bodies stop at `MAX_ANSWER_BYTES`. */
export const HUAWEI_FETCH_OPTIONS = BOUNDED_FETCH_OPTIONS;

/**
 * True for any 3xx answer, which a request to Huawei never follows.
 *
 * @example
 * isRedirect(302) // true
 */
export function isRedirect(httpStatus: number): boolean {
  return httpStatus >= 300 && httpStatus < 400;
}

/**
 * The transient error of a redirected request, naming the setting to check and where the redirect
 * pointed (its origin only: a path or query could carry anything).
 *
 * @example
 * redirectError(301, 'https://apig.ap-southeast-1.myhuaweicloud.com/v2/…', 'APIG progress request', 'APIG_ENDPOINT').message
 * // 'APIG progress request answered HTTP 301, a redirect to https://apig.ap-southeast-1.myhuaweicloud.com;
 * //  requests to Huawei never follow redirects: check APIG_ENDPOINT'
 */
export function redirectError(httpStatus: number, location: string | null, what: string, setting: string): ApigRetryableError {
  const origin = originOf(location);
  return new ApigRetryableError(
    'unexpected_response',
    `${what} answered HTTP ${httpStatus}, a redirect${origin ? ` to ${origin}` : ''}; ` + `requests to Huawei never follow redirects: check ${setting}`,
    { httpStatus },
  );
}

/**
 * The transient error of an answer larger than `MAX_ANSWER_BYTES` (a proxy's page, a broken
 * gateway): retried like any unexpected answer, so a lasting one ends as `unavailable`.
 *
 * @example
 * answerTooLargeError('APIG progress request').reason // 'unexpected_response'
 */
export function answerTooLargeError(what: string, maxBytes: number = MAX_ANSWER_BYTES): ApigRetryableError {
  return new ApigRetryableError('unexpected_response', `${what} answered more than ${maxBytes / 1024} KiB; the answer was not read further`);
}

function originOf(location: string | null): string | undefined {
  if (location === null) return undefined;
  try {
    const { protocol, origin } = new URL(location);
    return protocol === 'http:' || protocol === 'https:' ? origin : undefined;
  } catch {
    return undefined;
  }
}
