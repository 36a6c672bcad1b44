import { MetricUnit, type Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../watch/index.js';

/**
 * The `Metrics` port over Powertools Metrics (CloudWatch EMF). A metric with dimensions goes out
 * as its own EMF line, so its dimensions do not attach to the invocation's other metrics.
 *
 * @example
 * const metrics = metricsThrough(new Metrics({ namespace: 'ApigWatch', serviceName: 'apig-watch' }));
 * metrics.count('DiscoveryFailures', 1, { stage: 'list' });
 */
export function metricsThrough(metrics: PowertoolsMetrics): Metrics {
  const emit = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions?: Record<string, string>) => {
    if (!dimensions) return void metrics.addMetric(name, unit, value);
    const single = metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
    single.addMetric(name, unit, value);
  };
  return {
    count: (name, value = 1, dimensions) => emit(name, MetricUnit.Count, value, dimensions),
    milliseconds: (name, value, dimensions) => emit(name, MetricUnit.Milliseconds, value, dimensions),
  };
}
