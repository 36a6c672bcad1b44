import { InvalidMessageError, parseWatchRequest } from '../../lib/watch/request.js';
import { ForgedStateError, encodeStateMessage, parseMessageBody } from '../../lib/watch/state-message.js';
import { type WatchState, initialState } from '../../lib/watch/state.js';
import { INSTANCE_ID, PROJECT_ID, T0, watchRequestBody } from '../support/factories.js';

const KEYS = { current: 'k'.repeat(32), previous: null };

describe('parseWatchRequest', () => {
  it('accepts the request of the README contract and normalises it', () => {
    const request = parseWatchRequest(watchRequestBody());
    expect(request).toEqual({
      project_id: PROJECT_ID,
      instance_id: INSTANCE_ID,
      region: 'ap-southeast-1',
      instance_name: 'orders-gw-prod',
      context: { ticket: 'OPS-1234', env: 'prod' },
      operation: 'creation',
    });
  });

  it('watches the operation the request names, creation by default, and refuses one it does not know', () => {
    expect(parseWatchRequest(watchRequestBody({ operation: 'resize' })).operation).toBe('resize');
    expect(parseWatchRequest(watchRequestBody()).operation).toBe('creation');
    expect(() => parseWatchRequest(watchRequestBody({ operation: 'upgrade' }))).toThrow(
      /operation: must be one of creation, resize, update, deletion, restart, health/,
    );
  });

  it('fills absent optional fields with null and an empty context', () => {
    const request = parseWatchRequest(watchRequestBody({ instance_name: undefined, context: undefined }));
    expect(request.instance_name).toBeNull();
    expect(request.context).toEqual({});
  });

  it('unwraps the EventBridge envelope an event rule delivers', () => {
    const envelope = { version: '0', 'detail-type': 'APIG gateway creating', source: 'acme.provisioning', detail: watchRequestBody() };
    expect(parseWatchRequest(envelope).instance_id).toBe(INSTANCE_ID);
  });

  it('ignores endpoint-like fields: a message never chooses where credentials go', () => {
    const request = parseWatchRequest(watchRequestBody({ endpoint: 'https://evil.example', apig_endpoint: 'https://evil.example' }));
    expect(Object.keys(request).sort()).toEqual(['context', 'instance_id', 'instance_name', 'operation', 'project_id', 'region']);
  });

  it.each([
    ['a slash', `${PROJECT_ID.slice(0, 31)}/`],
    ['a dot-dot segment', `..${PROJECT_ID.slice(2)}`],
    ['a percent escape', `%2e${PROJECT_ID.slice(3)}`],
    ['whitespace', ` ${PROJECT_ID.slice(1)}`],
    ['upper-case hex', PROJECT_ID.toUpperCase()],
    ['too short', PROJECT_ID.slice(1)],
    ['a path traversal', '../../v3/auth/tokens'],
  ])('rejects a project_id with %s', (_, projectId) => {
    expect(() => parseWatchRequest(watchRequestBody({ project_id: projectId }))).toThrow(/project_id: must be 32 lowercase hexadecimal/);
  });

  it('rejects a path-injecting instance_id', () => {
    expect(() => parseWatchRequest(watchRequestBody({ instance_id: `${INSTANCE_ID.slice(0, 30)}/x` }))).toThrow(/instance_id/);
  });

  it.each(['AP-SOUTHEAST-1', 'ap', 'ap-southeast-1.evil.com', 'ap-southeast-1/x', 'a-b', `ap-${'x'.repeat(40)}`, 'ap-southeast-1 '])(
    'rejects the hostile region %j',
    (region) => {
      expect(() => parseWatchRequest(watchRequestBody({ region }))).toThrow(/region/);
    },
  );

  it('names every missing required field', () => {
    const error = captureError(() => parseWatchRequest({}));
    expect(error.problems.join('\n')).toMatch(/project_id/);
    expect(error.problems.join('\n')).toMatch(/instance_id/);
    expect(error.problems.join('\n')).toMatch(/region/);
  });

  it('rejects an instance_name longer than 64 characters', () => {
    expect(() => parseWatchRequest(watchRequestBody({ instance_name: 'x'.repeat(65) }))).toThrow(/instance_name: must be at most 64/);
  });

  it('rejects a context with more than 10 entries', () => {
    const context = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    expect(() => parseWatchRequest(watchRequestBody({ context }))).toThrow(/context: must have at most 10 entries/);
  });

  it('rejects a nested context value', () => {
    expect(() => parseWatchRequest(watchRequestBody({ context: { env: { nested: 'x' } } }))).toThrow(/context\.env/);
  });

  it('takes notify groups, without repeats, and leaves the field out when none are named', () => {
    expect(parseWatchRequest(watchRequestBody({ notify: ['payments', 'ops', 'payments'] })).notify).toEqual(['payments', 'ops']);
    expect(parseWatchRequest(watchRequestBody({ notify: [] }))).not.toHaveProperty('notify');
    expect(parseWatchRequest(watchRequestBody({ notify: null }))).not.toHaveProperty('notify');
  });

  it.each([
    ['a URL', ['https://evil.example/hook']],
    ['upper case', ['Payments']],
    ['a string instead of a list', 'payments'],
    ['more than 10 groups', Array.from({ length: 11 }, (_, i) => `g${i}`)],
  ])('rejects notify with %s: a request names groups, never a URL', (_, notify) => {
    expect(() => parseWatchRequest(watchRequestBody({ notify }))).toThrow(/notify/);
  });

  it('takes origin "discovery" and refuses any other origin', () => {
    expect(parseWatchRequest(watchRequestBody({ origin: 'discovery' })).origin).toBe('discovery');
    expect(parseWatchRequest(watchRequestBody())).not.toHaveProperty('origin');
    expect(() => parseWatchRequest(watchRequestBody({ origin: 'watcher' }))).toThrow(/origin: must be "discovery" when set/);
  });

  it('keeps notify and origin in the state a watch carries', () => {
    const state = initialState(parseWatchRequest(watchRequestBody({ notify: ['payments'], origin: 'discovery' })), T0, 7200);
    const message = parseMessageBody(encodeStateMessage(state, KEYS), KEYS);
    expect(message.kind === 'state' && message.state.request).toMatchObject({ notify: ['payments'], origin: 'discovery' });
  });

  it('removes bidi overrides, zero-width and C1 control characters from instance_name', () => {
    const request = parseWatchRequest(watchRequestBody({ instance_name: 'orders\u202E-gw\u200B-prod\u0080\u2066' }));
    expect(request.instance_name).toBe('orders-gw-prod');
  });

  it('reads an instance_name made only of invisible characters as no name', () => {
    const request = parseWatchRequest(watchRequestBody({ instance_name: '\u200B\u202E\uFEFF' }));
    expect(request.instance_name).toBeNull();
  });

  it('removes them from context keys and values, and drops a key left empty', () => {
    const context = { 'tick\u200Det': 'OPS\u202E-1234', '\u2060': 'hidden', env: 'prod\u0080' };
    const request = parseWatchRequest(watchRequestBody({ context }));
    expect(request.context).toEqual({ ticket: 'OPS-1234', env: 'prod' });
  });

  it('still rejects C0 control characters in instance_name, as documented', () => {
    expect(() => parseWatchRequest(watchRequestBody({ instance_name: 'orders\u001b[31m' }))).toThrow(/instance_name: must not contain control characters/);
  });
});

describe('parseMessageBody', () => {
  it.each([
    ['non-JSON', 'not json', /not JSON/],
    ['null', 'null', /JSON object, got null/],
    ['an array', '[1,2]', /JSON object, got an array/],
    ['a number', '42', /JSON object, got number/],
    ['a string', '"hello"', /JSON object, got string/],
    ['wrong types', JSON.stringify(watchRequestBody({ project_id: 42 })), /project_id/],
  ])('rejects %s with a reason', (_, body, reason) => {
    expect(() => parseMessageBody(body, KEYS)).toThrow(InvalidMessageError);
    expect(() => parseMessageBody(body, KEYS)).toThrow(reason);
  });

  it('reads back a state it wrote', () => {
    const state = initialState(parseWatchRequest(watchRequestBody()), T0, 7200);
    expect(parseMessageBody(encodeStateMessage(state, KEYS), KEYS)).toEqual({ kind: 'state', state });
  });

  it('rejects a signed state of another version as a version problem, not a forgery', () => {
    const state = initialState(parseWatchRequest(watchRequestBody()), T0, 7200);
    const body = encodeStateMessage(state, KEYS).replace('{"v":2,', '{"v":3,');
    expect(() => parseMessageBody(body, KEYS)).toThrow(/unsupported message version 3/);
  });

  it.each([
    ['a changed instance', (state: WatchState) => ({ ...state, request: { ...state.request, instance_id: 'f'.repeat(32) } })],
    ['a later deadline', (state: WatchState) => ({ ...state, deadline_at: state.deadline_at + 1 })],
    ['another watch id', (state: WatchState) => ({ ...state, watch_id: 'w_00000000000000000000' })],
  ])('rejects a signed state altered with %s as forged', (_, alter) => {
    const state = initialState(parseWatchRequest(watchRequestBody()), T0, 7200);
    const { sig } = JSON.parse(encodeStateMessage(state, KEYS)) as { sig: string };
    const body = JSON.stringify({ v: 2, state: alter(state), sig });
    expect(() => parseMessageBody(body, KEYS)).toThrow(ForgedStateError);
  });

  it.each([
    ['a state field', { state: { step: 3 } }],
    ['a sig field', { sig: 'abc' }],
    ['both', { state: 'x', sig: 'y', v: 2 }],
  ])('reads a producer request that carries %s beside project_id as a request (unknown fields are ignored)', (_, extra) => {
    const message = parseMessageBody(JSON.stringify({ ...watchRequestBody(), ...extra }), KEYS);
    expect(message).toEqual({ kind: 'request', request: parseWatchRequest(watchRequestBody()) });
  });

  it.each([
    ['as the envelope the watcher writes', (deep: string) => `{"v":2,"state":{"a":${deep}},"sig":"abc"}`],
    ['with the fields in another order', (deep: string) => `{"sig":"abc","state":${deep}}`],
    ['as an unsigned state', (deep: string) => `{"watch_id":"w_1","kind":"poll","last":${deep}}`],
  ])('rejects a 40,000-level nested fake state %s as forged, without overflowing the stack', (_, body) => {
    const deep = `${'['.repeat(40_000)}${']'.repeat(40_000)}`;
    expect(() => parseMessageBody(body(deep), KEYS)).toThrow(ForgedStateError);
  });

  it('throws only its own two errors, whatever random nesting and keys a body has', () => {
    const keys = ['state', 'sig', 'v', 'watch_id', 'kind', 'project_id', '__proto__', 'constructor', 'x'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      const pick = random(6);
      if (depth > 30 || pick === 0) return random(2) === 0 ? 'w' : 5e-324;
      if (pick === 1) return [value(depth + 1)];
      if (pick === 2) return null;
      return Object.fromEntries(Array.from({ length: 1 + random(3) }, () => [keys[random(keys.length)], value(depth + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      const body = JSON.stringify(value(0));
      try {
        parseMessageBody(body, KEYS);
      } catch (error) {
        expect([InvalidMessageError, ForgedStateError].some((type) => error instanceof type)).toBe(true);
      }
    }
  });

  it('still validates the request inside a correctly signed state', () => {
    const state = initialState(parseWatchRequest(watchRequestBody()), T0, 7200);
    const broken = { ...state, request: { ...state.request, instance_id: '../../x' } };
    expect(() => parseMessageBody(encodeStateMessage(broken, KEYS), KEYS)).toThrow(/instance_id/);
  });

  it.each([
    ['a progress mark without after', { marks: [{ progress: 30, seen_at: T0 }] }],
    ['a last answer without seen_at', { last: { status: 'creating', progress: 30, start_time_ms: T0, end_time_ms: T0, error_code: null, error_msg: null } }],
  ])('rejects a correctly signed state with %s: the schedule reads both, so no state goes without them', (_, undated) => {
    const state = { ...initialState(parseWatchRequest(watchRequestBody()), T0, 7200), ...undated } as WatchState;
    expect(() => parseMessageBody(encodeStateMessage(state, KEYS), KEYS)).toThrow(InvalidMessageError);
  });
});

function captureError(action: () => unknown): InvalidMessageError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidMessageError) return error;
    throw error;
  }
  throw new Error('expected an InvalidMessageError');
}
