import { createHmac } from 'node:crypto';
import { renderChatMarkdown } from './chat-markdown.js';
import { fitInto } from './fit.js';
import { composeMessage, formatTitle } from './compose-message.js';
import { type Renderer, jsonRequest } from './rendered-request.js';

/**
 * DingTalk does not document a precise size limit for robot markdown; staying well below the
 * sizes it is known to accept keeps messages readable on phones too.
 */
const DINGTALK_TEXT_MAX_BYTES = 5000;
/** `markdown.title` is only the preview line of the conversation list. */
const DINGTALK_TITLE_MAX_CHARS = 100;

/**
 * DingTalk custom robot: `{"msgtype":"markdown","markdown":{"title","text"}}`. With a secret
 * (`#secret=SEC…` in `NOTIFY_URLS`), the URL gets `timestamp` (ms) and
 * `sign` = base64(HMAC-SHA256(key = secret, `timestamp + "\n" + secret`)); the secret itself is
 * never sent. No `at` field is sent, so nobody is mentioned.
 *
 * @example
 * renderDingTalkRequest(event, { ...target, secret: 'SECabc' }, Date.now()).url;
 * // → 'https://oapi.dingtalk.com/robot/send?access_token=…&timestamp=1764324942123&sign=…'
 */
export const renderDingTalkRequest: Renderer = (event, target, nowMs) => {
  const message = composeMessage(event);
  const text = renderChatMarkdown(message, {
    colour: (headline) => `<font color=${message.colour}>${headline}</font>`,
    lineBreak: '\n\n',
    maxBytes: DINGTALK_TEXT_MAX_BYTES,
  });
  const title = fitInto(formatTitle(message), DINGTALK_TITLE_MAX_CHARS);
  return jsonRequest(signedUrl(target.url, target.secret, nowMs), { msgtype: 'markdown', markdown: { title, text } });
};

function signedUrl(url: string, secret: string | undefined, nowMs: number): string {
  if (secret === undefined) return url;
  const timestamp = String(Math.floor(nowMs));
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const signed = new URL(url);
  signed.searchParams.set('timestamp', timestamp);
  signed.searchParams.set('sign', sign);
  return signed.href;
}
