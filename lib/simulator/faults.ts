/**
 * The simulator's misbehaviours and error answers: Huawei's error bodies by code, and how each
 * scripted fault is played (an answer, a reset socket, or a delay before the normal answer).
 */

/** One scripted misbehaviour, consumed by one authenticated request of the endpoint it was queued for (server.ts, `fail`). */
export type SimulatedFault =
  /** An error answer; the code defaults by status: 401 APIC.7102, 403 APIC.7106, 404 APIC.7302,
   *  429 APIG.0308, anything else APIC.9000. */
  | { status: number; code?: string; message?: string }
  /** Destroys the socket without answering. */
  | { reset: true }
  /** Waits this long (real time), then answers normally. */
  | { delayMs: number }
  /** Answers 200 with this raw body. */
  | { body: string }
  /** Answers a redirect (default 302) with `Location: redirectTo`. */
  | { redirectTo: string; status?: 301 | 302 | 303 | 307 | 308 };

/** An HTTP answer the server sends as it is: a string body raw, anything else as JSON. */
export interface SimulatedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** How the server plays a fault. */
export type FaultPlay = { kind: 'answer'; answer: SimulatedAnswer } | { kind: 'reset' } | { kind: 'delay'; delayMs: number };

const DEFAULT_CODES: Record<number, string> = {
  401: 'APIC.7102',
  403: 'APIC.7106',
  404: 'APIC.7302',
  429: 'APIG.0308',
};
const MESSAGES: Record<string, string> = {
  'APIC.7102': 'Incorrect token or token resolution failed',
  'APIC.7106': 'No permissions to request for the method',
  'APIC.7302': 'Instance not found',
  'APIC.9000': 'Failed to request internal service',
  'APIG.0301': 'Incorrect IAM authentication information: verify aksk signature fail',
  'APIG.0101': 'The API does not exist or has not been published in the environment',
  'APIG.0308': 'The throttling threshold has been reached',
  'APIG.9008': 'Too many requests',
};

/**
 * Huawei's error answer: `{ error_code, error_msg }`, the code defaulting by status and the
 * message by code.
 *
 * @example
 * errorAnswer(429) // { status: 429, body: { error_code: 'APIG.0308', error_msg: 'The throttling threshold has been reached' } }
 */
export function errorAnswer(status: number, code?: string, message?: string): SimulatedAnswer {
  const errorCode = code ?? DEFAULT_CODES[status] ?? 'APIC.9000';
  return { status, body: { error_code: errorCode, error_msg: message ?? MESSAGES[errorCode] ?? 'Simulated error' } };
}

/**
 * What the server does for one fault.
 *
 * @example
 * playOf({ status: 500 }) // { kind: 'answer', answer: { status: 500, body: { error_code: 'APIC.9000', … } } }
 * playOf({ delayMs: 200 }) // { kind: 'delay', delayMs: 200 }
 */
export function playOf(fault: SimulatedFault): FaultPlay {
  if ('reset' in fault) return { kind: 'reset' };
  if ('body' in fault) return { kind: 'answer', answer: { status: 200, body: fault.body } };
  if ('redirectTo' in fault) return { kind: 'answer', answer: { status: fault.status ?? 302, body: '', headers: { Location: fault.redirectTo } } };
  if ('status' in fault) return { kind: 'answer', answer: errorAnswer(fault.status, fault.code, fault.message) };
  return { kind: 'delay', delayMs: fault.delayMs };
}
