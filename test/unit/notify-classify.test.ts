import { classifyAnswer, parseRetryAfter } from '../../lib/notify/classify.js';

const NOW_MS = Date.UTC(2026, 10, 28, 10, 0, 0);
const answer = (status: number, body = '', retryAfter: string | null = null) => ({ status, body, retryAfter });

describe('classifyAnswer', () => {
  it.each([
    ['slack', answer(200, 'ok')],
    ['webhook', answer(204)],
    ['teams', answer(202)],
    ['discord', answer(204)],
    ['dingtalk', answer(200, '{"errcode":0,"errmsg":"ok"}')],
    ['wecom', answer(200, '{"errcode":0,"errmsg":"ok"}')],
    ['feishu', answer(200, '{"code":0,"msg":"success","data":{}}')],
    ['feishu', answer(200, '{"StatusCode":0,"StatusMessage":"success"}')],
  ] as const)('counts a %s success answer as delivered', (type, received) => {
    expect(classifyAnswer(type, received, NOW_MS)).toEqual({ kind: 'delivered', httpStatus: received.status });
  });

  it.each([
    ['dingtalk', '{"errcode":310000,"errmsg":"keywords not in content"}', 'HTTP 200, code 310000: keywords not in content'],
    ['wecom', '{"errcode":40008,"errmsg":"invalid message type"}', 'HTTP 200, code 40008: invalid message type'],
    ['feishu', '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}', 'HTTP 200, code 19021: sign match fail'],
    ['dingtalk', '<html>proxy</html>', 'HTTP 200, unexpected answer: <html>proxy</html>'],
  ] as const)('counts a %s HTTP 200 with a non-zero code as not delivered, to retry', (type, body, reason) => {
    // Act
    const verdict = classifyAnswer(type, answer(200, body), NOW_MS);

    // Assess
    expect(verdict).toMatchObject({ kind: 'retry' });
    expect(verdict.kind === 'retry' && verdict.reason).toContain(reason);
  });

  it.each([
    ['dingtalk', '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}'],
    ['wecom', '{"errcode":45009,"errmsg":"api freq out of limit"}'],
    ['feishu', '{"code":11232,"msg":"frequency limited"}'],
    ['feishu', '{"code":9499,"msg":"Too Many Request"}'],
  ] as const)('retries a %s rate-limit body code', (type, body) => {
    expect(classifyAnswer(type, answer(200, body), NOW_MS)).toMatchObject({ kind: 'retry' });
  });

  it.each([
    ['slack', answer(404, 'no_service')],
    ['slack', answer(404, 'channel_not_found')],
    ['slack', answer(410, 'channel_is_archived')],
    ['slack', answer(403, 'invalid_token')],
    ['wecom', answer(200, '{"errcode":93000,"errmsg":"invalid webhook url"}')],
    ['discord', answer(404, '{"message":"Unknown Webhook","code":10015}')],
  ] as const)('marks a %s answer meaning the channel is gone', (type, received) => {
    expect(classifyAnswer(type, received, NOW_MS)).toMatchObject({ kind: 'rejected', gone: true });
  });

  it.each([
    ['slack', 301],
    ['webhook', 302],
    ['dingtalk', 307],
    ['teams', 308],
  ] as const)("rejects a %s redirect (HTTP %d) as a failure that says it was not followed, with the receiver's answer", (type, status) => {
    // Act
    const verdict = classifyAnswer(type, answer(status, '<a href="https://elsewhere.example/">Moved</a>'), NOW_MS);

    // Assess
    expect(verdict).toEqual({
      kind: 'rejected',
      reason: `HTTP ${status}, a redirect, not followed: check the URL in NOTIFY_URLS; answer: <a href="https://elsewhere.example/">Moved</a>`,
      gone: false,
    });
  });

  it("rejects other 4xx with the receiver's words, not as gone", () => {
    expect(classifyAnswer('slack', answer(400, 'invalid_payload'), NOW_MS)).toEqual({
      kind: 'rejected',
      reason: 'HTTP 400, invalid_payload',
      gone: false,
    });
    expect(classifyAnswer('slack', answer(403, 'action_prohibited'), NOW_MS)).toMatchObject({ gone: false });
  });

  it.each([500, 502, 503, 408, 429])('retries HTTP %d', (status) => {
    expect(classifyAnswer('webhook', answer(status), NOW_MS)).toMatchObject({ kind: 'retry', reason: `HTTP ${status}` });
  });

  it('carries Retry-After with a 429', () => {
    expect(classifyAnswer('slack', answer(429, 'rate_limited', '3'), NOW_MS)).toEqual({
      kind: 'retry',
      reason: 'HTTP 429, rate_limited',
      retryAfterMs: 3000,
    });
  });

  it('cuts a long answer in the reason', () => {
    // Act
    const verdict = classifyAnswer('webhook', answer(400, 'x'.repeat(10_000)), NOW_MS);

    // Assess
    expect(verdict.kind === 'rejected' && verdict.reason.length).toBeLessThan(320);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter('2', NOW_MS)).toBe(2000);
    expect(parseRetryAfter('0.5', NOW_MS)).toBe(500);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter(new Date(NOW_MS + 30_000).toUTCString(), NOW_MS)).toBe(30_000);
    expect(parseRetryAfter(new Date(NOW_MS - 30_000).toUTCString(), NOW_MS)).toBe(0);
  });

  it('ignores a missing or unreadable value', () => {
    expect(parseRetryAfter(null, NOW_MS)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW_MS)).toBeUndefined();
  });
});
