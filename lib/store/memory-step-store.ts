import { mayStartWatch, type ClaimResult, type GatewayWatch, type StepRecord, type StepStore } from '../watch/index.js';

/**
 * The DynamoDB store's semantics over Maps (put-if-absent steps, the start rule of `mayStartWatch`,
 * no watch started twice, delivery claims on `now`), for tests of the use case's own logic and the
 * polling benchmark. `writes` counts what would be DynamoDB writes. The step-store contract test
 * runs it beside the DynamoDB store.
 */
export function memoryStepStore(now: () => number = Date.now): StepStore & { writes: number } {
  const steps = new Map<string, StepRecord>();
  const gateways = new Map<string, GatewayWatch>();
  const startedWatchIds = new Map<string, Set<string>>();
  const settled = new Map<string, Set<string>>();
  const claims = new Map<string, number>();
  const claimKey = (eventId: string, targetId: string) => `${eventId}#${targetId}`;
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
    async recordWatch(gatewayKey, watch, nowMs, policy) {
      const current = gateways.get(gatewayKey) ?? null;
      const started = startedWatchIds.get(gatewayKey) ?? new Set<string>();
      if (current !== null && (!mayStartWatch(current, watch.watchId, nowMs, policy) || started.has(watch.watchId))) return { started: false, current };
      store.writes += 1;
      gateways.set(gatewayKey, watch);
      startedWatchIds.set(gatewayKey, started.add(watch.watchId));
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
    async claimDelivery(eventId, targetId, heldUntilMs): Promise<ClaimResult> {
      if (settled.get(eventId)?.has(targetId)) return { kind: 'settled' };
      const heldUntil = claims.get(claimKey(eventId, targetId));
      if (heldUntil !== undefined && heldUntil >= now()) return { kind: 'held', untilMs: heldUntil };
      store.writes += 1;
      claims.set(claimKey(eventId, targetId), heldUntilMs);
      return { kind: 'claimed' };
    },
    async releaseDelivery(eventId, targetId, heldUntilMs) {
      if (claims.get(claimKey(eventId, targetId)) !== heldUntilMs) return;
      store.writes += 1;
      claims.delete(claimKey(eventId, targetId));
    },
    async recordSettled(eventId, targetId) {
      store.writes += 1;
      settled.set(eventId, new Set([...(settled.get(eventId) ?? []), targetId]));
    },
  } satisfies StepStore & { writes: number };
  return store;
}
