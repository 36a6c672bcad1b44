import type { DeliveryResult, Notifier, Target } from '../../lib/watch/ports/notifier.js';
import type { Log, Metrics } from '../../lib/watch/ports/observability.js';
import type { ProgressReport, ProgressSource } from '../../lib/watch/ports/progress-source.js';
import type { MessageRetry, OutgoingMessage, WatchQueue } from '../../lib/watch/ports/watch-queue.js';

/** Small in-memory stand-ins for the use case's ports, for tests of the use case's own logic. */

export interface LogLine {
  level: keyof Log;
  message: string;
  extra: Record<string, unknown>;
}

export function recordingLog(): Log & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: keyof Log) =>
    (message: string, extra: Record<string, unknown> = {}) =>
      void lines.push({ level, message, extra });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function recordingMetrics(): Metrics & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const key = (name: string, dimensions?: Record<string, string>) =>
    dimensions
      ? `${name}{${Object.entries(dimensions)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}}`
      : name;
  return {
    counts,
    count: (name, value = 1, dimensions) => void counts.set(key(name, dimensions), (counts.get(key(name, dimensions)) ?? 0) + value),
    milliseconds: () => undefined,
  };
}

/** A queue that records each `sendBatch` call and can refuse chosen bodies. */
export function recordingQueue(refuse: (message: OutgoingMessage) => boolean = () => false): WatchQueue & {
  batches: OutgoingMessage[][];
  deadLetters: { body: string; reason: string }[];
  retries: MessageRetry[];
} {
  const batches: OutgoingMessage[][] = [];
  const deadLetters: { body: string; reason: string }[] = [];
  const retries: MessageRetry[] = [];
  return {
    batches,
    deadLetters,
    retries,
    async sendBatch(messages) {
      batches.push(messages);
      return new Map(messages.filter(refuse).map((message) => [message.id, 'refused by the test']));
    },
    async sendToDeadLetter(body, reason) {
      deadLetters.push({ body, reason });
    },
    async retryLater(messages) {
      retries.push(...messages);
    },
  };
}

/** A progress source answering `report` after `delayMs`, counting calls and the most in flight at once. */
export function scriptedProgress(report: () => ProgressReport, delayMs = 0): ProgressSource & { calls: number; maxInFlight: number } {
  let inFlight = 0;
  const source = {
    calls: 0,
    maxInFlight: 0,
    async fetchProgress() {
      source.calls += 1;
      inFlight += 1;
      source.maxInFlight = Math.max(source.maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight -= 1;
      return report();
    },
  };
  return source;
}

export function recordingNotifier(answer: (target: Target) => DeliveryResult = () => ({ status: 'delivered', attempts: 1, httpStatus: 200 })): Notifier & {
  deliveries: { eventId: string; targetId: string }[];
} {
  const deliveries: { eventId: string; targetId: string }[] = [];
  return {
    deliveries,
    async deliver(event, target) {
      deliveries.push({ eventId: event.id, targetId: target.id });
      return answer(target);
    },
  };
}

export function target(id: string): Target {
  return { id, type: 'webhook', url: `http://127.0.0.1:9/${id}`, display: `webhook 127.0.0.1 #${id}` };
}

export { memoryStepStore } from '../../lib/store/memory-step-store.js';
