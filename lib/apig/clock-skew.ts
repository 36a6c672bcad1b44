import { MAX_SIGNATURE_CLOCK_SKEW_MS, parseSdkDate } from './signing.js';

/**
 * Huawei refuses an AK/SK signature whose `X-Sdk-Date` is more than 15 minutes from its clock with
 * the same 401 as a wrong key (`APIG.0301` "Incorrect IAM authentication information: verify aksk
 * signature fail"), so the answer's own time tells the two apart: its `Date` header, or the
 * "server time:…" some gateways put in the message.
 */

/** A refusal whose server time is at least this far from our `X-Sdk-Date` is clock skew (15 min, less a minute of latency and rounding). */
export const SKEW_EVIDENCE_MS = MAX_SIGNATURE_CLOCK_SKEW_MS - 60_000;

const SERVER_TIME_IN_MESSAGE = /server time:\s*(\d{8}T\d{6}Z)/i;

/**
 * Huawei's time, when its refusal of a signature made at `signedAtMs` shows our clock at least
 * `SKEW_EVIDENCE_MS` off; `undefined` when the refusal is not about time (then asking again would
 * only count towards Huawei's lock of an AK after 5 failures in a row).
 *
 * @example
 * serverTimeIfSkewed(Date.parse('2026-11-28T10:16:00Z'), 'Sat, 28 Nov 2026 10:00:00 GMT', undefined) // Date.parse('2026-11-28T10:00:00Z')
 * serverTimeIfSkewed(Date.parse('2026-11-28T10:00:01Z'), 'Sat, 28 Nov 2026 10:00:00 GMT', undefined) // undefined
 */
export function serverTimeIfSkewed(signedAtMs: number, dateHeader: string | null, errorMessage: string | undefined): number | undefined {
  const serverMs = serverTimeOf(errorMessage) ?? (dateHeader ? Date.parse(dateHeader) : Number.NaN);
  if (Number.isNaN(serverMs)) return undefined;
  return Math.abs(serverMs - signedAtMs) >= SKEW_EVIDENCE_MS ? serverMs : undefined;
}

function serverTimeOf(message: string | undefined): number | undefined {
  const match = message === undefined ? null : SERVER_TIME_IN_MESSAGE.exec(message);
  return match ? parseSdkDate(match[1] ?? '') : undefined;
}
