import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Counts this process's outgoing HTTP calls by service and operation, from Node's own
 * `http.client.request.start` channel: nothing in the code under measurement is wrapped or
 * mocked. The AWS SDK names the operation in `X-Amz-Target` (`AmazonSQS.SendMessageBatch`,
 * `DynamoDB_20120810.UpdateItem`).
 */
export interface CallCounter {
  /** `service operation` → calls, e.g. `sqs SendMessageBatch`, `dynamodb UpdateItem`, `apig GET`, `webhook POST`. */
  counts(): Record<string, number>;
  reset(): void;
  stop(): void;
}

/**
 * Starts counting calls to the given loopback services, told apart by port.
 *
 * @example
 * const counter = countCalls({ sqs: 4566, dynamodb: 8000, apig: 9001, webhook: 9002 });
 * counter.counts() // { 'sqs SendMessageBatch': 30, 'dynamodb UpdateItem': 900, … }
 */
export function countCalls(portsByService: Record<string, number>): CallCounter {
  const serviceByPort = new Map(Object.entries(portsByService).map(([service, port]) => [String(port), service]));
  let counts: Record<string, number> = {};
  const onStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const port =
      String(request.getHeader('host') ?? '')
        .split(':')
        .at(-1) ?? '';
    const service = serviceByPort.get(port) ?? 'other';
    const target = request.getHeader('x-amz-target');
    const operation = typeof target === 'string' ? (target.split('.').at(-1) ?? target) : request.method;
    const key = `${service} ${operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
  };
  diagnosticsChannel.subscribe('http.client.request.start', onStart);
  return {
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    stop: () => diagnosticsChannel.unsubscribe('http.client.request.start', onStart),
  };
}

/** The sum of the counts whose key starts with `prefix` (a service, or `service operation`). */
export function callsOf(counts: Record<string, number>, prefix: string, operations?: readonly string[]): number {
  return Object.entries(counts)
    .filter(([key]) => key.startsWith(`${prefix} `) && (operations === undefined || operations.includes(key.slice(prefix.length + 1))))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** The port of a URL, with the scheme's default when none is written. */
export function portOf(url: string): number {
  const parsed = new URL(url);
  return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
}
