import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import fetch from 'node-fetch';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import type { Target } from '../../lib/watch/ports/notifier.js';
import type { Log } from '../../lib/watch/ports/observability.js';
import { createNotifier, type NotifierOptions } from '../../lib/notify/notifier.js';
import { NotifyConfigError } from '../../lib/notify/errors.js';
import { parseNotifyUrls } from '../../lib/notify/targets.js';
import { TEST_WEBHOOK_SECRET, watchEventFactory } from '../support/notify-fixtures.js';

const GIVE_UP_AFTER_MS = 15_000;

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
});

/** A log that keeps every line, to check what is (not) logged. */
function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, extra?: Record<string, unknown>) => lines.push(`${message} ${JSON.stringify(extra ?? {})}`);
  return { lines, debug: record, info: record, warn: record, error: record };
}

/**
 * A notifier whose pauses take no real time: each moves its clock on instead (`slept` lists them).
 * Requests and their timeouts stay real.
 */
function notifier(options: Partial<NotifierOptions> = {}) {
  const log = recordingLog();
  const slept: number[] = [];
  let skewMs = 0;
  const clock = {
    now: () => Date.now() + skewMs,
    sleep: async (ms: number) => {
      slept.push(ms);
      skewMs += ms;
    },
  };
  return { log, slept, now: clock.now, notifier: createNotifier({ log, requestTimeoutMs: 2000, ...clock, ...options }) };
}

/** A target of the receiver, as `NOTIFY_URLS` would name it. */
function target(entry: string): Target {
  const [parsed] = parseNotifyUrls(entry.replace('{receiver}', receiver.url));
  if (parsed === undefined) throw new Error('no target');
  return parsed;
}

const giveUpAt = () => Date.now() + GIVE_UP_AFTER_MS;

describe('createNotifier().deliver against a real receiver', () => {
  it('delivers after 2 attempts when the receiver answers 503 then 200', async () => {
    // Prepare
    receiver.script('/hooks/flaky', [{ status: 503, body: 'busy' }]);
    const { notifier: subject } = notifier();

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/flaky'), { giveUpAtMs: giveUpAt() });

    // Assess
    expect(result).toEqual({ status: 'delivered', attempts: 2, httpStatus: 200 });
    expect(receiver.received('/hooks/flaky')).toHaveLength(2);
  });

  it('waits at least Retry-After before retrying a 429', async () => {
    // Prepare: a generic webhook, which has no minimum spacing of its own to hide the wait.
    receiver.script('/hooks/throttled-once', [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }]);
    const { notifier: subject, slept } = notifier();

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/throttled-once'), { giveUpAtMs: giveUpAt() });

    // Assess: one pause, between the two attempts.
    expect(result).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(receiver.received('/hooks/throttled-once')).toHaveLength(2);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(1000);
  });

  it('retries a request that hangs past the timeout', async () => {
    // Prepare
    receiver.script('/hooks/hang', [{ delayMs: 3000 }]);
    const { notifier: subject, log } = notifier({ requestTimeoutMs: 300 });

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/hang'), { giveUpAtMs: giveUpAt() });

    // Assess
    expect(result).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(log.lines.join('\n')).toContain('no answer within 300 ms');
  });

  it('retries a connection reset', async () => {
    // Prepare
    receiver.script('/hooks/reset', [{ reset: true }]);
    const { notifier: subject, log } = notifier();

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/reset'), { giveUpAtMs: giveUpAt() });

    // Assess
    expect(result).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(log.lines.join('\n')).toContain('network error ECONNRESET');
  });

  it('does not count an HTTP 200 with a non-zero errcode as delivered, and hands it back for the next DingTalk slot', async () => {
    // Prepare: a clock that only moves when told; DingTalk takes one post per 3 s, too long to wait in a call.
    receiver.script('/dingtalk/keyword', [{ status: 200, body: { errcode: 310000, errmsg: 'keywords not in content' } }]);
    let clockMs = Date.now();
    const { notifier: subject, log } = notifier({
      now: () => clockMs,
      sleep: async (ms) => {
        clockMs += ms;
      },
    });
    const dingtalk = target('dingtalk+{receiver}/dingtalk/keyword?access_token=t');
    const event = watchEventFactory();

    // Act
    const first = await subject.deliver(event, dingtalk, { giveUpAtMs: clockMs + GIVE_UP_AFTER_MS });
    clockMs = (first.status === 'retry_later' ? first.notBeforeMs : undefined) ?? clockMs + 3000;
    const second = await subject.deliver(event, dingtalk, { giveUpAtMs: clockMs + GIVE_UP_AFTER_MS });

    // Assess
    expect(first).toMatchObject({ status: 'retry_later', attempts: 1, reason: 'HTTP 200, code 310000: keywords not in content' });
    expect(second).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(receiver.received('/dingtalk/keyword')).toHaveLength(2);
    expect(log.lines.join('\n')).toContain('code 310000: keywords not in content');
  });

  it('hands back a rate-limit code in an HTTP 200 answer with the time to try again, then delivers', async () => {
    // Prepare
    receiver.script('/feishu/busy', [{ status: 200, body: { code: 11232, msg: 'frequency limited' } }]);
    let clockMs = Date.now();
    const { notifier: subject } = notifier({
      now: () => clockMs,
      sleep: async (ms) => {
        clockMs += ms;
      },
    });
    const feishu = target('feishu+{receiver}/feishu/busy');
    const event = watchEventFactory();

    // Act
    const askedAtMs = clockMs;
    const first = await subject.deliver(event, feishu, { giveUpAtMs: clockMs + GIVE_UP_AFTER_MS });
    const notBeforeMs = first.status === 'retry_later' ? first.notBeforeMs : undefined;
    clockMs = notBeforeMs ?? clockMs;
    const second = await subject.deliver(event, feishu, { giveUpAtMs: clockMs + GIVE_UP_AFTER_MS });

    // Assess
    expect(first).toMatchObject({ status: 'retry_later', attempts: 1 });
    expect(notBeforeMs).toBe(askedAtMs + 3000);
    expect(second).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it.each([
    ['slack+{receiver}/slack/gone', '/slack/gone', { status: 404, body: 'no_service' }],
    ['slack+{receiver}/slack/archived', '/slack/archived', { status: 410, body: 'channel_is_archived' }],
    ['wecom+{receiver}/wecom/gone', '/wecom/gone', { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } }],
  ])('does not retry a gone target (%s)', async (entry, path, answer) => {
    // Prepare
    receiver.script(path, [answer]);
    const { notifier: subject } = notifier();

    // Act
    const result = await subject.deliver(watchEventFactory(), target(entry), { giveUpAtMs: giveUpAt() });

    // Assess
    expect(result).toMatchObject({ status: 'rejected', attempts: 1, gone: true });
    expect(receiver.received(path)).toHaveLength(1);
  });

  it('signs generic webhooks so Standard Webhooks verifies them, with one webhook-id across attempts', async () => {
    // Prepare
    receiver.script('/hooks/signed', [{ status: 500 }]);
    const event = watchEventFactory('failed');
    const { notifier: subject } = notifier({ webhookSecret: TEST_WEBHOOK_SECRET });

    // Act
    const result = await subject.deliver(event, target('webhook+{receiver}/hooks/signed'), { giveUpAtMs: giveUpAt() });

    // Assess
    const requests = receiver.received('/hooks/signed');
    expect(result).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(requests.map((request) => request.headers['webhook-id'])).toEqual([event.id, event.id]);
    for (const request of requests) {
      expect(new Webhook(TEST_WEBHOOK_SECRET).verify(request.rawBody, request.headers)).toEqual(event);
    }
  });

  it('signs DingTalk in the query and Feishu in the body without ever sending the secret', async () => {
    // Prepare
    const secret = 'SECdeadbeefcafe0123456789';
    const dingtalk = target(`dingtalk+{receiver}/dingtalk/signed?access_token=tok#secret=${secret}`);
    const feishu = target(`feishu+{receiver}/feishu/signed#secret=${secret}`);
    const { notifier: subject } = notifier();

    // Act
    const results = [
      await subject.deliver(watchEventFactory(), dingtalk, { giveUpAtMs: giveUpAt() }),
      await subject.deliver(watchEventFactory(), feishu, { giveUpAtMs: giveUpAt() }),
    ];

    // Assess
    const [dingtalkRequest] = receiver.received('/dingtalk/signed');
    const [feishuRequest] = receiver.received('/feishu/signed');
    const { timestamp, sign } = dingtalkRequest!.query;
    const feishuBody = feishuRequest!.body as { timestamp: string; sign: string };
    expect(results.map((result) => result.status)).toEqual(['delivered', 'delivered']);
    expect(sign).toBe(createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64'));
    expect(feishuBody.sign).toBe(createHmac('sha256', `${feishuBody.timestamp}\n${secret}`).update('').digest('base64'));
    for (const request of [dingtalkRequest!, feishuRequest!]) {
      expect(JSON.stringify([request.path, request.query, request.headers, request.rawBody])).not.toContain(secret);
    }
  });

  it('signs each attempt again with a fresh timestamp', async () => {
    // Prepare: every backoff sleep moves the notifier's clock a minute on at once.
    receiver.script('/feishu/resigned', [{ status: 502 }]);
    let skewMs = 0;
    const clock = {
      now: () => Date.now() + skewMs,
      sleep: async (ms: number) => {
        skewMs += Math.max(ms, 60_000);
      },
    };
    const { notifier: subject } = notifier(clock);

    // Act
    const result = await subject.deliver(watchEventFactory(), target('feishu+{receiver}/feishu/resigned#secret=s'), { giveUpAtMs: clock.now() + 600_000 });

    // Assess
    const [first, second] = receiver.received('/feishu/resigned').map((request) => Number((request.body as { timestamp: string }).timestamp));
    expect(result).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(second! - first!).toBeGreaterThanOrEqual(60);
  });

  it('gives up before giveUpAtMs and reports retry_later with the reason', async () => {
    // Prepare
    // Prepare: a clock that only moves when the notifier pauses, so the check cannot race a slow machine.
    receiver.script(
      '/hooks/down',
      Array.from({ length: 10 }, () => ({ status: 503, body: 'down for maintenance' })),
    );
    let clockMs = Date.now();
    const { notifier: subject } = notifier({
      maxAttempts: 10,
      now: () => clockMs,
      sleep: async (ms) => {
        clockMs += ms;
      },
    });
    const giveUpAtMs = clockMs + 1200;

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/down'), { giveUpAtMs });

    // Assess
    expect(result).toMatchObject({ status: 'retry_later', reason: 'HTTP 503, down for maintenance' });
    expect(receiver.received('/hooks/down').length).toBeGreaterThan(1);
    expect(clockMs).toBeLessThan(giveUpAtMs);
  });

  it('reports retry_later after the last attempt, with the time Retry-After allows for the caller', async () => {
    // Prepare
    receiver.script('/hooks/throttled', [
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 429, headers: { 'retry-after': '7' } },
    ]);
    const { notifier: subject, now } = notifier({ maxAttempts: 2 });

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/throttled'), { giveUpAtMs: giveUpAt() });
    const returnedAtMs = now();

    // Assess
    expect(result).toMatchObject({ status: 'retry_later', attempts: 2, reason: 'HTTP 429' });
    expect(result.status === 'retry_later' && result.notBeforeMs).toBeGreaterThanOrEqual(returnedAtMs + 6000);
  });

  it('does not sleep for a Retry-After longer than a second: it returns at once with the time to try again', async () => {
    // Prepare: a sleep that would be seen; the notifier may still pause for the short backoff, never for 30 s.
    receiver.script('/hooks/slow-down', [{ status: 429, headers: { 'retry-after': '30' } }]);
    const slept: number[] = [];
    const { notifier: subject } = notifier({ sleep: async (ms) => void slept.push(ms) });

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/slow-down'), { giveUpAtMs: giveUpAt() });

    // Assess
    expect(result).toMatchObject({ status: 'retry_later', attempts: 1, reason: 'HTTP 429' });
    expect(result.status === 'retry_later' && result.notBeforeMs).toBeGreaterThanOrEqual(Date.now() + 28_000);
    expect(slept).toEqual([]);
    expect(receiver.received('/hooks/slow-down')).toHaveLength(1);
  });

  it('reads at most 64 KiB of a receiver’s answer: a receiver streaming a huge body stops being read, the post counts by its status', async () => {
    // Prepare: a loopback receiver that answers 200 (or 400) and streams up to 64 MiB, counting what it could write.
    const STREAM_BYTES = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const written: number[] = [];
    const streaming = createServer((request, response) => {
      request.resume();
      let sent = 0;
      response.writeHead(request.url?.includes('refused') ? 400 : 200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (sent < STREAM_BYTES && !response.destroyed) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.on('close', () => written.push(sent));
      pump();
    });
    await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}`;
    const { notifier: subject } = notifier({ maxAttempts: 1 });

    // Act
    const results = [
      await subject.deliver(watchEventFactory(), target(`webhook+${url}/hooks/huge`), { giveUpAtMs: giveUpAt() }),
      await subject.deliver(watchEventFactory(), target(`webhook+${url}/hooks/refused`), { giveUpAtMs: giveUpAt() }),
    ];
    for (let waited = 0; written.length < 2 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => streaming.close(resolve));

    // Assess
    expect(results).toMatchObject([
      { status: 'delivered', attempts: 1 },
      { status: 'rejected', reason: 'HTTP 400, (an answer larger than 64 KiB, not read)' },
    ]);
    expect(written).toHaveLength(2);
    for (const bytes of written) expect(bytes).toBeLessThan(STREAM_BYTES / 4);
  });

  it('logs failures by display name and answer, never by URL', async () => {
    // Prepare
    receiver.script('/slack/T0SECRET/B0SECRET/tokenSECRET', [{ status: 400, body: 'invalid_payload' }]);
    const slack = target('slack+{receiver}/slack/T0SECRET/B0SECRET/tokenSECRET');
    const unreachable = target('webhook+http://127.0.0.1:1/hooks/tokenSECRET');
    const { notifier: subject, log } = notifier({ maxAttempts: 1 });

    // Act
    const results = [
      await subject.deliver(watchEventFactory(), slack, { giveUpAtMs: giveUpAt() }),
      await subject.deliver(watchEventFactory(), unreachable, { giveUpAtMs: giveUpAt() }),
    ];

    // Assess
    const logged = log.lines.join('\n');
    expect(results).toMatchObject([
      { status: 'rejected', reason: 'HTTP 400, invalid_payload', gone: false },
      { status: 'retry_later', reason: 'network error ECONNREFUSED' },
    ]);
    expect(logged).toContain(slack.display);
    expect(logged).toContain('invalid_payload');
    expect(logged).not.toMatch(/SECRET|\/slack\/|\/hooks\/|http:/);
  });

  it('does not sleep for a Slack pace: a second post in the same second is handed back with its slot, then posts at it', async () => {
    // Prepare: a clock that only moves when the notifier sleeps, so any wait for the pace would show.
    let clockMs = Date.now();
    const slept: number[] = [];
    const slack = target('slack+{receiver}/slack/paced');
    const { notifier: subject, log } = notifier({ now: () => clockMs, sleep: async (ms) => void slept.push(ms) });
    const second = watchEventFactory('failed');

    // Act
    const results = await Promise.all([
      subject.deliver(watchEventFactory('succeeded'), slack, { giveUpAtMs: clockMs + GIVE_UP_AFTER_MS }),
      subject.deliver(second, slack, { giveUpAtMs: clockMs + GIVE_UP_AFTER_MS }),
    ]);
    const pacedAt = clockMs;
    clockMs += 1000;
    const later = await subject.deliver(second, slack, { giveUpAtMs: clockMs + GIVE_UP_AFTER_MS });

    // Assess
    expect(results).toEqual([
      { status: 'delivered', attempts: 1, httpStatus: 200 },
      { status: 'retry_later', attempts: 0, reason: 'paced: one post per 1 s to a slack target', notBeforeMs: pacedAt + 1000, paced: true },
    ]);
    expect(later).toEqual({ status: 'delivered', attempts: 1, httpStatus: 200 });
    expect(slept).toEqual([]);
    expect(receiver.received('/slack/paced')).toHaveLength(2);
    expect(log.lines).toEqual([]);
  });

  it('posts on the pace it is given: a slot another container holds is honoured, and a pace it cannot read hands the delivery back, not posted', async () => {
    // Prepare: a shared pace that says "in 700 ms" once, then fails.
    let takes = 0;
    const spacing = {
      async take() {
        takes += 1;
        if (takes === 1) return 700;
        throw new Error('the table is unreachable');
      },
    };
    const slack = target('slack+{receiver}/slack/shared-pace');
    const { notifier: subject } = notifier({ spacing });
    const event = watchEventFactory('succeeded');

    // Act
    const held = await subject.deliver(event, slack, { giveUpAtMs: Date.now() + GIVE_UP_AFTER_MS });
    const unread = await subject.deliver(event, slack, { giveUpAtMs: Date.now() + GIVE_UP_AFTER_MS });

    // Assess
    expect(held).toMatchObject({ status: 'retry_later', attempts: 0, paced: true });
    expect(unread).toEqual({ status: 'retry_later', attempts: 0, reason: "the target's pace could not be read (Error: the table is unreachable)" });
    expect(receiver.received('/slack/shared-pace')).toHaveLength(0);
  });

  it('logs nothing about a delivery it made, and logs a failed attempt through the log the call names', async () => {
    // Prepare
    receiver.script('/hooks/once-busy', [{ status: 503, body: 'busy' }]);
    const { notifier: subject, log: ownLog } = notifier();
    const callLog = recordingLog();

    // Act
    const result = await subject.deliver(watchEventFactory(), target('webhook+{receiver}/hooks/once-busy'), { giveUpAtMs: giveUpAt(), log: callLog });

    // Assess
    expect(result).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(ownLog.lines).toEqual([]);
    expect(callLog.lines).toHaveLength(1);
    expect(callLog.lines[0]).toMatch(/^notification attempt failed .*"answer":"HTTP 503, busy"/);
  });

  it('delivers to Teams (202) and Discord (204), whose receivers answer without a body', async () => {
    // Prepare
    const { notifier: subject } = notifier();

    // Act
    const results = [
      await subject.deliver(watchEventFactory(), target('teams+{receiver}/teams/workflow'), { giveUpAtMs: giveUpAt() }),
      await subject.deliver(watchEventFactory(), target('discord+{receiver}/discord/webhook'), { giveUpAtMs: giveUpAt() }),
    ];

    // Assess
    expect(results).toEqual([
      { status: 'delivered', attempts: 1, httpStatus: 202 },
      { status: 'delivered', attempts: 1, httpStatus: 204 },
    ]);
  });

  it('refuses a WEBHOOK_SECRET that is not a Standard Webhooks secret', () => {
    expect(() => notifier({ webhookSecret: 'not base64 !!' })).toThrow(NotifyConfigError);
  });

  it('refuses a WEBHOOK_SECRET_PREVIOUS that is not a Standard Webhooks secret, or that comes without WEBHOOK_SECRET, naming it', () => {
    expect(() => notifier({ webhookSecret: TEST_WEBHOOK_SECRET, webhookSecretPrevious: 'not base64 !!' })).toThrow(
      /WEBHOOK_SECRET_PREVIOUS.*not a Standard Webhooks secret/,
    );
    expect(() => notifier({ webhookSecretPrevious: TEST_WEBHOOK_SECRET })).toThrow(/WEBHOOK_SECRET_PREVIOUS.*without WEBHOOK_SECRET/);
  });
});

describe('startWebhookReceiver', () => {
  it('resolves waitFor with a request that arrives later, and records path, query and parsed body', async () => {
    // Prepare
    const waiting = receiver.waitFor((request) => request.path === '/hooks/later', 2000);

    // Act
    await fetch(`${receiver.url}/hooks/later?x=1`, { method: 'POST', body: '{"a":1}' });
    const request = await waiting;

    // Assess
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/later', query: { x: '1' }, body: { a: 1 }, rawBody: '{"a":1}' });
  });

  it('rejects waitFor when nothing matching arrives in time', async () => {
    await expect(receiver.waitFor((request) => request.path === '/never', 50)).rejects.toThrow('no matching request within 50 ms');
  });
});
