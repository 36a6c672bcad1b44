import { formatElapsed, hintFor } from '../../lib/watch/event.js';

describe('formatElapsed', () => {
  it.each([
    [0, '0s'],
    [42_000, '42s'],
    [59_499, '59s'],
    [59_500, '1m 00s'],
    [323_750, '5m 24s'],
    [372_000, '6m 12s'],
    [3_725_000, '1h 02m 05s'],
    [93_784_000, '26h 03m 04s'],
    [-5_000, '0s'],
  ])('formats %d ms as %s', (elapsedMs, expected) => {
    expect(formatElapsed(elapsedMs)).toBe(expected);
  });
});

describe('hintFor', () => {
  it.each([
    ['APIC.9218', /quota increase/],
    ['APIC.9219', /another availability zone or another gateway edition/],
    ['APIC.9206', /contact Huawei Cloud support/],
    ['apic.9218', /quota increase/],
  ])('explains %s', (code, hint) => {
    expect(hintFor('failed', code)).toMatch(hint);
  });

  it('points to the error message and support for an unknown code', () => {
    expect(hintFor('failed', 'APIC.1234')).toMatch(/error message/);
    expect(hintFor('failed', null)).toMatch(/support/);
  });

  it('has no hint for outcomes other than failed', () => {
    expect(hintFor('succeeded', null)).toBeNull();
    expect(hintFor('not_found', 'APIC.7302')).toBeNull();
  });
});

