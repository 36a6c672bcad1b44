import { parseJsonLeniently } from '../lenient-json.js';
import type { ChannelType } from './targets.js';

/** How much of a receiver's answer is kept in reasons and logs. */
const ANSWER_EXCERPT_MAX_CHARS = 300;

/** What a receiver answered to one POST. */
export interface Answer {
  status: number;
  body: string;
  /** The `Retry-After` header, if any. */
  retryAfter: string | null;
}

/** What to do about an answer. */
export type Verdict =
  | { kind: 'delivered'; httpStatus: number }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'rejected'; reason: string; gone: boolean };

/** Channels that answer HTTP 200 with a body-level result, and the codes that mean "later" or "gone". */
const BODY_CODE_CHANNELS: Partial<Record<ChannelType, { rateLimited: readonly number[]; gone: readonly number[] }>> = {
  // 130101: "send too fast" (20 messages/min per robot).
  dingtalk: { rateLimited: [130101], gone: [] },
  // 45009: API frequency limit; 93000: the webhook URL is invalid (robot removed).
  wecom: { rateLimited: [45009], gone: [93000] },
  // 11232: message frequency limited; 9499: too many requests.
  feishu: { rateLimited: [11232, 9499], gone: [] },
};
/** DingTalk and WeCom allow 20 messages a minute: after a rate-limit code, wait one slot. */
const RATE_LIMITED_RETRY_MS = 3_000;
/** Words of a body-level error that mean "too fast", whatever the code. */
const RATE_LIMIT_WORDS = /frequen|too (many|fast)|rate ?limit/i;

/** Slack's error words that mean the webhook or its channel is gone for good. */
const SLACK_GONE: ReadonlyArray<[status: number, word: string]> = [
  [404, 'no_service'],
  [404, 'channel_not_found'],
  [410, 'channel_is_archived'],
  [403, 'invalid_token'],
];
/** Discord: `{"message":"Unknown Webhook","code":10015}` with 404. */
const DISCORD_UNKNOWN_WEBHOOK_CODE = 10015;
const HTTP_REQUEST_TIMEOUT = 408;
const HTTP_TOO_MANY_REQUESTS = 429;

/**
 * Classifies a receiver's answer: delivered, worth retrying (5xx, 429, 408, and any non-zero body
 * code), or rejected (other 4xx, with `gone` when the channel no longer exists). DingTalk, WeCom and
 * Feishu answer HTTP 200 with an error code: only code 0 is a delivery. A 3xx is rejected too:
 * posts never follow redirects (the message would go to a host `NOTIFY_URLS` did not name), so the
 * reason says so, with the receiver's answer.
 *
 * @example
 * classifyAnswer('dingtalk', { status: 200, body: '{"errcode":310000,"errmsg":"keywords not in content"}', retryAfter: null }, Date.now());
 * // → { kind: 'retry', reason: 'HTTP 200, code 310000: keywords not in content' }
 */
export function classifyAnswer(type: ChannelType, answer: Answer, nowMs: number): Verdict {
  const { status } = answer;
  const words = excerpt(answer.body);
  if (status === HTTP_TOO_MANY_REQUESTS || status === HTTP_REQUEST_TIMEOUT || status >= 500) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, nowMs);
    return { kind: 'retry', reason: reasonOf(status, words), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (status >= 300 && status < 400) {
    const redirect = `a redirect, not followed: check the URL in NOTIFY_URLS${words === '' ? '' : `; answer: ${words}`}`;
    return { kind: 'rejected', reason: reasonOf(status, redirect), gone: false };
  }
  const codes = BODY_CODE_CHANNELS[type];
  if (status >= 200 && status < 300) {
    return codes === undefined ? { kind: 'delivered', httpStatus: status } : classifyBodyCode(answer, codes);
  }
  return { kind: 'rejected', reason: reasonOf(status, words), gone: isGone(type, status, answer.body, codes) };
}

function classifyBodyCode(answer: Answer, codes: { rateLimited: readonly number[]; gone: readonly number[] }): Verdict {
  const result = readBodyCode(answer.body);
  if (result === undefined) return { kind: 'retry', reason: reasonOf(answer.status, `unexpected answer: ${excerpt(answer.body)}`) };
  if (result.code === 0) return { kind: 'delivered', httpStatus: answer.status };
  const reason = reasonOf(answer.status, `code ${result.code}: ${excerpt(result.message)}`);
  if (codes.gone.includes(result.code)) return { kind: 'rejected', reason, gone: true };
  // Any other code is a failure to retry (within the invocation, then through the queue until the
  // delivery budget is spent): robots' security settings (keywords, IP lists) get fixed by people.
  const retryAfterMs = codes.rateLimited.includes(result.code) || RATE_LIMIT_WORDS.test(result.message) ? RATE_LIMITED_RETRY_MS : undefined;
  return { kind: 'retry', reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/** `errcode`/`errmsg` (DingTalk, WeCom), `code`/`msg` or `StatusCode`/`StatusMessage` (Feishu). */
function readBodyCode(body: string): { code: number; message: string } | undefined {
  const parsed = parseJsonLeniently(body);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  const code = fields.errcode ?? fields.code ?? fields.StatusCode;
  if (typeof code !== 'number') return undefined;
  const message = fields.errmsg ?? fields.msg ?? fields.StatusMessage;
  return { code, message: typeof message === 'string' ? message : '' };
}

function isGone(type: ChannelType, status: number, body: string, codes: { gone: readonly number[] } | undefined): boolean {
  if (type === 'slack') return SLACK_GONE.some(([goneStatus, word]) => status === goneStatus && body.trim() === word);
  if (type === 'discord') return status === 404 && readBodyCode(body)?.code === DISCORD_UNKNOWN_WEBHOOK_CODE;
  const code = readBodyCode(body)?.code;
  return code !== undefined && (codes?.gone.includes(code) ?? false);
}

/**
 * Reads `Retry-After` (delay in seconds or an HTTP date) as milliseconds from now.
 *
 * @example
 * parseRetryAfter('2', Date.now()); // → 2000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:27:30 GMT')); // → 30000
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const dateMs = Date.parse(value);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

function reasonOf(status: number, words: string): string {
  return words === '' ? `HTTP ${status}` : `HTTP ${status}, ${words}`;
}

/**
 * A receiver's words on one line, cut to `ANSWER_EXCERPT_MAX_CHARS`.
 *
 * @example
 * excerpt('  invalid_payload\n'); // → 'invalid_payload'
 */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= ANSWER_EXCERPT_MAX_CHARS ? flat : `${flat.slice(0, ANSWER_EXCERPT_MAX_CHARS)}…`;
}
