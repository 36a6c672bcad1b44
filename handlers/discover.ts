import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { logThrough } from '../lib/runtime/index.js';
import { metricsThrough } from '../lib/runtime/index.js';
import { createDiscoverer, DiscoveryIncompleteError } from '../lib/runtime/index.js';

const logger = new Logger({ serviceName: 'apig-watch' });
const metrics = new Metrics({ namespace: 'ApigWatch', serviceName: 'apig-watch', logger });
const discoverer = createDiscoverer(process.env, { log: logThrough(logger), metrics: metricsThrough(metrics) });

/**
 * EventBridge schedule → one discovery sweep. Fails the invocation (Lambda's `Errors` metric, the
 * discover-errors alarm) when a project could not be listed or a request not sent, after the rest
 * of the sweep was done.
 */
async function discover(_event: ScheduledEvent): Promise<{ projects: number; discovered: number }> {
  const summary = await discoverer.sweep();
  if (summary.failed) throw new DiscoveryIncompleteError(summary);
  return { projects: summary.projects.length, discovered: summary.projects.reduce((sum, project) => sum + project.sent, 0) };
}

export const handler = middy(discover).use(injectLambdaContext(logger)).use(logMetrics(metrics));
