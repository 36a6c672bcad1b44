import { parseWatchRequest } from '../../lib/watch/request.js';
import { ForgedStateError, encodeStateMessage, parseMessageBody } from '../../lib/watch/state-message.js';
import { initialState } from '../../lib/watch/state.js';
import { T0, watchRequestBody } from '../support/factories.js';
import { NEW_KEY, OLD_KEY, ROTATION_WINDOWS } from '../support/rotation.js';

const state = initialState(parseWatchRequest(watchRequestBody()), T0, 7200);
const signedWith = (key: string) => encodeStateMessage(state, { current: key, previous: null });

describe('the state signing key rotation (docs/operating.md)', () => {
  it.each(ROTATION_WINDOWS.map((window) => [window.name, window] as const))(
    'at "%s", every container accepts every state that can still arrive',
    (_, window) => {
      for (const config of window.configs) {
        for (const key of window.signedWith) expect(parseMessageBody(signedWith(key), config)).toEqual({ kind: 'state', state });
      }
    },
  );

  it('signs only with the current key at every step, so nothing is signed with a key some container does not accept yet', () => {
    const signing = ROTATION_WINDOWS.flatMap((window) => window.configs.map((config) => config.current));
    for (const [index, window] of ROTATION_WINDOWS.entries()) {
      const signers = new Set(window.configs.map((config) => config.current));
      expect([...signers].every((key) => window.signedWith.includes(key))).toBe(true);
      if (index === 0) expect(signers).toEqual(new Set([OLD_KEY]));
    }
    expect(signing).toContain(NEW_KEY);
  });

  it('is needed: rotating the secret in place makes a container that still holds the old key refuse new states as forged', () => {
    const stale = { current: OLD_KEY, previous: null };
    expect(() => parseMessageBody(signedWith(NEW_KEY), stale)).toThrow(ForgedStateError);
  });
});
