import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { countUtf8Bytes } from '../../lib/notify/fit.js';
import type { RenderedRequest } from '../../lib/notify/rendered-request.js';
import { renderNotification } from '../../lib/notify/render-notification.js';
import { parseNotifyUrls } from '../../lib/notify/targets.js';
import { CHANNEL_TYPES, type ChannelTarget, type ChannelType } from '../../lib/notify/targets.js';
import { OPERATIONS } from '../../lib/watch/request.js';
import { EVENT_KINDS, notificationEventSchema, type OutcomeData, UNAVAILABLE_REASONS } from '../../lib/watch/events.js';
import { FIXED_EVENTS, NOTIFY_NOW_MS, TEST_WEBHOOK_SECRET, watchEventFactory } from '../support/notify-fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOLDEN_DIR = join(ROOT, 'test', 'golden');
/** `UPDATE_GOLDEN=1 npm run jest -- test/unit/notify-render.test.ts` rewrites the golden files. */
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

const DINGTALK_SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
const FEISHU_SECRET = 'feishu-test-secret';
const TARGETS: Record<ChannelType, ChannelTarget> = Object.fromEntries(
  parseNotifyUrls(
    [
      'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
      'https://example.com/hooks/apig-watch',
      `https://open.feishu.cn/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000#secret=${FEISHU_SECRET}`,
      `https://oapi.dingtalk.com/robot/send?access_token=0000000000000000#secret=${DINGTALK_SECRET}`,
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000',
      'https://prod-00.westeurope.logic.azure.com:443/workflows/0000/triggers/manual/paths/invoke?api-version=2016-06-01&sig=XXXX',
      'https://discord.com/api/webhooks/000000000000000000/XXXXXXXX',
    ].join(','),
  ).map((target) => [target.type, target]),
) as Record<ChannelType, ChannelTarget>;

const render = (type: ChannelType, data: Partial<OutcomeData> = {}, outcome: OutcomeData['outcome'] = 'failed'): RenderedRequest =>
  renderNotification(watchEventFactory(outcome, data), TARGETS[type], NOTIFY_NOW_MS, { webhookSecret: TEST_WEBHOOK_SECRET });
/** The parsed body, loosely typed: the tests probe each channel's own shape. */
// biome-ignore lint/suspicious/noExplicitAny: each channel's body has its own shape; the tests read into it freely.
const bodyOf = (request: RenderedRequest): any => JSON.parse(request.body);

interface SlackBlock {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
}

/** An event that pushes every limit: long name, ten long labels, a huge error full of markup and CJK. */
const OVERSIZED: Partial<OutcomeData> = {
  instance_name: '<!channel> @everyone *网关*'.repeat(10),
  error_msg: '<@all> *创建失败* & `x` '.repeat(5000),
  context: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`label-${i}-${'键'.repeat(40)}`, `<b>${'值'.repeat(190)}`])),
};
const HOSTILE_NAME = '<!channel> @everyone @here <@all> *bold* [x](https://evil.example)';

describe('golden files', () => {
  const cases = CHANNEL_TYPES.flatMap((type) => FIXED_EVENTS.map((event) => [type, event.data.outcome, event] as const));

  it.each(cases)('%s renders %s as its golden file says', (type, outcome, event) => {
    // Prepare
    const file = join(GOLDEN_DIR, type, `${outcome}.json`);

    // Act
    const request = renderNotification(event, TARGETS[type], NOTIFY_NOW_MS, { webhookSecret: TEST_WEBHOOK_SECRET });
    const readable = `${JSON.stringify({ url: request.url, headers: request.headers, body: JSON.parse(request.body) }, null, 2)}\n`;

    // Assess
    if (UPDATE_GOLDEN) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, readable);
    }
    expect(readable).toBe(readFileSync(file, 'utf8'));
  });

  it('covers every channel, every outcome and the started notice', () => {
    expect(cases).toHaveLength(CHANNEL_TYPES.length * EVENT_KINDS.length);
  });
});

describe('echoed text on every channel', () => {
  /** Bidi overrides and isolates, marks, zero-width characters, BOM, C0 (but the line feeds channels use), DEL and C1. */
  const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u061C\u2060\uFEFF\u0000-\u0009\u000B-\u001F\u007F-\u009F]/;
  const DIRTY: Partial<OutcomeData> = {
    instance_name: 'orders\u202E-gw\u200B-prod\u2066',
    status: 'fail\u200Ded',
    error_code: 'APIC.92\u200F18',
    error_msg: 'quota\u202D exceeded\u0000\u0085ask\u001B[31m for more\u009B',
    context: { 'tick\u2060et': 'OPS\u202E-1234', env: 'prod\uFEFF\u0007' },
  };
  /** Every string value of a parsed body, however deep. */
  const stringsOf = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.values(value).flatMap(stringsOf) : [];

  it.each(CHANNEL_TYPES)('%s renders an event full of invisible characters with none of them', (type) => {
    // Act
    const request = render(type, DIRTY);

    // Assess
    const strings = stringsOf(bodyOf(request));
    expect(strings.filter((text) => INVISIBLE.test(text))).toEqual([]);
    expect(strings.join('\n')).toContain('orders-gw-prod');
    expect(strings.join('\n')).toContain('OPS-1234');
  });
});

describe('renderSlackRequest', () => {
  it('sends a fallback text and Block Kit blocks within Slack limits', () => {
    // Act
    const body = bodyOf(render('slack', OVERSIZED)) as { text: unknown; blocks: SlackBlock[] };

    // Assess
    expect(typeof body.text).toBe('string');
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    expect(body.blocks[0]?.type).toBe('header');
    expect(body.blocks[0]?.text?.text.length).toBeLessThanOrEqual(150);
    const sectionTexts = body.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
    const fieldLists = body.blocks.flatMap((block) => (block.fields ? [block.fields] : []));
    expect(sectionTexts.length).toBeGreaterThan(0);
    expect(sectionTexts.filter((text) => text.length > 3000)).toEqual([]);
    expect(fieldLists.length).toBeGreaterThan(0);
    expect(fieldLists.filter((fields) => fields.length > 10)).toEqual([]);
    expect(fieldLists.flat().filter((field) => field.text.length > 2000)).toEqual([]);
    expect(JSON.stringify(body.blocks)).toContain('…');
  });

  it('escapes echoed text so <!channel> pings nobody', () => {
    // Act
    const body = bodyOf(render('slack', { instance_name: HOSTILE_NAME, context: { who: '<@U123> & co' } }));

    // Assess
    const mrkdwn = [body.text, ...JSON.stringify(body.blocks).matchAll(/"type":"mrkdwn","text":"((?:[^"\\]|\\.)*)"/g)].map(String);
    expect(mrkdwn.join('\n')).not.toMatch(/<!|<@/);
    expect(body.text).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(body.blocks)).toContain('&lt;@U123&gt; &amp; co');
    expect(body.blocks[0].text.type).toBe('plain_text');
  });
});

describe('renderDiscordRequest', () => {
  it('keeps content, embeds and embed parts within Discord limits', () => {
    // Act
    const body = bodyOf(render('discord', OVERSIZED));

    // Assess
    const [embed] = body.embeds;
    const total =
      embed.title.length +
      embed.description.length +
      (embed.footer?.text.length ?? 0) +
      embed.fields.reduce((sum: number, field: { name: string; value: string }) => sum + field.name.length + field.value.length, 0);
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(body.embeds.length).toBeLessThanOrEqual(10);
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    expect(embed.footer.text.length).toBeLessThanOrEqual(2048);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embed.description).toContain('…');
  });

  it('neutralises @everyone, @here, mentions and markdown, and allows no mention at all', () => {
    // Act
    const body = bodyOf(render('discord', { instance_name: HOSTILE_NAME, context: { who: '@everyone' } }));

    // Assess
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(JSON.stringify(body)).not.toMatch(/@everyone|@here|<@all>/);
    expect(body.content).toContain('\\*bold\\* \\[x\\](https://evil.example)');
  });
});

describe('renderWeComRequest', () => {
  it('keeps the markdown content within 4096 bytes, cutting the error message', () => {
    // Act
    const { markdown } = bodyOf(render('wecom', OVERSIZED));

    // Assess
    expect(countUtf8Bytes(markdown.content)).toBeLessThanOrEqual(4096);
    expect(markdown.content).toContain('> **Error message**: ＜@all＞ \\*创建失败\\*');
    expect(markdown.content).toContain('…');
    expect(markdown.content).toContain('[Open in Huawei Cloud console](https://console.huaweicloud.com/apig/?region=ap-southeast-1)');
  });

  it('turns echoed tags into text, so <@all> mentions nobody', () => {
    // Act
    const { markdown } = bodyOf(render('wecom', { instance_name: HOSTILE_NAME }));

    // Assess
    expect(markdown.content).not.toMatch(/<@|<!|\[x\]\(/);
    expect(markdown.content).toContain('＜!channel＞ @everyone @here ＜@all＞ \\*bold\\* \\[x\\](https://evil.example)');
  });
});

describe('renderDingTalkRequest', () => {
  it('signs the URL with timestamp and sign, never sending the secret', () => {
    // Act
    const request = render('dingtalk');

    // Assess
    const url = new URL(request.url);
    const expected = createHmac('sha256', DINGTALK_SECRET).update(`${NOTIFY_NOW_MS}\n${DINGTALK_SECRET}`).digest('base64');
    expect(url.searchParams.get('access_token')).toBe('0000000000000000');
    expect(url.searchParams.get('timestamp')).toBe(String(NOTIFY_NOW_MS));
    expect(url.searchParams.get('sign')).toBe(expected);
    expect(request.url).toContain(`sign=${encodeURIComponent(expected)}`);
    expect(JSON.stringify(request)).not.toContain(DINGTALK_SECRET);
  });

  it('leaves an unsigned target URL untouched', () => {
    // Act
    const request = renderNotification(watchEventFactory(), { ...TARGETS.dingtalk, secret: undefined } as ChannelTarget, NOTIFY_NOW_MS);

    // Assess
    expect(request.url).toBe(TARGETS.dingtalk.url);
  });

  it('sends escaped markdown within its size cap and mentions nobody', () => {
    // Act
    const body = bodyOf(render('dingtalk', { ...OVERSIZED, instance_name: HOSTILE_NAME }));

    // Assess
    expect(body.msgtype).toBe('markdown');
    expect(body).not.toHaveProperty('at');
    expect(countUtf8Bytes(body.markdown.text)).toBeLessThanOrEqual(5000);
    expect(body.markdown.text).toContain('＜!channel＞ @everyone @here ＜@all＞ \\*bold\\*');
    expect(body.markdown.text).toContain('<font color=#E01E5A>❌ Gateway creation failed</font>');
  });
});

describe('renderFeishuRequest', () => {
  it('signs the body with timestamp (s) and sign, never sending the secret', () => {
    // Act
    const request = render('feishu');

    // Assess
    const body = bodyOf(request);
    const timestamp = String(Math.floor(NOTIFY_NOW_MS / 1000));
    expect(body.timestamp).toBe(timestamp);
    expect(body.sign).toBe(createHmac('sha256', `${timestamp}\n${FEISHU_SECRET}`).update('').digest('base64'));
    expect(JSON.stringify(request)).not.toContain(FEISHU_SECRET);
  });

  it('keeps the body within 20 KB and shows echoed text only as plain_text', () => {
    // Act
    const request = render('feishu', { ...OVERSIZED, instance_name: HOSTILE_NAME });

    // Assess
    expect(countUtf8Bytes(request.body)).toBeLessThanOrEqual(20_000);
    expect(request.body).not.toContain('lark_md');
    expect(bodyOf(request).card.header).toEqual({ template: 'red', title: { tag: 'plain_text', content: `❌ Gateway creation failed: ${HOSTILE_NAME}` } });
    expect(request.body).toContain('…');
  });
});

describe('renderTeamsRequest', () => {
  it('wraps an Adaptive Card 1.4 in the Workflows message envelope within 28 KB', () => {
    // Act
    const request = render('teams', OVERSIZED);

    // Assess
    const body = bodyOf(request);
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(body.attachments[0].content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(countUtf8Bytes(request.body)).toBeLessThanOrEqual(28_000);
    expect(request.body).toContain('…');
  });

  it('escapes markdown in echoed text', () => {
    // Act
    const body = bodyOf(render('teams', { instance_name: HOSTILE_NAME }));

    // Assess
    expect(body.attachments[0].content.body[0].text).toBe(
      '❌ Gateway creation failed: \\<!channel\\> @everyone @here \\<@all\\> \\*bold\\* \\[x\\](https://evil.example)',
    );
  });
});

describe('renderWebhookRequest', () => {
  it('sends the event JSON exactly', () => {
    // Prepare
    const event = watchEventFactory('timed_out');

    // Act
    const request = renderNotification(event, TARGETS.webhook, NOTIFY_NOW_MS);

    // Assess
    expect(request.body).toBe(JSON.stringify(event));
    expect(request.headers).not.toHaveProperty('webhook-signature');
  });

  it('signs with Standard Webhooks headers that the official verifier accepts', () => {
    // Prepare
    const event = watchEventFactory('succeeded');

    // Act
    const request = renderNotification(event, TARGETS.webhook, Date.now(), { webhookSecret: TEST_WEBHOOK_SECRET });

    // Assess
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(new Webhook(TEST_WEBHOOK_SECRET).verify(request.body, request.headers)).toEqual(event);
    expect(() => new Webhook(TEST_WEBHOOK_SECRET).verify(`${request.body} `, request.headers)).toThrow();
  });

  it('during a rotation, signs with both secrets: a receiver with either accepts, one with neither rejects', () => {
    // Prepare
    const event = watchEventFactory('succeeded');
    const [current, previous, other] = ['current', 'previous', 'other'].map((name) => `whsec_${Buffer.from(`rotation ${name} key`).toString('base64')}`);

    // Act
    const request = renderNotification(event, TARGETS.webhook, Date.now(), { webhookSecret: current, webhookSecretPrevious: previous });

    // Assess
    expect(request.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(new Webhook(current!).verify(request.body, request.headers)).toEqual(event);
    expect(new Webhook(previous!).verify(request.body, request.headers)).toEqual(event);
    expect(() => new Webhook(other!).verify(request.body, request.headers)).toThrow();
  });

  it('signs once when the previous secret is the current one (a rotation that has not changed the key yet)', () => {
    const request = renderNotification(watchEventFactory('failed'), TARGETS.webhook, Date.now(), {
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookSecretPrevious: TEST_WEBHOOK_SECRET,
    });

    expect(request.headers['webhook-signature']).toMatch(/^v1,\S+$/);
  });

  it("signs with the stack's generated secret (64 letters and digits, no whsec_) so that whsec_ followed by it verifies", () => {
    // Prepare: the form of serverless.yml's WebhookSigningSecret (GenerateSecretString, 64, no punctuation)
    const generated = 'Q7ZpX2kLm9RtV4bN8cW1yH6jF3sD5gA0eUoI7qPzXvBnMkLjHgFdSaQwErTyUiOp';
    const event = watchEventFactory('succeeded');

    // Act
    const request = renderNotification(event, TARGETS.webhook, Date.now(), { webhookSecret: generated });

    // Assess
    expect(new Webhook(`whsec_${generated}`).verify(request.body, request.headers)).toEqual(event);
  });
});

describe('the published JSON Schema', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'webhook-event.schema.json'), 'utf8'));

  it('requires exactly the fields the webhook event has', () => {
    // Prepare
    const event = watchEventFactory('failed');

    // Assess
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect([...schema.required].sort()).toEqual(Object.keys(event).sort());
    expect([...schema.$defs.data.required].sort()).toEqual(Object.keys(event.data).sort());
    expect(Object.keys(schema.$defs.data.properties).sort()).toEqual(Object.keys(event.data).sort());
    expect(schema.$defs.data.additionalProperties).toBe(false);
  });

  it('describes exactly the fields of the single definition of the event (lib/watch/events.ts)', () => {
    expect([...schema.required].sort()).toEqual(Object.keys(notificationEventSchema.shape).sort());
    expect([...schema.$defs.data.required].sort()).toEqual(Object.keys(notificationEventSchema.shape.data.shape).sort());
    expect(schema.$defs.data.properties.unavailable_reason.enum).toEqual([...UNAVAILABLE_REASONS, null]);
  });

  it('enumerates every outcome, the started notice and their event types', () => {
    expect(schema.$defs.data.properties.outcome.enum).toEqual([...EVENT_KINDS]);
    expect(schema.properties.type.enum).toEqual(OPERATIONS.flatMap((operation) => EVENT_KINDS.map((kind) => `apig.gateway.${operation}.${kind}`)));
    expect(schema.$defs.data.properties.operation.enum).toEqual([...OPERATIONS]);
  });
});
