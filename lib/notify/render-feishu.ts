import { createHmac } from 'node:crypto';
import { countUtf8Bytes, fitInto } from './fit.js';
import { composeMessage, formatTitle, type Tone } from './compose-message.js';
import { type Renderer, JSON_HEADERS } from './rendered-request.js';

/** Feishu/Lark rejects custom-bot requests above 20 KB; stay under it with room for the signature. */
const FEISHU_BODY_MAX_BYTES = 19_500;
/** Card header templates closest to each tone. */
const FEISHU_TEMPLATES: Readonly<Record<Tone, string>> = { good: 'green', warning: 'orange', attention: 'red', neutral: 'blue' };

const plain = (content: string) => ({ tag: 'plain_text', content });

/**
 * Feishu/Lark custom bot: an interactive card (coloured header, detail, facts as short fields, the
 * error, a console button, labels as a note). Every echoed value is a `plain_text` element, which
 * Feishu never parses, so `<at id=all>` and markdown stay inert. With a secret (`#secret=…` in
 * `NOTIFY_URLS`), the body carries `timestamp` (s) and
 * `sign` = base64(HMAC-SHA256(key = `timestamp + "\n" + secret`, empty message)).
 *
 * @example
 * JSON.parse(renderFeishuRequest(event, target, Date.now()).body).card.header.template; // → 'green'
 */
export const renderFeishuRequest: Renderer = (event, target, nowMs) => {
  const message = composeMessage(event);
  const signature = target.secret === undefined ? {} : sign(target.secret, nowMs);
  const payload = (errorMessage: string): string => {
    const elements: unknown[] = [
      { tag: 'div', text: plain(message.detail) },
      { tag: 'div', fields: message.facts.map(({ label, value }) => ({ is_short: true, text: plain(`${label}\n${value}`) })) },
    ];
    if (errorMessage !== '') elements.push({ tag: 'div', text: plain(`Error message: ${errorMessage}`) });
    if (message.hint !== null) elements.push({ tag: 'div', text: plain(`Hint: ${message.hint}`) });
    elements.push({
      tag: 'action',
      actions: [{ tag: 'button', text: plain(message.consoleLabel), type: 'primary', url: message.consoleUrl }],
    });
    if (message.labels.length > 0) {
      const labels = message.labels.map(({ label, value }) => `${label}: ${value}`).join(' · ');
      elements.push({ tag: 'note', elements: [plain(labels)] });
    }
    const card = {
      config: { wide_screen_mode: true },
      header: { template: FEISHU_TEMPLATES[message.tone], title: plain(formatTitle(message)) },
      elements,
    };
    return JSON.stringify({ ...signature, msg_type: 'interactive', card });
  };
  const body = fitInto(message.errorMessage ?? '', FEISHU_BODY_MAX_BYTES, payload, countUtf8Bytes);
  return { url: target.url, headers: { ...JSON_HEADERS }, body };
};

function sign(secret: string, nowMs: number): { timestamp: string; sign: string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { timestamp, sign: createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64') };
}
