import { readDiscoverSettings } from '../config/index.js';
import { resolveApigConfig } from '../config/index.js';
import { discoverGateways, type DiscoverySummary } from '../discover/index.js';
import { createInstanceLister, type GatewayLister } from '../discover/index.js';
import type { Log, Metrics } from '../watch/index.js';
import { createWatchRequestSender } from '../queue/index.js';
import { sqsClientFor } from '../queue/index.js';
import { readSecretReference } from './read-secret-reference.js';
import { cachedBySecrets } from './cached-by-secrets.js';
import { scaledClock } from './time-scale.js';

/** A sweep that could not list a project or send a request; the summary says which. */
export class DiscoveryIncompleteError extends Error {
  override readonly name = 'DiscoveryIncompleteError';
  constructor(readonly summary: DiscoverySummary) {
    const failed = summary.projects.filter((project) => project.error !== null || project.notSent > 0);
    super(
      `discovery incomplete in ${failed.length} of ${summary.projects.length} project(s): ${failed.map(({ project }) => `${project.region}:${project.projectId}`).join(', ')}`,
    );
  }
}

export interface Discoverer {
  /** One sweep of every configured project; resolves with nothing to do when discovery is off. */
  sweep(): Promise<DiscoverySummary>;
}

/**
 * The discover function's composition root: reads the settings once (failing fast, naming the
 * variable), builds the queue sender, and on each sweep reads the current secrets (through the
 * cached parameter layer, so rotation is picked up), building a new instance lister only when
 * they changed.
 *
 * @example
 * const discoverer = createDiscoverer(process.env, { log, metrics });
 * const summary = await discoverer.sweep();
 */
export function createDiscoverer(env: Record<string, string | undefined>, deps: { log: Log; metrics: Metrics }): Discoverer {
  const settings = readDiscoverSettings(env);
  const clock = scaledClock(settings.timeScale, settings.timeOriginMs ?? Date.now());
  const sender = createWatchRequestSender(sqsClientFor(settings), settings.watchQueueUrl);
  // Read on every sweep (through the cached parameter layer, so rotation is picked up); the lister is
  // kept while the credentials stay the same: its IAM token cache, and its memory of a refused login
  // (a password retried every sweep could lock the account), outlive a sweep.
  const currentLister = cachedBySecrets(
    () => resolveApigConfig(settings, readSecretReference),
    (apig): GatewayLister => createInstanceLister(apig, { log: deps.log, now: clock.now }),
    0,
  );

  return {
    async sweep() {
      if (settings.projects.length === 0) {
        deps.log.info('discovery is off: DISCOVER_PROJECTS is empty');
        return { projects: [], failed: false };
      }
      return discoverGateways(settings.projects, { lister: await currentLister(), sender, log: deps.log, metrics: deps.metrics });
    },
  };
}
