import { NotifyConfigError } from '../../lib/notify/errors.js';
import { describeFilters, parseNotifyUrls } from '../../lib/notify/targets.js';
import { DEFAULT_OUTCOMES, OUTCOMES } from '../../lib/watch/events.js';
import { selectTargets, unknownGroups } from '../../lib/watch/select-targets.js';
import { watchEventFactory } from '../support/notify-fixtures.js';

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
    const [dingtalk, feishu] = parseNotifyUrls(`${DINGTALK}#secret=SECabc%2Bdef, feishu+http://127.0.0.1:9/feishu#secret=s3cr3t`);

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
    [`${DINGTALK}#sekret=secret-token`, 2, 'has an unknown fragment parameter (known: secret=, on=, op=, when=, group=)'],
    [`${DINGTALK}#secret=a&secret=secret-token`, 2, 'has more than one secret='],
    ['https://hooks.slack.com/services/secret-token#on=failed,secret-token', 2, 'has an unknown event in on= (known: succeeded, failed'],
    ['https://hooks.slack.com/services/secret-token#on=', 2, 'has an empty item in on='],
    ['https://hooks.slack.com/services/secret-token#when=secret-token', 2, 'has a when= item that is not <label>:<value>'],
    ['https://hooks.slack.com/services/secret-token#when=team:', 2, 'has a when= item that is not <label>:<value>'],
    [`https://hooks.slack.com/services/secret-token#when=team:${'x'.repeat(257)}`, 2, 'has a when= label or value longer than a context allows'],
    ['https://hooks.slack.com/services/secret-token#group=Secret-Token', 2, 'has a group= name that is not 1–32 lowercase letters'],
    ['https://hooks.slack.com/services/secret-token#on=%E0%A4%A', 2, 'has a on= value that is not valid percent-encoding'],
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

  it('echoes a rejected on= event that is a plain word, so a misspelling is seen', () => {
    const act = () => parseNotifyUrls('https://hooks.slack.com/services/T0/B0/x#on=failed,timeout');

    expect(act).toThrow('NOTIFY_URLS entry 1 has an unknown event "timeout" in on= (known: succeeded, failed');
  });
});

describe('parseNotifyUrls filters', () => {
  it('reads on=, when= and group= next to a secret, and never sends the fragment', () => {
    // Act
    const [target] = parseNotifyUrls(`${DINGTALK}#secret=SECabc&on=failed,timed_out&when=team:payments&group=payments`);

    // Assess
    expect(target).toMatchObject({
      url: DINGTALK,
      secret: 'SECabc',
      on: ['failed', 'timed_out'],
      when: { team: ['payments'] },
      groups: ['payments'],
    });
    expect(target?.url).not.toContain('#');
  });

  it('keeps commas inside a fragment in that entry: only a piece starting with a URL starts a new entry', () => {
    // Act
    const targets = parseNotifyUrls(`${SLACK}#on=failed,timed_out&when=env:prod,env:staging,team:payments, webhook+https://ops.example.com/all`);

    // Assess
    expect(targets).toHaveLength(2);
    expect(targets[0]).toMatchObject({ on: ['failed', 'timed_out'], when: { env: ['prod', 'staging'], team: ['payments'] } });
    expect(targets[1]).toMatchObject({ type: 'webhook', url: 'https://ops.example.com/all' });
    expect(targets[1]).not.toHaveProperty('on');
  });

  it('adds up repeated parameters and decodes percent-encoded values after splitting', () => {
    // Act
    const [target] = parseNotifyUrls(`${SLACK}#on=started&on=failed&when=ticket:OPS%2C1&when=team:a%3Ab&group=a&group=b`);

    // Assess
    expect(target).toMatchObject({ on: ['failed', 'started'], when: { ticket: ['OPS,1'], team: ['a:b'] }, groups: ['a', 'b'] });
  });

  it('collapses a repeated entry with the same filters, but refuses the same webhook with other filters', () => {
    // Act
    const same = parseNotifyUrls(`${SLACK}#on=failed,${SLACK}#on=failed`);
    const act = () => parseNotifyUrls(`${SLACK}#on=failed,${SLACK}#group=payments`);

    // Assess
    expect(same).toHaveLength(1);
    expect(act).toThrow('NOTIFY_URLS entry 2 repeats the webhook of entry 1 with other filters');
    expect(act).not.toThrow(/hooks\.slack/);
  });

  it('describes filters in their own syntax, and a plain target as hearing everything', () => {
    // Act
    const [plain, filtered] = parseNotifyUrls(`${SLACK},${DINGTALK}#on=failed&when=team:payments&group=payments`);

    // Assess
    expect(describeFilters(plain!)).toBe('every outcome, every watch');
    expect(describeFilters(filtered!)).toBe('on=failed · when=team:payments · group=payments');
  });
});

describe('selectTargets', () => {
  const names = (targets: { url: string }[]) => targets.map((target) => new URL(target.url).pathname.slice(1));
  const targetsOf = (...entries: string[]) => parseNotifyUrls(entries.map((entry) => `webhook+https://hooks.example.com/${entry}`).join(','));
  const request = (context: Record<string, string> = {}, notify?: string[]) => ({ context, ...(notify ? { notify } : {}) });

  it('sends every outcome of every watch to a target without filters, but not the opt-in started notice nor cancelled', () => {
    // Prepare
    const targets = targetsOf('all', 'cancels#on=cancelled');

    // Act
    const selected = DEFAULT_OUTCOMES.map((outcome) => names(selectTargets(targets, watchEventFactory(outcome), request())));
    const started = selectTargets(targets, { data: { outcome: 'started' } }, request());
    const cancelled = names(selectTargets(targets, watchEventFactory('cancelled'), request()));

    // Assess
    expect(DEFAULT_OUTCOMES).toEqual(OUTCOMES.filter((outcome) => outcome !== 'cancelled'));
    expect(selected).toEqual(DEFAULT_OUTCOMES.map(() => ['all']));
    expect(started).toEqual([]);
    expect(cancelled).toEqual(['cancels']);
  });

  it('narrows a target to operations with op=: on=failed still hears every failed operation, op=deletion only deletions', () => {
    // Prepare
    const targets = targetsOf('failures#on=failed', 'deletions#op=deletion', 'health#op=health');
    const failed = (operation: 'creation' | 'resize' | 'deletion') => watchEventFactory('failed', { operation });

    // Act
    const creation = names(selectTargets(targets, failed('creation'), request()));
    const resize = names(selectTargets(targets, failed('resize'), request()));
    const deletion = names(selectTargets(targets, failed('deletion'), request()));
    const unhealthy = names(selectTargets(targets, { data: { outcome: 'unhealthy', operation: 'health' } }, request()));

    // Assess
    expect(creation).toEqual(['failures']);
    expect(resize).toEqual(['failures']);
    expect(deletion).toEqual(['failures', 'deletions']);
    expect(unhealthy).toEqual(['health']);
  });

  it('tells a target without filters the health notices and recovered, and refuses an unknown op=', () => {
    const [all] = targetsOf('all');
    for (const outcome of ['unhealthy', 'frozen', 'recovered'] as const) {
      expect(names(selectTargets([all!], { data: { outcome, operation: 'health' } }, request()))).toEqual(['all']);
    }
    expect(() => parseNotifyUrls('https://hooks.example.com/x#op=resise')).toThrow(/unknown operation "resise" in op=/);
  });

  it('sends a target with on= only the events it lists, started included when listed', () => {
    // Prepare
    const targets = targetsOf('all', 'oncall#on=failed,timed_out', 'feed#on=started,succeeded');

    // Act
    const failed = names(selectTargets(targets, watchEventFactory('failed'), request()));
    const succeeded = names(selectTargets(targets, watchEventFactory('succeeded'), request()));
    const started = names(selectTargets(targets, { data: { outcome: 'started' } }, request()));

    // Assess
    expect(failed).toEqual(['all', 'oncall']);
    expect(succeeded).toEqual(['all', 'feed']);
    expect(started).toEqual(['feed']);
  });

  it('sends a target with when= only watches whose context has that label with one of its values', () => {
    // Prepare
    const targets = targetsOf('payments#when=team:payments', 'prod-or-staging#when=env:prod,env:staging');
    const event = watchEventFactory('failed');

    // Act
    const payments = names(selectTargets(targets, event, request({ team: 'payments', env: 'dev' })));
    const staging = names(selectTargets(targets, event, request({ team: 'orders', env: 'staging' })));
    const unlabelled = names(selectTargets(targets, event, request()));
    const caseDiffers = names(selectTargets(targets, event, request({ team: 'Payments' })));

    // Assess
    expect(payments).toEqual(['payments']);
    expect(staging).toEqual(['prod-or-staging']);
    expect(unlabelled).toEqual([]);
    expect(caseDiffers).toEqual([]);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'takes when=%s:x as a label like any other, matched only by a context that has it',
    (label) => {
      // Prepare
      const targets = targetsOf(`odd#when=${label}:x`);
      const event = watchEventFactory('failed');

      // Act
      const parsed = targets[0]?.when;
      const withLabel = names(selectTargets(targets, event, request(Object.fromEntries([[label, 'x']]))));
      const without = names(selectTargets(targets, event, request()));

      // Assess
      expect(parsed && Object.getOwnPropertyDescriptor(parsed, label)?.value).toEqual(['x']);
      expect(withLabel).toEqual(['odd']);
      expect(without).toEqual([]);
    },
  );

  it('requires every when= label of a target to match (labels AND, values of one label OR)', () => {
    // Prepare
    const targets = targetsOf('prod-payments#when=team:payments,env:prod');
    const event = watchEventFactory('failed');

    // Act
    const both = names(selectTargets(targets, event, request({ team: 'payments', env: 'prod' })));
    const one = names(selectTargets(targets, event, request({ team: 'payments', env: 'staging' })));

    // Assess
    expect(both).toEqual(['prod-payments']);
    expect(one).toEqual([]);
  });

  it('uses a grouped target only for requests that name its group, and ungrouped targets for every request', () => {
    // Prepare
    const targets = targetsOf('ops', 'payments#group=payments', 'shared#group=payments,billing');
    const event = watchEventFactory('succeeded');

    // Act
    const unnamed = names(selectTargets(targets, event, request()));
    const payments = names(selectTargets(targets, event, request({}, ['payments'])));
    const billing = names(selectTargets(targets, event, request({}, ['billing'])));
    const unknown = names(selectTargets(targets, event, request({}, ['nobody'])));

    // Assess
    expect(unnamed).toEqual(['ops']);
    expect(payments).toEqual(['ops', 'payments', 'shared']);
    expect(billing).toEqual(['ops', 'shared']);
    expect(unknown).toEqual(['ops']);
  });

  it("combines a target's filters: on=, when= and group= must all agree", () => {
    // Prepare
    const targets = targetsOf('narrow#on=failed&when=env:prod&group=payments');

    // Act
    const all = names(selectTargets(targets, watchEventFactory('failed'), request({ env: 'prod' }, ['payments'])));
    const wrongOutcome = names(selectTargets(targets, watchEventFactory('succeeded'), request({ env: 'prod' }, ['payments'])));
    const wrongContext = names(selectTargets(targets, watchEventFactory('failed'), request({ env: 'dev' }, ['payments'])));
    const noGroup = names(selectTargets(targets, watchEventFactory('failed'), request({ env: 'prod' })));

    // Assess
    expect(all).toEqual(['narrow']);
    expect([...wrongOutcome, ...wrongContext, ...noGroup]).toEqual([]);
  });

  it('names the groups a request asks for that no target has', () => {
    // Act
    const unknown = unknownGroups(targetsOf('payments#group=payments'), { notify: ['payments', 'paymnets'] });

    // Assess
    expect(unknown).toEqual(['paymnets']);
  });
});
