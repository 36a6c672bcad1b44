import { escapeSlack } from './escape.js';
import { fitInto } from './fit.js';
import { composeMessage, formatTitle, type Fact } from './compose-message.js';
import { type Renderer, jsonRequest } from './rendered-request.js';

/** Block Kit limits. */
const HEADER_MAX_CHARS = 150;
const SECTION_TEXT_MAX_CHARS = 3000;
const SECTION_FIELDS_MAX = 10;
const CONTEXT_ELEMENTS_MAX = 10;

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const fact = ({ label, value }: Fact): string => `*${escapeSlack(label)}*\n${escapeSlack(value)}`;

/**
 * Slack incoming webhook: `text` (the notification fallback) plus Block Kit `blocks` — a header,
 * the detail, facts as section fields, the error, context labels and a console button. Echoed
 * text is escaped (`&`, `<`, `>`); the header is `plain_text`, which Slack never parses.
 *
 * @example
 * const { body } = renderSlackRequest(event, target, Date.now());
 * JSON.parse(body).blocks[0]; // → { type: 'header', text: { type: 'plain_text', text: '✅ Gateway created: orders-gw-prod' } }
 */
export const renderSlackRequest: Renderer = (event, target) => {
  const message = composeMessage(event);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: fitInto(formatTitle(message), HEADER_MAX_CHARS), emoji: true } },
    { type: 'section', text: mrkdwn(message.detail) },
    { type: 'section', fields: message.facts.slice(0, SECTION_FIELDS_MAX).map((f) => mrkdwn(fact(f))) },
  ];
  if (message.errorMessage !== null) {
    const text = fitInto(message.errorMessage, SECTION_TEXT_MAX_CHARS, (raw) => `*Error message*\n${escapeSlack(raw)}`);
    blocks.push({ type: 'section', text: mrkdwn(text) });
  }
  if (message.hint !== null) blocks.push({ type: 'section', text: mrkdwn(`*Hint*\n${escapeSlack(message.hint)}`) });
  if (message.labels.length > 0) {
    const elements = message.labels.slice(0, CONTEXT_ELEMENTS_MAX).map(({ label, value }) => mrkdwn(`*${escapeSlack(label)}:* ${escapeSlack(value)}`));
    blocks.push({ type: 'context', elements });
  }
  blocks.push({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: message.consoleLabel }, url: message.consoleUrl }],
  });
  return jsonRequest(target.url, { text: formatTitle(message, escapeSlack), blocks });
};
