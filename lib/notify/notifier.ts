import { type ChannelTarget, isChannelTarget } from './targets.js';
import fetch from 'node-fetch';
import { Webhook } from 'standardwebhooks';
import { describeError } from '../describe-error.js';
import { BOUNDED_FETCH_OPTIONS, isAnswerTooLarge, MAX_ANSWER_BYTES } from '../bounded-answer.js';
import { keepAliveAgents } from '../keep-alive-agents.js';
import type { Log, DeliveryResult, Notifier, NotificationEvent } from '../watch/index.js';
import { type Answer, classifyAnswer, type Verdict } from './classify.js';
import { NotifyConfigError } from './errors.js';
import type { RenderedRequest } from './rendered-request.js';
import { renderNotification } from './render-notification.js';
import { createPostSpacing, MIN_POST_SPACING_MS, type PostSpacing } from './spacing.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
const DEFAULT_MAX_ATTEMPTS = 4;
/**
 * The longest pause between two attempts inside one call (a backoff, a 429's `Retry-After`, the
 * target's next slot after a failed post). A longer one hands the delivery back (`retry_later`,
 * with `notBeforeMs` when the receiver or the pace set it): an invocation never sleeps for it.
 */
const MAX_INLINE_PAUSE_MS = 1000;
/** Exponential backoff with full jitter: attempt n waits random(0, min(cap, base · 2^(n-1))). */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
const USER_AGENT = 'apig-watch';
const NO_TIME_LEFT = 'no time left to post before giving up';
/** What stands for a receiver's answer that was larger than `MAX_ANSWER_BYTES` (in reasons and logs). */
const OVERSIZED_ANSWER = `(an answer larger than ${MAX_ANSWER_BYTES / 1024} KiB, not read)`;

export interface NotifierOptions {
  /** `WEBHOOK_SECRET` (`whsec_…`); signs generic webhooks. Checked here, so a bad one fails at start. */
  webhookSecret?: string;
  /** `WEBHOOK_SECRET_PREVIOUS`: during a rotation, generic webhooks are signed with it too. Checked the same way. */
  webhookSecretPrevious?: string;
  /** Where failed attempts are logged when a call names no log of its own. */
  log: Log;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  requestTimeoutMs?: number;
  /** Posts per delivery call, first one included. */
  maxAttempts?: number;
  /** Each target's pace; default: kept in this process. The watcher shares it through the watch table. */
  spacing?: PostSpacing;
}

type Failure = { failure: string };
type RetryVerdict = Extract<Verdict, { kind: 'retry' }>;

/**
 * The notifier the use case delivers through: per call it renders the target's request, posts it,
 * and classifies the answer; transient failures (5xx, 429, timeouts, resets, rate-limit body codes)
 * are retried after pauses of at most `MAX_INLINE_PAUSE_MS`, never past `giveUpAtMs`, then reported
 * as `retry_later`. Every request is rendered again per attempt, so timestamped signatures stay fresh.
 *
 * It never sleeps for a target's pace (`MIN_POST_SPACING_MS`): a delivery whose post would come
 * too soon after the previous one to that target is not posted; its slot is held and it comes back
 * as `retry_later` with `paced: true` and `notBeforeMs`, for the caller to try again then (the use
 * case does it through the queue). It logs failed attempts (by `display` only), never outcomes:
 * the caller logs each delivery once, with its own keys.
 *
 * @throws NotifyConfigError when `webhookSecret` or `webhookSecretPrevious` is not a Standard Webhooks secret,
 * or the previous one is set without the current one.
 * @example
 * const notifier = createNotifier({ webhookSecret: config.webhookSecret, log });
 * const result = await notifier.deliver(event, target, { giveUpAtMs: Date.now() + 20_000, log: recordLog });
 * // → { status: 'delivered', attempts: 1, httpStatus: 200 }
 * // or, a second Slack post in the same second: { status: 'retry_later', attempts: 0, paced: true, notBeforeMs, … }
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { webhookSecret, webhookSecretPrevious } = options;
  const now = options.now ?? Date.now;
  const agent = keepAliveAgents();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (webhookSecret !== undefined) checkWebhookSecret('WEBHOOK_SECRET', webhookSecret);
  if (webhookSecretPrevious !== undefined) {
    if (webhookSecret === undefined) throw new NotifyConfigError('WEBHOOK_SECRET_PREVIOUS', 'is set without WEBHOOK_SECRET');
    checkWebhookSecret('WEBHOOK_SECRET_PREVIOUS', webhookSecretPrevious);
  }
  const spacing = options.spacing ?? createPostSpacing();

  async function deliver(event: NotificationEvent, target: ChannelTarget, giveUpAtMs: number, log: Log): Promise<DeliveryResult> {
    let attempts = 0;
    let last: RetryVerdict | undefined;
    const notDelivered = (notBeforeMs?: number): DeliveryResult => ({
      status: 'retry_later',
      attempts,
      reason: last?.reason ?? NO_TIME_LEFT,
      ...(notBeforeMs === undefined ? {} : { notBeforeMs }),
    });
    for (;;) {
      if (now() >= giveUpAtMs) return notDelivered();
      let paceMs: number;
      try {
        paceMs = await spacing.take(target.id, target.type, event.id, now());
      } catch (error) {
        // A shared pace that cannot be read is no reason to give the delivery up: later.
        return { status: 'retry_later', attempts, reason: `the target's pace could not be read (${describeError(error)})` };
      }
      if (paceMs > 0 && attempts === 0) {
        const spacingSeconds = MIN_POST_SPACING_MS[target.type] / 1000;
        return {
          status: 'retry_later',
          attempts,
          reason: `paced: one post per ${spacingSeconds} s to a ${target.type} target`,
          notBeforeMs: now() + paceMs,
          paced: true,
        };
      }
      if (paceMs > 0) {
        if (paceMs > MAX_INLINE_PAUSE_MS || now() + paceMs >= giveUpAtMs) return notDelivered(now() + paceMs);
        await sleep(paceMs);
        continue;
      }
      const timeoutMs = Math.min(requestTimeoutMs, giveUpAtMs - now());
      attempts += 1;
      const answer = await post(renderNotification(event, target, now(), { webhookSecret, webhookSecretPrevious }), timeoutMs, agent);
      const verdict: Verdict = 'failure' in answer ? { kind: 'retry', reason: answer.failure } : classifyAnswer(target.type, answer, now());
      if (verdict.kind === 'delivered') return { status: 'delivered', attempts, httpStatus: verdict.httpStatus };
      log.warn('notification attempt failed', {
        target: target.display,
        attempt: attempts,
        answer: verdict.reason,
        retryable: verdict.kind === 'retry',
      });
      if (verdict.kind === 'rejected') return { status: 'rejected', attempts, reason: verdict.reason, gone: verdict.gone };
      last = verdict;
      const retryAfterMs = verdict.retryAfterMs;
      const pauseMs = Math.max(backoffMs(attempts), retryAfterMs ?? 0);
      if (attempts >= maxAttempts || pauseMs > MAX_INLINE_PAUSE_MS || now() + pauseMs >= giveUpAtMs) {
        return notDelivered(retryAfterMs === undefined ? undefined : now() + retryAfterMs);
      }
      await sleep(pauseMs);
    }
  }

  return {
    async deliver(event, target, { giveUpAtMs, log = options.log }) {
      if (!isChannelTarget(target)) return { status: 'rejected', attempts: 0, reason: `unknown channel ${target.type}`, gone: false };
      try {
        return await deliver(event, target, giveUpAtMs, log);
      } catch (error) {
        // A renderer bug must not break the "never throws" promise of the port.
        const name = error instanceof Error ? error.name : typeof error;
        return { status: 'rejected', attempts: 0, reason: `the notification could not be rendered (${name})`, gone: false };
      }
    },
  };
}

/** One POST, answered or failed; a failure never carries the URL (node-fetch puts it in messages). */
async function post(request: RenderedRequest, timeoutMs: number, agent: ReturnType<typeof keepAliveAgents>): Promise<Answer | Failure> {
  // Whole milliseconds: AbortSignal.timeout throws on a fraction, which an injected clock can leave.
  const signal = AbortSignal.timeout(Math.ceil(timeoutMs));
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'user-agent': USER_AGENT, ...request.headers },
      body: request.body,
      ...BOUNDED_FETCH_OPTIONS,
      signal,
      agent,
    });
    // The status is the receiver's verdict; an answer beyond the bound is not read further.
    const body = await response.text().catch((error: unknown) => {
      if (isAnswerTooLarge(error)) return OVERSIZED_ANSWER;
      throw error;
    });
    return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    if (signal.aborted) return { failure: `no answer within ${timeoutMs} ms` };
    const code = (error as { code?: unknown }).code;
    return { failure: `network error ${typeof code === 'string' ? code : 'without a code'}` };
  }
}

function backoffMs(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

function checkWebhookSecret(name: string, secret: string): void {
  try {
    new Webhook(secret);
  } catch {
    throw new NotifyConfigError(name, 'is not a Standard Webhooks secret (whsec_ followed by base64)');
  }
}
