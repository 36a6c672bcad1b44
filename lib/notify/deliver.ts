import fetch from 'node-fetch';
import { Webhook } from 'standardwebhooks';
import type { Log } from '../logger.js';
import type { NotificationEvent } from '../watch/outcome.js';
import { type Answer, classifyAnswer, type Verdict } from './classify.js';
import { NotifyConfigError } from './errors.js';
import type { RenderedRequest } from './render.js';
import { renderNotification } from './renderers.js';
import { createPostSpacing } from './spacing.js';
import type { DeliveryResult, Notifier, Target } from './types.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_ATTEMPTS = 4;
/** Exponential backoff with full jitter: attempt n waits random(0, min(cap, base · 2^(n-1))). */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
const USER_AGENT = 'apig-watch';

export interface NotifierOptions {
  /** `WEBHOOK_SECRET` (`whsec_…`); signs generic webhooks. Checked here, so a bad one fails at start. */
  webhookSecret?: string;
  log: Log;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  requestTimeoutMs?: number;
  /** Posts per delivery call, first one included. */
  maxAttempts?: number;
}

type Failure = { failure: string };

/**
 * The notifier the use case delivers through: per call it renders the target's request, posts it,
 * and classifies the answer; transient failures (5xx, 429 with `Retry-After`, timeouts, resets,
 * rate-limit body codes) are retried with backoff, never past `giveUpAtMs`, then reported as
 * `retry_later`. Every request is rendered again per attempt, so timestamped signatures stay fresh.
 * Posts to one target are spaced per its channel's rate limit. Logs name targets by `display` only.
 *
 * @throws NotifyConfigError when `webhookSecret` is not a Standard Webhooks secret.
 * @example
 * const notifier = createNotifier({ webhookSecret: config.webhookSecret, log });
 * const result = await notifier.deliver(event, target, { giveUpAtMs: Date.now() + 20_000 });
 * // → { status: 'delivered', attempts: 1, httpStatus: 200 }
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { webhookSecret, log } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (webhookSecret !== undefined) checkWebhookSecret(webhookSecret);
  const spacing = createPostSpacing();

  async function deliver(event: NotificationEvent, target: Target, giveUpAtMs: number): Promise<DeliveryResult> {
    let attempts = 0;
    let last: { reason: string; retryAfterMs?: number } = { reason: 'no time left to post before giving up' };
    while (attempts < maxAttempts) {
      const waitMs = spacing.reserve(target.id, target.type, now(), giveUpAtMs);
      if (waitMs === null) break;
      if (waitMs > 0) await sleep(waitMs);
      const timeoutMs = Math.min(requestTimeoutMs, giveUpAtMs - now());
      if (timeoutMs <= 0) break;
      attempts += 1;
      const answer = await post(renderNotification(event, target, now(), { webhookSecret }), timeoutMs);
      const verdict: Verdict = 'failure' in answer ? { kind: 'retry', reason: answer.failure } : classifyAnswer(target.type, answer, now());
      if (verdict.kind === 'delivered') {
        log.info('notification delivered', { target: target.display, attempts });
        return { status: 'delivered', attempts, httpStatus: verdict.httpStatus };
      }
      log.warn('notification attempt failed', {
        target: target.display,
        attempt: attempts,
        answer: verdict.reason,
        retryable: verdict.kind === 'retry',
      });
      if (verdict.kind === 'rejected') return { status: 'rejected', attempts, reason: verdict.reason, gone: verdict.gone };
      last = verdict;
      if (attempts >= maxAttempts) break;
      const delayMs = Math.max(backoffMs(attempts), verdict.retryAfterMs ?? 0);
      if (now() + delayMs >= giveUpAtMs) break;
      await sleep(delayMs);
    }
    log.warn('notification not delivered in this invocation', { target: target.display, attempts, reason: last.reason });
    return {
      status: 'retry_later',
      attempts,
      reason: last.reason,
      ...(last.retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(last.retryAfterMs / 1000) }),
    };
  }

  return {
    async deliver(event, target, { giveUpAtMs }) {
      try {
        return await deliver(event, target, giveUpAtMs);
      } catch (error) {
        // A renderer bug must not break the "never throws" promise of the port.
        const name = error instanceof Error ? error.name : typeof error;
        log.error('notification could not be rendered', { target: target.display, error: name });
        return { status: 'rejected', attempts: 0, reason: 'the notification could not be rendered', gone: false };
      }
    },
  };
}

/** One POST, answered or failed; a failure never carries the URL (node-fetch puts it in messages). */
async function post(request: RenderedRequest, timeoutMs: number): Promise<Answer | Failure> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'user-agent': USER_AGENT, ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    if (controller.signal.aborted) return { failure: `no answer within ${timeoutMs} ms` };
    const code = (error as { code?: unknown }).code;
    return { failure: `network error ${typeof code === 'string' ? code : 'without a code'}` };
  } finally {
    clearTimeout(timer);
  }
}

function backoffMs(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

function checkWebhookSecret(secret: string): void {
  try {
    new Webhook(secret);
  } catch {
    throw new NotifyConfigError('WEBHOOK_SECRET', 'is not a Standard Webhooks secret (whsec_ followed by base64)');
  }
}
