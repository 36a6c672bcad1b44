import { AbortError, FetchError } from 'node-fetch';
import { boundEchoedText, ECHOED_WORD_MAX_CHARS } from '../echoed-text.js';
import { ApigRetryableError } from '../watch/progress-errors.js';

const THROTTLING_CODES = new Set(['APIG.0308', 'APIG.9008']);

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
 * `JSON.parse` that answers `undefined` for text that is not JSON (a proxy's HTML page…),
 * leaving the verdict to the schema the value goes through next.
 *
 * @example
 * parseJsonLeniently('<html>') // undefined
 */
export function parseJsonLeniently(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Classifies an answer that is neither success nor a refusal the caller handles itself:
 * 429 and Huawei's throttling codes (APIG.9008 arrives as a 500) → `throttled`,
 * other 5xx → `server_error`, anything else (an unexpected 400, 405…) → `unexpected_response`.
 *
 * @example
 * retryableErrorFromAnswer(500, { code: 'APIC.9000' }, 'APIG progress').reason // 'server_error'
 */
export function retryableErrorFromAnswer(
  httpStatus: number,
  error: { code?: string; message?: string },
  what: string,
): ApigRetryableError {
  const detail = `${what} answered HTTP ${httpStatus}${error.code ? ` ${error.code}` : ''}${
    error.message ? `: ${error.message}` : ''
  }`;
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
