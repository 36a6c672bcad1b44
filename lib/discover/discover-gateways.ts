import { describeError } from '../describe-error.js';
import { DISCOVERY_ORIGIN, type Log, type Metrics, type Operation, operationShownBy, type WatchRequest, watchRequestSchema } from '../watch/index.js';
import type { WatchRequestSender } from '../queue/index.js';
import type { GatewayLister, ListedInstance } from './instance-list-client.js';
import type { DiscoverProject } from './projects.js';

/** A listed gateway whose status shows an operation under way (or an unhealthy one): what its watch follows. */
export type NominatedGateway = ListedInstance & { operation: Operation };

/** What one project's sweep saw: the gateways worth a watch, or why it could not list them. */
export interface ProjectSweep {
  project: DiscoverProject;
  /** Gateways that can be watched (a listed id that is not a Huawei id is left out, with a warning). */
  gateways: NominatedGateway[];
  error: string | null;
}

/** Projects listed at once: a sweep of many projects stays clear of Huawei's throttling (a throttled project waits for the next sweep). */
export const SWEEP_CONCURRENCY = 4;

/** What a sweep did, per project. */
export interface DiscoverySummary {
  projects: Array<ProjectSweep & { sent: number; notSent: number }>;
  /** True when any project could not be listed or any request was not sent. */
  failed: boolean;
}

export interface DiscoverPorts {
  lister: GatewayLister;
  sender: Pick<WatchRequestSender, 'sendBatch'>;
  log: Log;
  metrics: Metrics;
}

/**
 * Lists every gateway of each project (every status, every page), `SWEEP_CONCURRENCY` projects at
 * a time, and keeps those whose status shows an operation under way or an unhealthy gateway
 * (`operationShownBy`); `only` keeps one operation. A project that cannot be listed (throttled
 * included) is reported with its error and does not stop the others.
 *
 * @example
 * const sweeps = await findNominatedGateways(projects, lister, log);
 * sweeps[0]; // { project: { region, projectId }, gateways: [{ id, name, status: 'Resizing', operation: 'resize' }], error: null }
 */
export async function findNominatedGateways(projects: readonly DiscoverProject[], lister: GatewayLister, log: Log, only?: Operation): Promise<ProjectSweep[]> {
  return mapWithConcurrency(projects, SWEEP_CONCURRENCY, async (project): Promise<ProjectSweep> => {
    try {
      const listed = await lister.listGateways(project);
      const gateways = listed.flatMap((gateway): NominatedGateway[] => {
        const operation = operationShownBy(gateway.status);
        if (operation === null || (only !== undefined && operation !== only)) return [];
        const valid = watchRequestSchema.shape.instance_id.safeParse(gateway.id).success;
        if (!valid) log.warn('listed gateway has an id that cannot be watched; skipped', { project_id: project.projectId, region: project.region });
        return valid ? [{ ...gateway, operation }] : [];
      });
      return { project, gateways, error: null };
    } catch (error) {
      return { project, gateways: [], error: describeError(error) };
    }
  });
}

/** `run` over every item, at most `limit` at a time, results in the items' order. */
async function mapWithConcurrency<Item, Result>(items: readonly Item[], limit: number, run: (item: Item) => Promise<Result>): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as Item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The watch request a discovered gateway gets: its name if the request schema takes it, no
 * context, and `origin: 'discovery'`, which tells the watcher never to restart a watch of this
 * gateway that is active or ended recently (docs/deploy.md, "Discovery").
 *
 * @example
 * discoveryRequest({ region: 'ap-southeast-1', projectId: '0123…' }, { id: 'fedc…', name: 'orders-gw', status: 'Creating' });
 * // → { project_id: '0123…', instance_id: 'fedc…', region: 'ap-southeast-1', instance_name: 'orders-gw', context: {}, origin: 'discovery' }
 */
export function discoveryRequest(project: DiscoverProject, gateway: NominatedGateway): WatchRequest {
  const name = watchRequestSchema.shape.instance_name.safeParse(gateway.name);
  return {
    project_id: project.projectId,
    instance_id: gateway.id,
    region: project.region,
    instance_name: name.success ? (name.data ?? null) : null,
    context: {},
    origin: DISCOVERY_ORIGIN,
    operation: gateway.operation,
  };
}

/**
 * One discovery sweep: lists the gateways being created in each project and sends one watch
 * request per gateway (`origin: 'discovery'`) to the watch queue in batches of 10. Logs each
 * gateway with its project, counts `Discovered` per request sent and `DiscoveryFailures` (`stage`:
 * `list` or `send`). Sending the same gateway sweep after sweep is safe: the watcher joins or
 * drops a discovered request for a gateway it is watching or watched recently.
 *
 * @example
 * const summary = await discoverGateways(settings.projects, { lister, sender, log, metrics });
 * if (summary.failed) throw new Error('discovery incomplete');
 */
export async function discoverGateways(projects: readonly DiscoverProject[], ports: DiscoverPorts): Promise<DiscoverySummary> {
  const { log, metrics } = ports;
  const sweeps = await findNominatedGateways(projects, ports.lister, log);
  const summary: DiscoverySummary = { projects: [], failed: false };
  for (const sweep of sweeps) {
    const where = { project_id: sweep.project.projectId, region: sweep.project.region };
    if (sweep.error !== null) {
      log.error('could not list the gateways of a project', { ...where, error: sweep.error });
      metrics.count('DiscoveryFailures', 1, { stage: 'list' });
      summary.projects.push({ ...sweep, sent: 0, notSent: 0 });
      summary.failed = true;
      continue;
    }
    const results = await ports.sender.sendBatch(sweep.gateways.map((gateway) => discoveryRequest(sweep.project, gateway)));
    let sent = 0;
    sweep.gateways.forEach((gateway, index) => {
      const result = results[index] ?? { messageId: '', error: 'not sent' };
      const keys = { ...where, instance_id: gateway.id, instance_name: gateway.name, operation: gateway.operation, message_id: result.messageId };
      if (result.error === null) {
        sent += 1;
        log.info('gateway discovered', keys);
      } else {
        log.error('could not send the watch request of a discovered gateway', { ...keys, error: result.error });
      }
    });
    const notSent = results.length - sent;
    if (sent > 0) metrics.count('Discovered', sent);
    if (notSent > 0) {
      metrics.count('DiscoveryFailures', notSent, { stage: 'send' });
      summary.failed = true;
    }
    log.info('project swept', { ...where, nominated: sweep.gateways.length, sent });
    summary.projects.push({ ...sweep, sent, notSent });
  }
  return summary;
}
