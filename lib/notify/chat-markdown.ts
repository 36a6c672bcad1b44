import { escapeChatMarkdown } from './escape.js';
import { countUtf8Bytes, fitInto } from './fit.js';
import type { Message } from './compose-message.js';

/** The context labels line is capped so the error message always keeps room. */
const LABELS_LINE_MAX_BYTES = 1024;

/** How DingTalk and WeCom differ within the markdown they share. */
export interface ChatMarkdownStyle {
  /** Wraps our own headline in the channel's colour markup. */
  colour: (text: string) => string;
  /** Separator between blocks: DingTalk needs a blank line, WeCom a newline. */
  lineBreak: string;
  maxBytes: number;
}

/**
 * The markdown text DingTalk and WeCom show: coloured headline, detail, facts as quoted lines,
 * the error (shortened to keep the whole within `maxBytes` UTF-8 bytes), a console link and the
 * context labels (capped at 1 KB). Echoed values are escaped with `escapeChatMarkdown`.
 *
 * @example
 * renderChatMarkdown(composeMessage(event), { colour: (t) => t, lineBreak: '\n', maxBytes: 4096 });
 * // → '### ✅ Gateway created: orders-gw-prod\nThe dedicated gateway was created …'
 */
export function renderChatMarkdown(message: Message, style: ChatMarkdownStyle): string {
  const esc = escapeChatMarkdown;
  const rawLabels = message.labels.map(({ label, value }) => `${label}: ${value}`).join(' · ');
  const labels = rawLabels === '' ? '' : fitInto(rawLabels, LABELS_LINE_MAX_BYTES, esc, countUtf8Bytes);
  const build = (errorMessage: string): string =>
    [
      `### ${style.colour(`${message.emoji} ${message.headline}`)}: ${esc(message.gateway)}`,
      message.detail,
      ...message.facts.map(({ label, value }) => `> **${label}**: ${esc(value)}`),
      ...(errorMessage === '' ? [] : [`> **Error message**: ${esc(errorMessage)}`]),
      ...(message.hint === null ? [] : [`> **Hint**: ${esc(message.hint)}`]),
      `[${message.consoleLabel}](${message.consoleUrl})`,
      ...(labels === '' ? [] : [labels]),
    ].join(style.lineBreak);
  return fitInto(message.errorMessage ?? '', style.maxBytes, build, countUtf8Bytes);
}
