import { escapeMarkdown } from './escape.js';
import { countUtf8Bytes, fitInto } from './fit.js';
import { composeMessage, formatTitle, type Tone } from './compose-message.js';
import { type Renderer, JSON_HEADERS } from './rendered-request.js';

/** Teams drops messages above about 28 KB. */
const TEAMS_BODY_MAX_BYTES = 27_000;
/** Teams Workflows reject Adaptive Cards above version 1.4. */
const ADAPTIVE_CARD_VERSION = '1.4';
const TEAMS_COLOURS: Readonly<Record<Tone, string>> = { good: 'Good', warning: 'Warning', attention: 'Attention', neutral: 'Accent' };

const textBlock = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text, wrap: true, ...extra });

/**
 * Microsoft Teams Workflows (Power Automate) webhook: an Adaptive Card 1.4 in the `message`
 * attachment envelope — coloured title, detail, facts, the error, labels and an "open" action.
 * Echoed text is markdown-escaped (Teams renders markdown in TextBlocks and FactSets; mentions need
 * `msteams.entities`, which are never sent).
 *
 * @example
 * JSON.parse(renderTeamsRequest(event, target, Date.now()).body).attachments[0].content.version; // → '1.4'
 */
export const renderTeamsRequest: Renderer = (event, target) => {
  const message = composeMessage(event);
  const esc = escapeMarkdown;
  const payload = (errorMessage: string): string => {
    const body: unknown[] = [
      textBlock(formatTitle(message, esc), { size: 'Medium', weight: 'Bolder', color: TEAMS_COLOURS[message.tone] }),
      textBlock(message.detail),
      { type: 'FactSet', facts: message.facts.map(({ label, value }) => ({ title: label, value: esc(value) })) },
    ];
    if (errorMessage !== '') body.push(textBlock(`**Error message:** ${esc(errorMessage)}`, { color: 'Attention' }));
    if (message.hint !== null) body.push(textBlock(`**Hint:** ${esc(message.hint)}`));
    if (message.labels.length > 0) {
      const labels = message.labels.map(({ label, value }) => `${esc(label)}: ${esc(value)}`).join(' · ');
      body.push(textBlock(labels, { isSubtle: true, size: 'Small' }));
    }
    const card = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: ADAPTIVE_CARD_VERSION,
      body,
      actions: [{ type: 'Action.OpenUrl', title: message.consoleLabel, url: message.consoleUrl }],
      msteams: { width: 'Full' },
    };
    return JSON.stringify({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
    });
  };
  const body = fitInto(message.errorMessage ?? '', TEAMS_BODY_MAX_BYTES, payload, countUtf8Bytes);
  return { url: target.url, headers: { ...JSON_HEADERS }, body };
};
