import { AbortError, FetchError } from 'node-fetch';
import { boundEchoedText, ECHOED_WORD_MAX_CHARS } from '../echoed-text.js';
import { parseJsonLeniently } from '../lenient-json.js';
import { ApigRetryableError, ApigTerminalError, type ApigError, type ApigErrorOptions } from '../watch/index.js';

const THROTTLING_CODES = new Set(['APIG.0308', 'APIG.9008']);
/**
 * Huawei's own answers that a gateway does not exist: APIC.7302 "Instance not found" (the dedicated
 * instance APIs, progress and detail alike) and APIG.3030 "The instance does not exist".
 */
const INSTANCE_NOT_FOUND_CODES = new Set(['APIC.7302', 'APIG.3030']);

/**
 * Reads `error_code`/`error_msg` (APIG) or `error.code`/`error.message` (IAM, gateway
 * front ends) from an error answer; anything else yields an empty result. Both are echoed, so
 * they come back cleaned and cut (`boundEchoedText`: a code to 64, a message to 512 characters).
 *
 * @example
 * parseErrorBody('{"error_code":"APIC.7302","error_msg":"Instance not found"}')
 * // { code: 'APIC.7302', message: 'Instance not found' }
 */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  const body = parseJsonLeniently(text);
  if (typeof body !== 'object' || body === null) return {};
  const flat = body as { error_code?: unknown; error_msg?: unknown; error?: unknown };
  const nested = (typeof flat.error === 'object' && flat.error !== null ? flat.error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const code = flat.error_code ?? nested.code;
  const message = flat.error_msg ?? nested.message;
  return {
    code: typeof code === 'string' || typeof code === 'number' ? boundEchoedText(String(code), ECHOED_WORD_MAX_CHARS) : undefined,
    message: typeof message === 'string' ? boundEchoedText(message) : undefined,
  };
}

/**
 * Classifies an answer that is neither success nor a refusal the caller handles itself:
 * 429 and Huawei's throttling codes (APIG.9008 arrives as a 500) → `throttled`,
 * other 5xx → `server_error`, anything else (an unexpected 400, 405…) → `unexpected_response`.
 *
 * @example
 * retryableErrorFromAnswer(500, { code: 'APIC.9000' }, 'APIG progress').reason // 'server_error'
 */
export function retryableErrorFromAnswer(httpStatus: number, error: { code?: string; message?: string }, what: string): ApigRetryableError {
  const detail = `${what} answered HTTP ${httpStatus}${error.code ? ` ${error.code}` : ''}${error.message ? `: ${error.message}` : ''}`;
  const options = { httpStatus, code: error.code };
  if (httpStatus === 429 || (error.code !== undefined && THROTTLING_CODES.has(error.code))) {
    return new ApigRetryableError('throttled', detail, options);
  }
  if (httpStatus >= 500) return new ApigRetryableError('server_error', detail, options);
  return new ApigRetryableError('unexpected_response', detail, options);
}

/** System error codes meaning that nothing answers at the address: a refused connection, an unknown host name. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND']);

/**
 * Turns what `node-fetch` throws into a retryable error: an abort (our timeout signal)
 * → `timeout`; a refused connection or a name that does not resolve → `unreachable`, its message
 * naming `setting` (what to check); a reset or hung-up connection… → `network`.
 *
 * @example
 * errorFromFetchFailure(new AbortError('aborted'), 'APIG progress', 5000).reason // 'timeout'
 * errorFromFetchFailure(refused, 'APIG progress request', 5000, 'APIG_ENDPOINT').message
 * // 'APIG progress request failed (ECONNREFUSED): request to http://127.0.0.1:1/… failed, reason: connect ECONNREFUSED 127.0.0.1:1; check APIG_ENDPOINT'
 */
export function errorFromFetchFailure(error: unknown, what: string, timeoutMs: number, setting?: string): ApigRetryableError {
  if (error instanceof AbortError || (error instanceof Error && error.name === 'TimeoutError')) {
    return new ApigRetryableError('timeout', `${what} did not answer within ${timeoutMs} ms`, { cause: error });
  }
  const code = error instanceof FetchError ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = code !== undefined && UNREACHABLE_CODES.has(code);
  const advice = unreachable && setting ? `; check ${setting}` : '';
  return new ApigRetryableError(unreachable ? 'unreachable' : 'network', `${what} failed${code ? ` (${code})` : ''}: ${message}${advice}`, {
    cause: error,
  });
}

/** What an error answer says, ready for a message: `APIC.7302: Instance not found`, or `HTTP 502`. */
export interface AnswerProblem {
  error: { code?: string; message?: string };
  options: ApigErrorOptions;
  detail: string;
}

/**
 * The error of an APIG answer that is not a success, for every APIG call alike: 401 →
 * `unauthorized`, 403 → `forbidden` naming the IAM `permission` the call needs; other statuses go
 * to `special` (a call's own cases, e.g. the progress API's 404), then `retryableErrorFromAnswer`.
 *
 * @example
 * errorFromApigAnswer({ status: 403, text: '{"error_code":"APIC.7106"}' }, 'APIG instance list', 'apig:instance:list').message
 * // 'APIG denied access (APIC.7106); the IAM user needs the permission apig:instance:list'
 */
export function errorFromApigAnswer(
  answer: { status: number; text: string },
  what: string,
  permission: string,
  special?: (problem: AnswerProblem) => ApigError | undefined,
): ApigError {
  const error = parseErrorBody(answer.text);
  const options = { httpStatus: answer.status, code: error.code };
  const detail = `${error.code ?? `HTTP ${answer.status}`}${error.message ? `: ${error.message}` : ''}`;
  if (answer.status === 401) return new ApigTerminalError('unauthorized', `APIG refused the credentials (${detail})`, options);
  if (answer.status === 403) {
    return new ApigTerminalError('forbidden', `APIG denied access (${detail}); the IAM user needs the permission ${permission}`, options);
  }
  return special?.({ error, options, detail }) ?? retryableErrorFromAnswer(answer.status, error, what);
}

/**
 * Whether an answer is Huawei's own "instance not found": a 404 carrying APIC.7302 or APIG.3030.
 * Any other 404 (a plain server's, a proxy's, APIG.0101 for a path APIG does not serve) says
 * nothing of the gateway (`wrongEndpointError`).
 *
 * @example
 * isInstanceNotFound(404, 'APIC.7302') // true
 * isInstanceNotFound(404, 'APIG.0101') // false
 * isInstanceNotFound(404, undefined)   // false
 */
export function isInstanceNotFound(httpStatus: number, code: string | undefined): boolean {
  return httpStatus === 404 && code !== undefined && INSTANCE_NOT_FOUND_CODES.has(code);
}

/**
 * The retryable error of a 404 that is not Huawei's "instance not found": the address does not
 * serve APIG's API, which a wrong `APIG_ENDPOINT` explains.
 *
 * @example
 * wrongEndpointError('APIG progress request', 'HTTP 404', { httpStatus: 404 }).reason // 'wrong_endpoint'
 */
export function wrongEndpointError(what: string, detail: string, options: ApigErrorOptions): ApigRetryableError {
  return new ApigRetryableError(
    'wrong_endpoint',
    `${what} answered HTTP 404 (${detail}), not Huawei's "instance not found": the address does not serve APIG's API; check APIG_ENDPOINT`,
    options,
  );
}
