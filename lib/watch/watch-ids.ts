import { createHash } from 'node:crypto';
import type { WatchRequest } from './request.js';

/**
 * The key of one gateway (project and instance): every watch of that gateway is recorded under it,
 * so a second request while a watch is active joins it.
 *
 * @example
 * gatewayKeyFor({ project_id: '0123…', instance_id: 'fedc…' }) // 'g_5d1c0e…' (20 hex digits)
 */
export function gatewayKeyFor(request: Pick<WatchRequest, 'project_id' | 'instance_id'>): string {
  return `g_${digest(`${request.project_id}/${request.instance_id}`)}`;
}

/**
 * The id of one watch of a gateway: the gateway and the SQS message id of the request that started
 * it. The same message delivered again gives the same id (and so continues the same watch); a new
 * request after the watch ended gives a new id, so its outcome has new event ids.
 *
 * @example
 * watchIdFor({ project_id: '0123…', instance_id: 'fedc…' }, '059f36b4-87a3-44ab-83d2-661975830a7d') // 'w_…'
 */
export function watchIdFor(request: Pick<WatchRequest, 'project_id' | 'instance_id'>, startedBy: string): string {
  return `w_${digest(`${request.project_id}/${request.instance_id}/${startedBy}`)}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}
