/*
 * Text that apig-watch echoes but did not write: a producer's `instance_name` and `context`,
 * Huawei's `error_msg` and error codes. It is cleaned where it enters (request parsing, Huawei's
 * answers) and again before any notification is rendered, so nothing invisible or reordering
 * reaches a reader, a terminal or a queue message.
 */

/** Documented cap on Huawei's echoed messages (`error_msg`, error texts) before they enter state or a record. */
export const ECHOED_TEXT_MAX_CHARS = 512;
/** Cap on short echoed words (`status`, `error_code`). */
export const ECHOED_WORD_MAX_CHARS = 64;

/** Line and paragraph breaks of every kind (C0 TAB…CR, C1 NEL, U+2028/2029): replaced by a space. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/**
 * Removed: every other C0/C1 control and DEL (`\p{Cc}`); format characters (`\p{Cf}`: bidi
 * embeddings, overrides, isolates and marks, zero-width space/joiners, word joiner, BOM, soft
 * hyphen, tags); lone surrogates; and U+FFFE/U+FFFF, which SQS refuses in a message body.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\uFFFE\uFFFF]/gu;

/**
 * Removes what could hide, reorder or inject text: bidi overrides and isolates (U+202A–202E,
 * U+2066–2069, LRM/RLM/ALM), zero-width characters (U+200B–200D, U+2060, U+FEFF), C0 and C1
 * control characters and DEL. Line breaks and tabs become spaces so words stay apart. Emoji
 * joined by U+200D show as their parts.
 *
 * @example
 * cleanEchoedText('gw\u202Egnp.exe')     // 'gwgnp.exe'
 * cleanEchoedText('a\u200Bb\nc\u0007')   // 'ab c'
 */
export function cleanEchoedText(text: string): string {
  return text.replace(BREAKS, ' ').replace(INVISIBLE, '');
}

/**
 * Cleans (`cleanEchoedText`) and cuts to `maxChars` code points, ending a cut text with `…`.
 * Never splits a surrogate pair.
 *
 * @example
 * boundEchoedText('x'.repeat(600)).length          // 512 ('x' × 511 + '…')
 * boundEchoedText('Instance\u0000 not found', 64)  // 'Instance not found'
 */
export function boundEchoedText(text: string, maxChars: number = ECHOED_TEXT_MAX_CHARS): string {
  const clean = cleanEchoedText(text);
  if (clean.length <= maxChars) return clean;
  const codePoints = Array.from(clean);
  return codePoints.length <= maxChars ? clean : `${codePoints.slice(0, maxChars - 1).join('')}…`;
}
