import { NotifyConfigError } from '../../lib/notify/errors.js';
import { parseNotifyUrls } from '../../lib/notify/targets.js';

const SLACK = 'https://hooks.slack.com/services/T000/B000/XXXXXXXX';
const DINGTALK = 'https://oapi.dingtalk.com/robot/send?access_token=0123abcd';

describe('parseNotifyUrls', () => {
  it.each([
    [SLACK, 'slack'],
    ['https://open.feishu.cn/open-apis/bot/v2/hook/1234', 'feishu'],
    ['https://open.larksuite.com/open-apis/bot/v2/hook/1234', 'feishu'],
    [DINGTALK, 'dingtalk'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd', 'wecom'],
    ['https://discord.com/api/webhooks/123/abc', 'discord'],
    ['https://discordapp.com/api/webhooks/123/abc', 'discord'],
    ['https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x', 'teams'],
    ['https://default123.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc', 'teams'],
    ['https://contoso.webhook.office.com/webhookb2/abc', 'teams'],
    ['https://example.com/hooks/apig', 'webhook'],
  ])('detects the channel of %s from its host', (url, type) => {
    // Act
    const [target] = parseNotifyUrls(url);

    // Assess
    expect(target?.type).toBe(type);
  });

  it('does not take a look-alike host for a known channel', () => {
    // Act
    const targets = parseNotifyUrls('https://hooks.slack.com.evil.example/services/x,https://discord.com/not-a-webhook');

    // Assess
    expect(targets.map((target) => target.type)).toEqual(['webhook', 'webhook']);
  });

  it('lets a TYPE+ prefix force the channel, also for http loopback URLs', () => {
    // Act
    const targets = parseNotifyUrls('slack+http://127.0.0.1:8080/slack, webhook+https://hooks.slack.com/services/T/B/x');

    // Assess
    expect(targets.map(({ type, url }) => ({ type, url }))).toEqual([
      { type: 'slack', url: 'http://127.0.0.1:8080/slack' },
      { type: 'webhook', url: 'https://hooks.slack.com/services/T/B/x' },
    ]);
  });

  it('takes a DingTalk or Feishu signing secret from the fragment and removes it from the URL', () => {
    // Act
    const [dingtalk, feishu] = parseNotifyUrls(
      `${DINGTALK}#secret=SECabc%2Bdef, feishu+http://127.0.0.1:9/feishu#secret=s3cr3t`,
    );

    // Assess
    expect(dingtalk).toMatchObject({ type: 'dingtalk', url: DINGTALK, secret: 'SECabc+def' });
    expect(feishu).toMatchObject({ type: 'feishu', url: 'http://127.0.0.1:9/feishu', secret: 's3cr3t' });
    expect(JSON.stringify([dingtalk?.url, dingtalk?.display, feishu?.url, feishu?.display])).not.toMatch(/SECabc|s3cr3t/);
  });

  it('gives a target without a secret no secret property', () => {
    // Act
    const [target] = parseNotifyUrls(SLACK);

    // Assess
    expect(target).not.toHaveProperty('secret');
  });

  it('collapses duplicate URLs into one target', () => {
    // Act
    const targets = parseNotifyUrls(`${SLACK},${SLACK} , slack+${SLACK}`);

    // Assess
    expect(targets).toHaveLength(1);
  });

  it('skips blank entries such as a trailing comma, and parses an empty value as no target', () => {
    // Act
    const targets = parseNotifyUrls(`${SLACK}, ,`);

    // Assess
    expect(targets).toHaveLength(1);
    expect(parseNotifyUrls('')).toEqual([]);
  });

  it('gives each target a short stable id and a display without path or query', () => {
    // Act
    const [first] = parseNotifyUrls(DINGTALK);
    const [again] = parseNotifyUrls(` ${DINGTALK} `);
    const [other] = parseNotifyUrls(`webhook+${DINGTALK}`);

    // Assess
    expect(first?.id).toMatch(/^[0-9a-f]{12}$/);
    expect(again?.id).toBe(first?.id);
    expect(other?.id).not.toBe(first?.id);
    expect(first?.display).toBe(`dingtalk oapi.dingtalk.com #${first?.id}`);
  });

  it.each([
    ['not a url', 2, 'is not a valid URL'],
    ['ftp://files.example.com/secret-token', 2, 'uses ftp: (only http and https are allowed)'],
    ['slak+https://hooks.slack.com/services/secret-token', 2, 'has an unknown type prefix "slak+"'],
    ['https://hooks.slack.com/services/secret-token#secret=abc', 2, 'only dingtalk and feishu webhooks are signed'],
    [`${DINGTALK}#sekret=secret-token`, 2, 'has a fragment other than "#secret=…"'],
    [`${DINGTALK}#secret=`, 2, 'has an empty signing secret'],
  ])('rejects %s naming its position and the problem but not the URL', (entry, position, problem) => {
    // Act
    const act = () => parseNotifyUrls(`${SLACK},${entry}`);

    // Assess
    expect(act).toThrow(NotifyConfigError);
    expect(act).toThrow(`NOTIFY_URLS entry ${position} `);
    expect(act).toThrow(problem);
    expect(act).not.toThrow(/secret-token|access_token|hooks\.slack|files\.example/);
  });
});
