import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidMessageError, describeIssues, parseWatchRequest, type WatchRequest } from './request.js';
import { STATE_VERSION, type WatchState } from './state.js';
import { watchStateSchema } from './state-schema.js';

/**
 * The keys of `STATE_SIGNING_KEY` (and, during a rotation, `STATE_SIGNING_KEY_PREVIOUS`). State
 * is signed with `current`; either key is accepted.
 */
export interface StateSigningKeys {
  current: string;
  previous: string | null;
}

/** The shortest signing key accepted, in UTF-8 bytes (the HMAC-SHA256 block of entropy). */
export const MIN_STATE_SIGNING_KEY_BYTES = 32;

/** Domain separation: a signature made for a state message can never stand for anything else. */
const SIGNATURE_CONTEXT = `apig-watch state v${STATE_VERSION}\n`;

/** The dead-letter reason of a state message whose signature does not check out. */
export const FORGED_STATE_REASON = 'forged-state';

/**
 * A message that looks like the poller's own state but was not signed by it (or was altered).
 * Its `message` is always `forged-state`, the dead-letter reason; `detail` says why, for the log.
 */
export class ForgedStateError extends Error {
  override readonly name = 'ForgedStateError';
  constructor(readonly detail: string) {
    super(FORGED_STATE_REASON);
  }
}

/** A message body read from the queue: a producer's request, or the poller's own (verified) state. */
export type ParsedMessage = { kind: 'request'; request: WatchRequest } | { kind: 'state'; state: WatchState };

/**
 * The message body of a state: `{"v":2,"state":{…},"sig":"…"}`, where `sig` is the base64url
 * HMAC-SHA256 of the state's JSON under the current key. The state stays readable in the
 * dead-letter queue; only the poller can make one.
 *
 * @example
 * await queue.sendBatch([{ id: '0', body: encodeStateMessage(next, keys), delaySeconds: 30 }]);
 */
export function encodeStateMessage(state: WatchState, keys: StateSigningKeys): string {
  const payload = JSON.stringify(state);
  return `{"v":${STATE_VERSION},"state":${payload},"sig":"${signatureOf(payload, keys.current)}"}`;
}

/**
 * Parses an SQS message body. A body that carries a state (`state`, `sig`, or the fields of an
 * unsigned state) must be signed with one of `keys`, or it throws `ForgedStateError`; anything else
 * is a watch request (unknown fields, `v` included, are ignored). Throws `InvalidMessageError`
 * with a loggable reason for anything else that can never be processed.
 *
 * @example
 * const message = parseMessageBody(record.body, keys);
 * if (message.kind === 'state') console.log(message.state.step);
 */
export function parseMessageBody(body: string, keys: StateSigningKeys): ParsedMessage {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    throw new InvalidMessageError('message body is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidMessageError(
      `message body must be a JSON object, got ${Array.isArray(input) ? 'an array' : String(input === null ? 'null' : typeof input)}`,
    );
  }
  if (!looksLikeState(input)) return { kind: 'request', request: parseWatchRequest(input) };
  return { kind: 'state', state: verifiedState(input as Record<string, unknown>, keys) };
}

/**
 * The state a state message carries, read WITHOUT checking its signature, or `null` when the body
 * is not a well-formed state message. For showing what the table and the dead-letter queue hold
 * (`apig-watch list`, `apig-watch redrive`) to someone who has no signing key: never act on it.
 *
 * @example
 * unverifiedStateOf(encodeStateMessage(state, keys))?.watch_id // state.watch_id
 * unverifiedStateOf('{"project_id":"…"}') // null: a request, not a state
 */
export function unverifiedStateOf(body: string): WatchState | null {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = watchStateSchema.safeParse((input as { state?: unknown } | null)?.state);
  return parsed.success ? (parsed.data as WatchState) : null;
}

function looksLikeState(input: object): boolean {
  return 'sig' in input || 'state' in input || ('watch_id' in input && 'kind' in input);
}

function verifiedState(input: Record<string, unknown>, keys: StateSigningKeys): WatchState {
  const { v, state, sig } = input;
  if (typeof sig !== 'string' || typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new ForgedStateError('the state is not signed');
  }
  const payload = JSON.stringify(state);
  const signedBy = [keys.current, keys.previous].find((key) => key !== null && signaturesMatch(sig, signatureOf(payload, key)));
  if (signedBy === undefined) throw new ForgedStateError('the signature does not match the state');
  // Signed by this watcher: anything wrong from here on is a version or a bug, not a forgery.
  if (v !== STATE_VERSION) throw new InvalidMessageError(`unsupported message version ${JSON.stringify(v)}; this poller reads v: ${STATE_VERSION}`);
  const parsed = watchStateSchema.safeParse(state);
  if (!parsed.success) throw new InvalidMessageError('invalid watch state', describeIssues(parsed.error.issues));
  const checked = parsed.data as WatchState;
  return { ...checked, request: parseWatchRequest(checked.request) };
}

function signatureOf(payload: string, key: string): string {
  return createHmac('sha256', key).update(SIGNATURE_CONTEXT).update(payload).digest('base64url');
}

function signaturesMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
