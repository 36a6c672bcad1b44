import { mayStartWatch } from '../lib/watch/watch-lifetime.js';
import type { GatewayWatch, StepRecord, StepStore } from '../lib/watch/ports.js';

/**
 * The DynamoDB store's semantics over Maps (put-if-absent steps, the start rule of `mayStartWatch`),
 * for tests of the use case's own logic and the polling benchmark. `writes` counts what would be
 * DynamoDB writes. The step-store contract test runs it beside the DynamoDB store.
 */
export function memoryStepStore(): StepStore & { writes: number } {
  const steps = new Map<string, StepRecord>();
  const gateways = new Map<string, GatewayWatch>();
  const settled = new Map<string, Set<string>>();
  const id = (key: { watchId: string; step: number }) => `${key.watchId}#${key.step}`;
  const store = {
    writes: 0,
    async recordStep(key, record) {
      const existing = steps.get(id(key));
      if (existing) return { recorded: false, existing };
      store.writes += 1;
      steps.set(id(key), record);
      return { recorded: true };
    },
    async readStep(key) {
      return steps.get(id(key)) ?? null;
    },
    async startWatch(gatewayKey, watch, nowMs, policy) {
      const current = gateways.get(gatewayKey) ?? null;
      if (current !== null && !mayStartWatch(current, watch.watchId, nowMs, policy)) return { started: false, current };
      store.writes += 1;
      gateways.set(gatewayKey, watch);
      return { started: true };
    },
    async endWatch(gatewayKey, watchId, nowMs) {
      const current = gateways.get(gatewayKey);
      if (current?.watchId !== watchId || current.endedAtMs !== null) return;
      store.writes += 1;
      gateways.set(gatewayKey, { ...current, endedAtMs: nowMs });
    },
    async currentWatch(gatewayKey) {
      return gateways.get(gatewayKey) ?? null;
    },
    async settledTargets(eventId) {
      return new Set(settled.get(eventId) ?? []);
    },
    async recordSettled(eventId, targetId) {
      store.writes += 1;
      settled.set(eventId, new Set([...(settled.get(eventId) ?? []), targetId]));
    },
  } satisfies StepStore & { writes: number };
  return store;
}
