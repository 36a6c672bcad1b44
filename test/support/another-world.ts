/**
 * Runs `run` with the wall clock and `Math.random` somewhere else, and with its input frozen, to
 * show that a policy depends only on what it is given: a pure function answers the same here and
 * there, and a function that reads the clock, draws a random number or writes to its input does not.
 *
 * @example
 * const here = decide(state, nowMs);
 * expect(runInAnotherWorld(state, (frozen) => decide(frozen, nowMs))).toEqual(here);
 */
export function runInAnotherWorld<T, R>(input: T, run: (frozen: T) => R): R {
  const { now } = Date;
  const { random } = Math;
  Date.now = () => now() + 400 * 24 * 3_600_000;
  Math.random = () => 0.999_999;
  try {
    return run(deepFrozen(structuredClone(input)));
  } finally {
    Date.now = now;
    Math.random = random;
  }
}

function deepFrozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFrozen(child);
    Object.freeze(value);
  }
  return value;
}
