import type { ChannelTarget } from './targets.js';
import type { NotificationEvent } from '../watch/index.js';

/** One HTTP POST, ready to send. */
export interface RenderedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What renderers need besides the event and the target. */
export interface RenderOptions {
  /** `WEBHOOK_SECRET` (`whsec_…`): signs generic webhooks per Standard Webhooks. */
  webhookSecret?: string;
  /** `WEBHOOK_SECRET_PREVIOUS`: during a rotation, generic webhooks carry its signature too. */
  webhookSecretPrevious?: string;
}

/**
 * Turns an event into the request one channel expects. Pure: the same arguments give the same
 * request, so signatures that include a timestamp are made again for each attempt.
 */
export type Renderer = (event: NotificationEvent, target: ChannelTarget, nowMs: number, options?: RenderOptions) => RenderedRequest;

/** Headers of every JSON request (DingTalk insists on UTF-8 being stated). */
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json; charset=utf-8' };

/**
 * A JSON POST request to `url`.
 *
 * @example
 * jsonRequest('https://hooks.slack.com/services/…', { text: 'hi' });
 * // → { url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"text":"hi"}' }
 */
export function jsonRequest(url: string, payload: unknown, headers: Record<string, string> = {}): RenderedRequest {
  return {
    url,
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(payload),
  };
}
