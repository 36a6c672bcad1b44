import { escapeDiscord } from './escape.js';
import { fitInto } from './fit.js';
import { composeMessage, formatTitle } from './compose-message.js';
import { type Renderer, jsonRequest } from './rendered-request.js';

/** Discord webhook and embed limits. */
const CONTENT_MAX_CHARS = 2000;
const EMBED_TITLE_MAX_CHARS = 256;
const EMBED_DESCRIPTION_MAX_CHARS = 4096;
const EMBED_FIELD_VALUE_MAX_CHARS = 1024;
const EMBED_FOOTER_MAX_CHARS = 2048;
/** Sum of title, description, field names and values, and footer. */
const EMBED_TOTAL_MAX_CHARS = 6000;

/**
 * Discord webhook: a one-line `content` and one embed (title linking to the console, outcome
 * colour, detail and error in the description, facts as inline fields, context labels in the
 * footer). Echoed text is markdown-escaped with `@` defused, and `allowed_mentions.parse: []`
 * guarantees no ping.
 *
 * @example
 * JSON.parse(renderDiscordRequest(event, target, Date.now()).body).embeds[0].color; // → 0x2eb67d
 */
export const renderDiscordRequest: Renderer = (event, target) => {
  const message = composeMessage(event);
  const title = fitInto(formatTitle(message, escapeDiscord), EMBED_TITLE_MAX_CHARS);
  const fields = message.facts.map(({ label, value }) => ({
    name: label,
    value: fitInto(escapeDiscord(value), EMBED_FIELD_VALUE_MAX_CHARS),
    inline: true,
  }));
  // Footers are plain text (no markdown to escape), but `@` is still defused.
  const labels = message.labels.map(({ label, value }) => `${label}: ${value}`).join(' · ');
  const footer = fitInto(labels.replace(/@/g, '@\u200b'), EMBED_FOOTER_MAX_CHARS);
  const fixedChars = title.length + footer.length + fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  const describe = (errorMessage: string): string =>
    [
      message.detail,
      errorMessage === '' ? '' : `**Error message:** ${escapeDiscord(errorMessage)}`,
      message.hint === null ? '' : `**Hint:** ${escapeDiscord(message.hint)}`,
    ]
      .filter((line) => line !== '')
      .join('\n');
  const description = fitInto(message.errorMessage ?? '', Math.min(EMBED_DESCRIPTION_MAX_CHARS, EMBED_TOTAL_MAX_CHARS - fixedChars), describe);
  const embed = {
    title,
    url: message.consoleUrl,
    color: Number.parseInt(message.colour.slice(1), 16),
    description,
    fields,
    ...(footer === '' ? {} : { footer: { text: footer } }),
    timestamp: event.timestamp,
  };
  return jsonRequest(target.url, {
    content: fitInto(formatTitle(message, escapeDiscord), CONTENT_MAX_CHARS),
    embeds: [embed],
    allowed_mentions: { parse: [] },
  });
};
