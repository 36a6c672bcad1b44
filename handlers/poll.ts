import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logThrough } from '../lib/runtime/index.js';
import { createWatcher } from '../lib/runtime/index.js';

const logger = new Logger({ serviceName: 'apig-watch' });
// Metrics' own warnings (e.g. "No application metrics to publish" after an invocation that only
// dropped a duplicate) go through the logger: structured, and subject to POWERTOOLS_LOG_LEVEL.
const metrics = new Metrics({ namespace: 'ApigWatch', serviceName: 'apig-watch', logger });

const watcher = createWatcher(process.env, {
  log: logThrough(logger),
  metrics: {
    count: (name, value = 1, dimensions) => emit(name, MetricUnit.Count, value, dimensions),
    milliseconds: (name, value, dimensions) => emit(name, MetricUnit.Milliseconds, value, dimensions),
  },
});

// A metric with its own dimensions goes out at once through this one instance, which forgets them
// as it publishes: `singleMetric()` builds a whole `Metrics` (reading the environment) per call.
const singleMetric = metrics.singleMetric();

function emit(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions?: Record<string, string>) {
  if (!dimensions) return void metrics.addMetric(name, unit, value);
  for (const [key, dimension] of Object.entries(dimensions)) singleMetric.addDimension(key, dimension);
  singleMetric.addMetric(name, unit, value);
}

/** SQS → the watcher; failures are reported per record (`ReportBatchItemFailures`). */
async function pollWatchQueue(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const deadlineMs = Date.now() + context.getRemainingTimeInMillis();
  const { failedMessageIds } = await watcher.processBatch(event.Records, deadlineMs);
  return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(pollWatchQueue).use(injectLambdaContext(logger)).use(logMetrics(metrics));
