import * as z from 'zod/mini';

/** The Block Kit subset apig-watch's Slack renderer produces; anything else is skipped. */
const TextObject = z.object({ text: z.string() });
const Block = z.object({
  type: z.string(),
  text: z.optional(TextObject),
  fields: z.optional(z.array(TextObject)),
  elements: z.optional(z.array(z.object({ text: z.optional(z.union([z.string(), TextObject])), url: z.optional(z.string()) }))),
});
const SlackMessage = z.object({ text: z.optional(z.string()), blocks: z.optional(z.array(Block)) });

/**
 * A Slack message (`text` + Block Kit `blocks`) as the lines a reader would see in Slack: the
 * header, each section, fields as `Label: value`, context joined by ` · `, buttons with their URL.
 * Slack's `&amp;`, `&lt;`, `&gt;` escapes are undone and `*bold*` markers dropped.
 *
 * @example
 * slackMessageText(JSON.parse(request.rawBody))
 * // ['✅ Gateway created: orders-gw-prod', 'The dedicated gateway was created…', 'Gateway: orders-gw-prod · Instance ID: fedc…', …]
 */
export function slackMessageText(body: unknown): string[] {
  const parsed = SlackMessage.safeParse(body);
  if (!parsed.success) return ['(not a Slack message)'];
  const { text, blocks = [] } = parsed.data;
  if (blocks.length === 0) return [plain(text ?? '')];
  return blocks.flatMap((block): string[] => {
    switch (block.type) {
      case 'header':
        return block.text ? [plain(block.text.text)] : [];
      case 'section':
        return [
          ...(block.text ? plain(block.text.text).split('\n') : []),
          ...pairs((block.fields ?? []).map((field) => plain(field.text).replace('\n', ': '))),
        ];
      case 'context':
        return [(block.elements ?? []).map((element) => plain(typeof element.text === 'string' ? element.text : (element.text?.text ?? ''))).join(' · ')];
      case 'actions':
        return (block.elements ?? []).map((element) =>
          `[${plain(typeof element.text === 'string' ? element.text : (element.text?.text ?? ''))}] ${element.url ?? ''}`.trim(),
        );
      default:
        return [];
    }
  });
}

/** Fields two to a line, as Slack lays them out. */
function pairs(fields: string[]): string[] {
  const lines: string[] = [];
  for (let index = 0; index < fields.length; index += 2) lines.push(fields.slice(index, index + 2).join(' · '));
  return lines;
}

function plain(mrkdwn: string): string {
  return mrkdwn
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
