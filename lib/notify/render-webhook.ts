import { Webhook } from 'standardwebhooks';
import { type Renderer, jsonRequest } from './rendered-request.js';

/**
 * The generic webhook: the body is the event JSON exactly (docs/contracts.md, "Generic webhook event — contract"). With a secret, the
 * Standard Webhooks headers are added; `webhook-id` is the event id, stable across attempts and
 * re-deliveries so receivers can drop repeats. During a rotation (`webhookSecretPrevious`),
 * `webhook-signature` carries one signature per secret, space-separated as the standard allows:
 * a receiver with either secret accepts the post.
 *
 * @example
 * const { headers, body } = renderWebhookRequest(event, target, Date.now(), { webhookSecret: 'whsec_…' });
 * new Webhook('whsec_…').verify(body, headers); // → the event
 */
export const renderWebhookRequest: Renderer = (event, target, nowMs, options = {}) => {
  const request = jsonRequest(target.url, event);
  if (options.webhookSecret === undefined) return request;
  const secrets = [options.webhookSecret, options.webhookSecretPrevious].filter((secret) => secret !== undefined);
  // One key given twice (a rotation's first step, or once with its whsec_ prefix and once without) signs once.
  const signatures = new Set(secrets.map((secret) => new Webhook(secret).sign(event.id, new Date(nowMs), request.body)));
  request.headers['webhook-id'] = event.id;
  request.headers['webhook-timestamp'] = String(Math.floor(nowMs / 1000));
  request.headers['webhook-signature'] = [...signatures].join(' ');
  return request;
};
