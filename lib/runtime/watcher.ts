import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sqsClientFor } from '../queue/index.js';
import { createProgressSource } from '../apig/index.js';
import { createApigRequester } from '../apig/index.js';
import { createInstanceDetailSource } from '../apig/index.js';
import { readSettings } from '../config/index.js';
import { resolveRuntimeConfig, type RuntimeConfig } from '../config/index.js';
import { ConfigError } from '../config-error.js';
import { type Log, type Clock, type Metrics, type IncomingRecord, type WatchPorts, processBatch, pollScheduleFor } from '../watch/index.js';
import { createNotifier } from '../notify/index.js';
import type { PostSpacing } from '../notify/index.js';
import { createSqsWatchQueue } from '../queue/index.js';
import { createDynamoPostSpacing } from '../store/index.js';
import { createDynamoStepStore } from '../store/index.js';
import { readSecretReference } from './read-secret-reference.js';
import { cachedBySecrets } from './cached-by-secrets.js';
import { scaledClock, scaledDelays } from './time-scale.js';

/** How long resolved secrets are trusted before they are read again (they may rotate). */
const RUNTIME_CONFIG_TTL_MS = 5 * 60_000;

export interface Watcher {
  processBatch(records: IncomingRecord[], invocationDeadlineMs: number): Promise<{ failedMessageIds: string[] }>;
}

export interface WatcherDeps {
  log: Log;
  metrics: Metrics;
  /** Wraps the real ports before each batch: instrumentation, or the fault-injection tests' crashes. */
  adaptPorts?: (ports: WatchPorts) => WatchPorts;
}

/**
 * The composition root: reads the settings once (failing fast, naming the variable), builds the
 * AWS clients, and on each batch the ports from the current secrets. The handler only calls it.
 *
 * @example
 * const watcher = createWatcher(process.env, { log: logger, metrics });
 * await watcher.processBatch(event.Records, Date.now() + context.getRemainingTimeInMillis());
 */
export function createWatcher(env: Record<string, string | undefined>, deps: WatcherDeps): Watcher {
  const settings = readSettings(env);
  const watchSettings = { ...settings, pollSchedule: pollScheduleFor(settings.pollProfile) };
  const clock = scaledClock(settings.timeScale, settings.timeOriginMs ?? Date.now());
  const queue = scaledDelays(createSqsWatchQueue(sqsClientFor(settings), settings.watchQueueUrl, settings.deadLetterQueueUrl), settings.timeScale);
  // Middleware resolved once per command class, not on every call: the ports never add any per call.
  const dynamo = new DynamoDBClient({ cacheMiddleware: true });
  const store = createDynamoStepStore(dynamo, settings.tableName);
  // Every container keeps the same pace per target: Slack's rate is the webhook's, not a container's.
  const spacing = createDynamoPostSpacing(dynamo, settings.tableName);
  const currentPorts = cachedBySecrets(
    () => resolveRuntimeConfig(settings, readSecretReference),
    (config) => buildPorts(config, clock, deps.log, spacing),
    RUNTIME_CONFIG_TTL_MS,
  );

  return {
    async processBatch(records, invocationDeadlineMs) {
      const ports: WatchPorts = { ...(await currentPorts()), queue, store, clock, log: deps.log, metrics: deps.metrics };
      return processBatch(records, deps.adaptPorts ? deps.adaptPorts(ports) : ports, watchSettings, invocationDeadlineMs);
    },
  };
}

/** Huawei requests are signed and tokens expire on the watcher's clock (scaled in the demo and tests). */
function buildPorts(config: RuntimeConfig, clock: Clock, log: Log, spacing: PostSpacing) {
  if (config.stateKeys === null) throw new ConfigError('STATE_SIGNING_KEY is required');
  const requester = createApigRequester(config.apig, { log, now: clock.now });
  return {
    stateKeys: config.stateKeys,
    progressSource: createProgressSource(config.apig, { requester }),
    instanceDetails: createInstanceDetailSource(config.apig, { requester }),
    notifier: createNotifier({ webhookSecret: config.webhookSecret, webhookSecretPrevious: config.webhookSecretPrevious, log, spacing }),
    targets: config.targets,
  };
}
