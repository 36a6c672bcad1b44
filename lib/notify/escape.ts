/*
 * Escapers for what a notification echoes from the watch request (gateway name, context labels,
 * Huawei's error message). Values are already on one line (see `composeMessage`), so line-start
 * markup (headings, quotes, lists) cannot be triggered; only inline markup needs neutralising.
 */

/**
 * Slack `mrkdwn` and `text`: the three characters Slack requires escaping, so `<!channel>`,
 * `<@U123>` and `<https://…|links>` arrive as plain text and ping nobody.
 *
 * @example
 * escapeSlack('<!channel> & co'); // → '&lt;!channel&gt; &amp; co'
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * CommonMark inline markup (emphasis, code, strike-through, links, images, tags), backslash-escaped.
 * Used for Teams Adaptive Card text.
 *
 * @example
 * escapeMarkdown('*bold* [x](y)'); // → '\\*bold\\* \\[x\\](y)'
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_~[\]<>]/g, '\\$&');
}

/**
 * DingTalk and WeCom markdown: inline markup backslash-escaped, and `<`/`>` replaced by full-width
 * look-alikes, because both treat `<…>` as tags (`<font>`, WeCom's `<@userid>` mention) and document
 * no way to escape them.
 *
 * @example
 * escapeChatMarkdown('<@all> **x**'); // → '＜@all＞ \\*\\*x\\*\\*'
 */
export function escapeChatMarkdown(text: string): string {
  return text
    .replace(/[\\`*_~[\]]/g, '\\$&')
    .replace(/</g, '＜')
    .replace(/>/g, '＞');
}

/**
 * Discord markdown: inline markup backslash-escaped and every `@` followed by a zero-width space,
 * so `@everyone`, `@here` and `<@id>` read as text. (The Discord payload also sets
 * `allowed_mentions: { parse: [] }`, which stops pings even if something slips through.)
 *
 * @example
 * escapeDiscord('@everyone'); // → '@\u200beveryone'
 */
export function escapeDiscord(text: string): string {
  return escapeMarkdown(text).replace(/@/g, '@\u200b');
}
