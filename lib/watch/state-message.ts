import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidMessageError, describeIssues, parseWatchRequest, type WatchRequest } from './request.js';
import { STATE_VERSION, watchStateSchema, type WatchState } from './state.js';

/**
 * The keys of `STATE_SIGNING_KEY` and, during a rotation (docs/operating.md, "Rotating the state
 * signing key"), `STATE_SIGNING_KEY_PREVIOUS` and `STATE_SIGNING_KEY_NEXT`. State is signed with
 * `current`; every key is accepted, so each container accepts the next key before any signs with it.
 */
export interface StateSigningKeys {
  current: string;
  previous: string | null;
  /** The key a rotation is about to sign with: accepted, never used to sign. */
  next?: string | null;
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
 * Parses an SQS message body. A state message is recognised by its exact form
 * (`{"v":2,"state":…,"sig":"…"}`, as `encodeStateMessage` writes it) and its signature is checked
 * over the raw text before anything of it is parsed, so no shape of an unsigned body (deep
 * nesting, odd numbers) reaches a recursive step. A body that carries a state's marks (`state`,
 * `sig`, or the `watch_id` and `kind` of an unsigned state) without naming a gateway
 * (`project_id`) throws `ForgedStateError`; anything else is a watch request (unknown fields, `v`,
 * `state` and `sig` included, are ignored). Throws `InvalidMessageError` with a loggable reason for
 * anything else that can never be processed.
 *
 * @example
 * const message = parseMessageBody(record.body, keys);
 * if (message.kind === 'state') console.log(message.state.step);
 */
export function parseMessageBody(body: string, keys: StateSigningKeys): ParsedMessage {
  const envelope = stateEnvelopeOf(body);
  if (envelope !== null) return { kind: 'state', state: verifiedState(envelope, keys) };
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
  if (looksLikeState(input) && !('project_id' in input)) throw new ForgedStateError('the state is not in the form the watcher signs');
  return { kind: 'request', request: parseWatchRequest(input) };
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
  const envelope = stateEnvelopeOf(body);
  if (envelope === null) return null;
  try {
    const parsed = watchStateSchema.safeParse(JSON.parse(envelope.payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A state message split into its parts, its payload still raw text. */
interface StateEnvelope {
  version: number;
  payload: string;
  sig: string;
}

/** The exact form `encodeStateMessage` writes; the payload is everything between the two fixed parts. */
const STATE_ENVELOPE = /^\{"v":(\d{1,6}),"state":(\{.*\}),"sig":"([A-Za-z0-9_-]{1,128})"\}$/s;

function stateEnvelopeOf(body: string): StateEnvelope | null {
  const match = STATE_ENVELOPE.exec(body);
  if (match === null) return null;
  const [, version = '', payload = '', sig = ''] = match;
  return { version: Number(version), payload, sig };
}

function looksLikeState(input: object): boolean {
  return 'sig' in input || 'state' in input || ('watch_id' in input && 'kind' in input);
}

function verifiedState({ version, payload, sig }: StateEnvelope, keys: StateSigningKeys): WatchState {
  const accepted = [keys.current, keys.previous, keys.next ?? null].filter((key): key is string => key !== null);
  if (!accepted.some((key) => signaturesMatch(sig, signatureOf(payload, key)))) {
    throw new ForgedStateError(
      `the signature matches none of the ${accepted.length} configured state signing key(s): a forgery, or a state signed with a key this container does not accept yet (a rotation done out of order: docs/operating.md, "Rotating the state signing key"; redrive once every container accepts both keys)`,
    );
  }
  // Signed by this watcher: anything wrong from here on is a version or a bug, not a forgery.
  if (version !== STATE_VERSION) throw new InvalidMessageError(`unsupported message version ${version}; this poller reads v: ${STATE_VERSION}`);
  const parsed = watchStateSchema.safeParse(JSON.parse(payload));
  if (!parsed.success) throw new InvalidMessageError('invalid watch state', describeIssues(parsed.error.issues));
  return parsed.data;
}

function signatureOf(payload: string, key: string): string {
  return createHmac('sha256', key).update(SIGNATURE_CONTEXT).update(payload).digest('base64url');
}

function signaturesMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
