import { escapeChatMarkdown, escapeDiscord, escapeMarkdown, escapeSlack } from '../../lib/notify/escape.js';
import { countUtf8Bytes, fitInto, TRUNCATION_MARKER } from '../../lib/notify/fit.js';
import { composeMessage, consoleUrl, formatTitle } from '../../lib/notify/compose-message.js';
import { watchEventFactory } from '../support/notify-fixtures.js';

describe('consoleUrl', () => {
  it('links the APIG console of the region', () => {
    expect(consoleUrl('ap-southeast-1')).toBe('https://console.huaweicloud.com/apig/?region=ap-southeast-1');
  });

  it('links the European site for eu-west-1* regions', () => {
    expect(consoleUrl('eu-west-101')).toBe('https://console.eu.huaweicloud.com/apig/?region=eu-west-101');
    expect(consoleUrl('eu-west-0')).toBe('https://console.huaweicloud.com/apig/?region=eu-west-0');
  });
});

describe('composeMessage', () => {
  it('says what failed, with the error code, message and hint', () => {
    // Prepare
    const event = watchEventFactory('failed');

    // Act
    const message = composeMessage(event);

    // Assess
    expect(formatTitle(message)).toBe('❌ Gateway creation failed: orders-gw-prod');
    expect(message.tone).toBe('attention');
    expect(message.facts).toEqual(
      expect.arrayContaining([
        { label: 'Error code', value: 'APIC.9218' },
        { label: 'Elapsed', value: '2m 02s' },
        { label: 'Progress', value: '50%' },
        { label: 'Region', value: 'ap-southeast-1' },
      ]),
    );
    expect(message.errorMessage).toBe('create failed...');
    expect(message.hint).toMatch(/quota increase/);
    expect(message.labels).toEqual([
      { label: 'ticket', value: 'OPS-1234' },
      { label: 'env', value: 'prod' },
    ]);
    expect(message.consoleUrl).toBe('https://console.huaweicloud.com/apig/?region=ap-southeast-1');
  });

  it('says how far a failed creation got: the progress reached before it failed', () => {
    expect(composeMessage(watchEventFactory('failed', { progress: 50 })).detail).toBe(
      'Huawei Cloud reported that creating the dedicated gateway failed at 50%.',
    );
  });

  it('tells "Huawei never answered" apart from "still creating at 80%"', () => {
    const neverAnswered = composeMessage(
      watchEventFactory('unavailable', {
        status: null,
        progress: null,
        error_code: null,
        error_msg: 'Huawei never answered (3 attempts): … ECONNREFUSED',
        unavailable_reason: 'never_answered',
      }),
    );
    const stillCreating = composeMessage(watchEventFactory('timed_out', { status: 'creating', progress: 80 }));
    expect(formatTitle(neverAnswered)).toBe('⚠️ Huawei Cloud never answered: orders-gw-prod');
    expect(neverAnswered.detail).toMatch(/nothing is known about the gateway/);
    expect(neverAnswered.facts.map((fact) => fact.label)).not.toContain('Progress');
    expect(stillCreating.detail).toBe('The gateway was still being created at 80% when the watch reached its deadline; apig-watch stopped watching.');
  });

  it('says "No progress from Huawei Cloud" when Huawei answered with errors only', () => {
    const message = composeMessage(
      watchEventFactory('unavailable', {
        status: null,
        progress: null,
        error_code: null,
        error_msg: 'Huawei never reported the progress (40 attempts): … HTTP 500',
        unavailable_reason: 'no_progress',
      }),
    );
    expect(formatTitle(message)).toBe('⚠️ No progress from Huawei Cloud: orders-gw-prod');
  });

  it('gives each outcome its own tone', () => {
    expect(composeMessage(watchEventFactory('succeeded')).tone).toBe('good');
    expect(composeMessage(watchEventFactory('timed_out')).tone).toBe('warning');
    expect(composeMessage(watchEventFactory('forbidden')).detail).toMatch('apig:instance:getCreateProgress');
  });

  it("shows the event's hint and fills a missing elapsed text from the milliseconds", () => {
    // Prepare
    const event = watchEventFactory('failed', { error_code: 'APIC.9219', hint: 'Resources are sold out.', elapsed: null, elapsed_ms: 61_000 });

    // Act
    const message = composeMessage(event);

    // Assess
    expect(message.hint).toBe('Resources are sold out.');
    expect(message.facts).toContainEqual({ label: 'Elapsed', value: '1m 01s' });
  });

  it('names an unnamed gateway by its id and leaves out facts that are null', () => {
    // Prepare
    const event = watchEventFactory('not_found', { instance_name: null });

    // Act
    const message = composeMessage(event);

    // Assess
    expect(message.gateway).toBe(event.data.instance_id);
    expect(message.facts.map((fact) => fact.label)).not.toContain('Gateway');
    expect(message.facts.map((fact) => fact.label)).not.toContain('Progress');
  });

  it('puts echoed values on one line so they cannot start markup lines', () => {
    // Prepare
    const event = watchEventFactory('failed', { instance_name: 'gw\n# heading', error_msg: 'line one\r\n> quoted', context: { 'a\nb': 'c\td' } });

    // Act
    const message = composeMessage(event);

    // Assess
    expect(message.gateway).toBe('gw # heading');
    expect(message.errorMessage).toBe('line one > quoted');
    expect(message.labels).toEqual([{ label: 'a b', value: 'c d' }]);
  });

  it('caps echoed values', () => {
    // Prepare
    const event = watchEventFactory('failed', { instance_name: 'n'.repeat(500), error_msg: 'e'.repeat(50_000) });

    // Act
    const message = composeMessage(event);

    // Assess
    expect(message.gateway.length).toBeLessThanOrEqual(100);
    expect(message.gateway.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(message.errorMessage?.length).toBeLessThanOrEqual(4000);
  });
});

describe('fitInto', () => {
  it('keeps text that fits', () => {
    expect(fitInto('short', 10)).toBe('short');
  });

  it('cuts text that does not fit and marks the cut', () => {
    expect(fitInto('a very long error message', 12)).toBe('a very long…');
  });

  it('fits what is built, escaping included', () => {
    // Act
    const built = fitInto('<<<<<<<<<<', 30, (text) => `x ${escapeSlack(text)}`);

    // Assess
    expect(built.length).toBeLessThanOrEqual(30);
    expect(built).toMatch(/^x (&lt;)+…$/);
  });

  it('counts UTF-8 bytes when asked and never splits a character', () => {
    // Act
    const built = fitInto('网关创建失败'.repeat(100), 100, undefined, countUtf8Bytes);

    // Assess
    expect(countUtf8Bytes(built)).toBeLessThanOrEqual(100);
    expect(built).not.toContain('\uFFFD');
    expect(built.endsWith('…')).toBe(true);
  });
});

describe('escapers', () => {
  it('makes Slack mentions and links inert', () => {
    expect(escapeSlack('<!channel> & <https://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;https://x|y&gt;');
  });

  it('backslash-escapes inline markdown', () => {
    expect(escapeMarkdown('*b* _i_ `c` ~s~ [l](u) <t>')).toBe('\\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\[l\\](u) \\<t\\>');
  });

  it('turns tag brackets into look-alikes for DingTalk and WeCom', () => {
    expect(escapeChatMarkdown('<@all> <font color="info">x</font>')).toBe('＜@all＞ ＜font color="info"＞x＜/font＞');
  });

  it('defuses Discord mentions', () => {
    expect(escapeDiscord('@everyone @here <@123>')).toBe('@\u200beveryone @\u200bhere \\<@\u200b123\\>');
  });
});
