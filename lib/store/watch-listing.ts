import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type Outcome,
  type OutcomeEvent,
  type GatewayWatch,
  type StepRecord,
  unverifiedStateOf,
  type WatchState,
  isWatchActive,
  type Operation,
} from '../watch/index.js';
import { ITEM_KEY_PREFIXES, gatewayWatchFrom, recordFrom } from './step-store.js';

/**
 * The read model of the watch table: what `apig-watch list` shows, decoded from the items the
 * step store writes (lib/store/step-store.ts). It needs no signing key: the states it reads are
 * shown, never acted on.
 */

/**
 * Where a watch stands: `active` (polling, or waiting for its next look), `ended` (its outcome is
 * decided), `lost` (never ended, yet past its deadline or replaced by a newer watch of its
 * gateway: its chain broke, look in the dead-letter queue).
 */
export type WatchPhase = 'active' | 'ended' | 'lost';

/** One watch as `apig-watch list --json` prints it. Times are ISO 8601, on the watcher's clock. */
export interface WatchListing {
  watch_id: string;
  phase: WatchPhase;
  project_id: string;
  instance_id: string;
  instance_name: string | null;
  region: string;
  /** What is being watched: the gateway's creation, resize, update, deletion, restart, or health. */
  operation: Operation;
  /** Huawei's last status (`creating`, `success`, …), `null` before the first answer. */
  status: string | null;
  progress: number | null;
  polls: number;
  started_at: string | null;
  /** When the watcher looks again (active watches only). */
  next_look_at: string | null;
  outcome: Outcome | null;
  error_code: string | null;
  ended_at: string | null;
  /** Ids of the targets that have the outcome (delivered, or refused it for good), as `test-notify` shows them after `#`. */
  settled_targets: string[];
  context: Record<string, string>;
}

/**
 * Reads every watch in the table (a paginated Scan: the caller needs `dynamodb:Scan` on it),
 * active ones first, newest first.
 *
 * @example
 * const watches = await scanWatches(new DynamoDBClient({}), 'apig-watch-prod-watches', Date.now());
 * watches.filter((watch) => watch.phase === 'active');
 */
export async function scanWatches(client: DynamoDBClient, tableName: string, nowMs: number): Promise<WatchListing[]> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return watchesFromItems(items, nowMs);
}

/**
 * The watches that table items tell of: each gateway's current watch (its `gateway#` item) and
 * every earlier watch whose steps are still on record. Items it cannot read are left out.
 *
 * @example
 * watchesFromItems(page.Items ?? [], Date.now()).map((watch) => watch.phase) // ['active', 'ended']
 */
export function watchesFromItems(items: Record<string, AttributeValue>[], nowMs: number): WatchListing[] {
  const current = new Map<string, GatewayWatch>();
  const steps = new Map<string, Map<number, StepRecord>>();
  const settled = new Map<string, string[]>();
  for (const item of items) {
    const pk = item.pk?.S ?? '';
    try {
      if (pk.startsWith(ITEM_KEY_PREFIXES.gateway)) {
        const watch = gatewayWatchFrom(item);
        current.set(watch.watchId, watch);
      } else if (pk.startsWith(ITEM_KEY_PREFIXES.step)) {
        const [watchId = '', step = ''] = pk.slice(ITEM_KEY_PREFIXES.step.length).split('#');
        if (!steps.has(watchId)) steps.set(watchId, new Map());
        steps.get(watchId)?.set(Number(step), recordFrom(item));
      } else if (pk.startsWith(ITEM_KEY_PREFIXES.delivery)) {
        settled.set(pk.slice(ITEM_KEY_PREFIXES.delivery.length), item.settled?.SS ?? []);
      }
    } catch {
      // Not a record this version writes (or a damaged one): nothing to show.
    }
  }
  const watchIds = new Set([...current.keys(), ...steps.keys()]);
  const listings = [...watchIds].flatMap((watchId) => {
    const records = new Map(steps.get(watchId));
    const gateway = current.get(watchId) ?? null;
    if (gateway) records.set(0, gateway.step0);
    const listing = listingOf(watchId, records, gateway, settled, nowMs);
    return listing ? [listing] : [];
  });
  return listings.sort((a, b) => phaseOrder(a) - phaseOrder(b) || (b.started_at ?? '').localeCompare(a.started_at ?? ''));
}

function listingOf(
  watchId: string,
  records: Map<number, StepRecord>,
  gateway: GatewayWatch | null,
  settled: Map<string, string[]>,
  nowMs: number,
): WatchListing | null {
  const ordered = [...records.entries()].sort(([a], [b]) => a - b).map(([, record]) => record);
  const terminal = ordered.find((record) => record.decision.kind !== 'successor');
  const event: OutcomeEvent | null = terminal?.decision.kind === 'terminal' ? terminal.decision.event : null;
  const lastSuccessor = ordered.findLast((record) => record.decision.kind === 'successor');
  const state: WatchState | null = lastSuccessor?.decision.kind === 'successor' ? unverifiedStateOf(lastSuccessor.decision.message.body) : null;
  const gatewayFacts = state?.request ?? event?.data;
  if (!gatewayFacts) return null;
  const phase: WatchPhase = terminal ? 'ended' : gateway && isWatchActive(gateway, nowMs) ? 'active' : 'lost';
  const operation = state?.request.operation ?? event?.data.operation ?? 'creation';
  // A creation shows the progress API's status; the other operations Huawei's instance status.
  const status =
    operation === 'creation'
      ? event
        ? event.data.status
        : (state?.last?.status ?? null)
      : event
        ? event.data.instance_status
        : (state?.instance?.status ?? null);
  const latest = ordered.at(-1);
  const nextLookMs = phase === 'active' && latest?.decision.kind === 'successor' ? latest.decidedAtMs + latest.decision.message.delaySeconds * 1000 : null;
  const startedMs = state?.requested_at ?? records.get(0)?.decidedAtMs ?? null;
  return {
    watch_id: watchId,
    phase,
    project_id: gatewayFacts.project_id,
    instance_id: gatewayFacts.instance_id,
    instance_name: gatewayFacts.instance_name ?? null,
    region: gatewayFacts.region,
    operation,
    status,
    progress: event ? event.data.progress : (state?.last?.progress ?? null),
    polls: event ? event.data.polls : (state?.polls ?? 0),
    started_at: startedMs === null ? (event?.data.started_at ?? null) : isoOf(startedMs),
    next_look_at: nextLookMs === null ? null : isoOf(nextLookMs),
    outcome: event?.data.outcome ?? null,
    error_code: event?.data.error_code ?? null,
    ended_at: terminal ? isoOf(terminal.decidedAtMs) : null,
    settled_targets: event ? [...(settled.get(event.id) ?? [])].sort() : [],
    context: gatewayFacts.context ?? {},
  };
}

const PHASE_ORDER: Readonly<Record<WatchPhase, number>> = { active: 0, lost: 1, ended: 2 };

function phaseOrder(listing: WatchListing): number {
  return PHASE_ORDER[listing.phase];
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
