import { renderChatMarkdown } from './chat-markdown.js';
import { composeMessage, type Tone } from './compose-message.js';
import { type Renderer, jsonRequest } from './rendered-request.js';

/** WeCom rejects markdown content above 4096 bytes (UTF-8). */
const WECOM_CONTENT_MAX_BYTES = 4096;
/** WeCom markdown knows three font colours: green, grey and orange-red. */
const WECOM_COLOURS: Readonly<Record<Tone, string>> = { good: 'info', warning: 'comment', attention: 'warning', neutral: 'comment' };

/**
 * WeCom group robot: `{"msgtype":"markdown","markdown":{"content"}}`, content ≤ 4096 bytes with
 * the error message shortened first. Echoed `<…>` cannot form WeCom's `<@userid>` mention.
 *
 * @example
 * JSON.parse(renderWeComRequest(event, target, Date.now()).body).markdown.content;
 * // → '### <font color="info">✅ Gateway created</font>: orders-gw-prod\n…'
 */
export const renderWeComRequest: Renderer = (event, target) => {
  const message = composeMessage(event);
  const content = renderChatMarkdown(message, {
    colour: (headline) => `<font color="${WECOM_COLOURS[message.tone]}">${headline}</font>`,
    lineBreak: '\n',
    maxBytes: WECOM_CONTENT_MAX_BYTES,
  });
  return jsonRequest(target.url, { msgtype: 'markdown', markdown: { content } });
};
