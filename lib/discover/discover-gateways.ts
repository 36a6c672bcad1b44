import { type Log, type Metrics, DISCOVERY_ORIGIN, watchRequestSchema, type WatchRequest } from '../watch/index.js';
import type { WatchRequestSender } from '../queue/watch-request-sender.js';
import { isBeingCreated, type GatewayLister, type ListedInstance } from './instance-list-client.js';
import type { DiscoverProject } from './projects.js';

/** What one project's sweep saw: the gateways being created, or why it could not list them. */
export interface ProjectSweep {
  project: DiscoverProject;
  /** Gateways being created that can be watched (a listed id that is not a Huawei id is left out, with a warning). */
  gateways: ListedInstance[];
  error: string | null;
}

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
 * Lists the gateways being created in each project, projects concurrently. A project that cannot
 * be listed is reported with its error and does not stop the others.
 *
 * @example
 * const sweeps = await findCreatingGateways(projects, lister, log);
 * sweeps[0]; // { project: { region, projectId }, gateways: [{ id, name, status: 'Creating' }], error: null }
 */
export async function findCreatingGateways(projects: readonly DiscoverProject[], lister: GatewayLister, log: Log): Promise<ProjectSweep[]> {
  return Promise.all(
    projects.map(async (project) => {
      try {
        const listed = await lister.listGateways(project);
        const gateways = listed.filter((gateway) => {
          if (!isBeingCreated(gateway.status)) return false;
          const valid = watchRequestSchema.shape.instance_id.safeParse(gateway.id).success;
          if (!valid) log.warn('listed gateway has an id that cannot be watched; skipped', { project_id: project.projectId, region: project.region });
          return valid;
        });
        return { project, gateways, error: null };
      } catch (error) {
        return { project, gateways: [], error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
    }),
  );
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
export function discoveryRequest(project: DiscoverProject, gateway: ListedInstance): WatchRequest {
  const name = watchRequestSchema.shape.instance_name.safeParse(gateway.name);
  return {
    project_id: project.projectId,
    instance_id: gateway.id,
    region: project.region,
    instance_name: name.success ? (name.data ?? null) : null,
    context: {},
    origin: DISCOVERY_ORIGIN,
    operation: 'creation',
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
  const sweeps = await findCreatingGateways(projects, ports.lister, log);
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
      const keys = { ...where, instance_id: gateway.id, instance_name: gateway.name, message_id: result.messageId };
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
    log.info('project swept', { ...where, creating: sweep.gateways.length, sent });
    summary.projects.push({ ...sweep, sent, notSent });
  }
  return summary;
}
