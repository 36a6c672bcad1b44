import { FetchError } from 'node-fetch';

/**
 * What every request this project makes shares, to Huawei and to receivers alike: redirects are
 * never followed and answers are read up to a bound, so no server can make the process hold more
 * than that (a receiver streaming hundreds of megabytes, a proxy's error page).
 */

/** Answers are read up to this many bytes (a real one is under 2 KiB); reading stops there. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** `fetch` options for every request: a 3xx comes back as an answer, bodies stop at `MAX_ANSWER_BYTES`. */
export const BOUNDED_FETCH_OPTIONS = { redirect: 'manual', size: MAX_ANSWER_BYTES } as const;

/**
 * True when `fetch` stopped reading an answer at its `size` bound (the stream is then destroyed).
 *
 * @example
 * try { await response.text(); } catch (error) { if (isAnswerTooLarge(error)) return 'too large'; throw error; }
 */
export function isAnswerTooLarge(error: unknown): boolean {
  return error instanceof FetchError && error.type === 'max-size';
}
