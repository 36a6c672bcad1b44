import type { StateSigningKeys } from '../../lib/watch/state-message.js';

/** The state signing key before and after a rotation. */
export const OLD_KEY = 'o'.repeat(40);
export const NEW_KEY = 'n'.repeat(40);

export type KeyConfig = Required<StateSigningKeys>;

const key = (current: string, previous: string | null = null, next: string | null = null): KeyConfig => ({ current, previous, next });

/**
 * The key configurations that can run side by side at each point of the documented rotation
 * (docs/operating.md, "Rotating the state signing key"): while a deploy rolls out, or while
 * containers' caches still hold the secret's old value. `signedSince` are the keys a state still
 * arriving then may be signed with (after the last step's wait, no state signed with the old key
 * is left anywhere, the dead-letter queue included).
 */
export const ROTATION_WINDOWS: ReadonlyArray<{ name: string; configs: readonly KeyConfig[]; signedWith: readonly string[] }> = [
  { name: '1. deploy: previous = old copy, next = new', configs: [key(OLD_KEY), key(OLD_KEY, OLD_KEY, NEW_KEY)], signedWith: [OLD_KEY] },
  { name: '2. the secret holds the new key', configs: [key(OLD_KEY, OLD_KEY, NEW_KEY), key(NEW_KEY, OLD_KEY, NEW_KEY)], signedWith: [OLD_KEY, NEW_KEY] },
  { name: '3. deploy: next emptied', configs: [key(NEW_KEY, OLD_KEY, NEW_KEY), key(NEW_KEY, OLD_KEY)], signedWith: [OLD_KEY, NEW_KEY] },
  { name: '4. after the retention, deploy: previous emptied', configs: [key(NEW_KEY, OLD_KEY), key(NEW_KEY)], signedWith: [NEW_KEY] },
];
