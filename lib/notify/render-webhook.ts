import { Webhook } from 'standardwebhooks';
import { type Renderer, jsonRequest } from './rendered-request.js';

/**
 * The generic webhook: the body is the event JSON exactly (README, "Generic webhook event — contract"). With a secret, the
 * Standard Webhooks headers are added; `webhook-id` is the event id, stable across attempts and
 * re-deliveries so receivers can drop repeats.
 *
 * @example
 * const { headers, body } = renderWebhookRequest(event, target, Date.now(), { webhookSecret: 'whsec_…' });
 * new Webhook('whsec_…').verify(body, headers); // → the event
 */
export const renderWebhookRequest: Renderer = (event, target, nowMs, options = {}) => {
  const request = jsonRequest(target.url, event);
  if (options.webhookSecret === undefined) return request;
  const signature = new Webhook(options.webhookSecret).sign(event.id, new Date(nowMs), request.body);
  request.headers['webhook-id'] = event.id;
  request.headers['webhook-timestamp'] = String(Math.floor(nowMs / 1000));
  request.headers['webhook-signature'] = signature;
  return request;
};
