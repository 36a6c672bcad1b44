import { boundEchoedText, cleanEchoedText, ECHOED_TEXT_MAX_CHARS } from '../../lib/echoed-text.js';

describe('cleanEchoedText', () => {
  const removed: [string, string][] = [
    ['a right-to-left override (U+202E)', '\u202E'],
    ['a left-to-right override (U+202D)', '\u202D'],
    ['a right-to-left embedding (U+202B)', '\u202B'],
    ['a pop directional formatting (U+202C)', '\u202C'],
    ['a right-to-left isolate (U+2067)', '\u2067'],
    ['a first-strong isolate (U+2068)', '\u2068'],
    ['a pop directional isolate (U+2069)', '\u2069'],
    ['a right-to-left mark (U+200F)', '\u200F'],
    ['an Arabic letter mark (U+061C)', '\u061C'],
    ['a zero-width space (U+200B)', '\u200B'],
    ['a zero-width non-joiner (U+200C)', '\u200C'],
    ['a zero-width joiner (U+200D)', '\u200D'],
    ['a word joiner (U+2060)', '\u2060'],
    ['a byte-order mark (U+FEFF)', '\uFEFF'],
    ['a soft hyphen (U+00AD)', '\u00AD'],
    ['a NUL (C0)', '\u0000'],
    ['a bell (C0)', '\u0007'],
    ['an escape, which starts terminal sequences (C0)', '\u001B'],
    ['a DEL', '\u007F'],
    ['a C1 control (U+0080)', '\u0080'],
    ['a C1 control sequence introducer (U+009B)', '\u009B'],
    ['a lone surrogate', '\uD800'],
    ['the non-character U+FFFF, which SQS refuses', '\uFFFF'],
  ];

  it.each(removed)('removes %s', (_, character) => {
    // Act
    const clean = cleanEchoedText(`orders${character}-gw`);

    // Assess
    expect(clean).toBe('orders-gw');
  });

  it.each([
    ['a line feed', '\n'],
    ['a carriage return', '\r'],
    ['a tab', '\t'],
    ['a C1 next line (U+0085)', '\u0085'],
    ['a line separator (U+2028)', '\u2028'],
    ['a paragraph separator (U+2029)', '\u2029'],
  ])('replaces %s with a space, so words stay apart', (_, character) => {
    // Act
    const clean = cleanEchoedText(`create${character}failed`);

    // Assess
    expect(clean).toBe('create failed');
  });

  it('keeps ordinary text, CJK, accents and emoji as they are', () => {
    // Prepare
    const text = 'orders-gw 网关 créé ✅ 🚀 <b>&</b>';

    // Act
    const clean = cleanEchoedText(text);

    // Assess
    expect(clean).toBe(text);
  });

  it('shows a name that used an override to hide its real ending in logical order', () => {
    // Act
    const clean = cleanEchoedText('invoice\u202Etxt.exe');

    // Assess
    expect(clean).toBe('invoicetxt.exe');
  });
});

describe('boundEchoedText', () => {
  it(`cuts to ${ECHOED_TEXT_MAX_CHARS} characters by default, marking the cut with …`, () => {
    // Act
    const bounded = boundEchoedText('x'.repeat(5000));

    // Assess
    expect(bounded).toHaveLength(ECHOED_TEXT_MAX_CHARS);
    expect(bounded.endsWith('…')).toBe(true);
  });

  it('leaves text within the bound untouched', () => {
    // Act
    const bounded = boundEchoedText('create failed...', 64);

    // Assess
    expect(bounded).toBe('create failed...');
  });

  it('never splits an emoji made of two UTF-16 units', () => {
    // Act
    const bounded = boundEchoedText('🚀'.repeat(10), 5);

    // Assess
    expect(Array.from(bounded)).toEqual(['🚀', '🚀', '🚀', '🚀', '…']);
  });

  it('cleans before it cuts, so invisible characters take no room', () => {
    // Act
    const bounded = boundEchoedText(`${'\u200B'.repeat(100)}abc`, 3);

    // Assess
    expect(bounded).toBe('abc');
  });
});
