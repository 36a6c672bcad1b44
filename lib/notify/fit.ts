/** Marks text cut to respect a channel limit. */
export const TRUNCATION_MARKER = '…';

/** How a channel counts the size its limit is about. */
export type Measure = (text: string) => number;
/** UTF-16 code units, which is what Slack, Discord and Teams count (never fewer than characters). */
const countChars: Measure = (text) => text.length;
/** UTF-8 bytes, which is what WeCom, DingTalk and Feishu count. */
export const countUtf8Bytes: Measure = (text) => Buffer.byteLength(text, 'utf8');

/**
 * Builds `build(raw)`, or, when that measures more than `max`, `build(prefix + '…')` with the longest
 * prefix of `raw` that fits. `build` may escape and wrap the text, so the limit holds for what is
 * actually sent. When not even `build('…')` fits, that is returned anyway: callers cap every other
 * part so this cannot happen.
 *
 * @example
 * fitInto('a very long error message', 12); // → 'a very long…'
 * fitInto(msg, 4096, (text) => `**Error**: ${escapeMarkdown(text)}`, countUtf8Bytes);
 */
export function fitInto(raw: string, max: number, build: (text: string) => string = (text) => text, measure: Measure = countChars): string {
  const whole = build(raw);
  if (measure(whole) <= max) return whole;
  const codePoints = Array.from(raw);
  const candidate = (length: number): string => build(codePoints.slice(0, length).join('').trimEnd() + TRUNCATION_MARKER);
  let fits = 0;
  let tooLong = codePoints.length;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (measure(candidate(middle)) <= max) fits = middle;
    else tooLong = middle;
  }
  return candidate(fits);
}
