/**
 * How a simulated gateway's creation unfolds, and what Huawei's APIs answer about it at a given
 * moment: plain functions of the gateway and the time, shaped like the examples of Huawei's API
 * pages (progress 0 and the error fields in failed answers, `end_time` filled in while creating).
 */

/** How a simulated gateway's creation unfolds, offsets counted from `createdAtMs`. */
export interface SimulatedGateway {
  projectId: string;
  instanceId: string;
  /** Default: the simulator's clock when added. */
  createdAtMs?: number;
  /** Progress reached at each offset; before the first step the progress is 0. */
  steps: { atMs: number; progress: number }[];
  /** `null`: the creation never finishes. A failure defaults to APIC.9206 `create failed...`. */
  finish: { atMs: number; status: 'success' | 'failed'; errorCode?: string; errorMsg?: string } | null;
  /** Unit of `start_time` and `end_time`; Huawei's examples use milliseconds (default). */
  startTimeUnit?: 'ms' | 's';
  statusCase?: 'lower' | 'upper';
  /** Reported instead of `creating` until the creation finishes. */
  unknownStatus?: string;
  /** `instance_name` in the instance list. Default: `gw-` and the first 8 characters of the id. */
  instanceName?: string;
  /**
   * The instance list's `status`, fixed (e.g. `Running` for a gateway created long ago). Default:
   * `Creating` until the creation finishes (and `listLagMs` longer), then `Running` or `CreateFail`.
   */
  listStatus?: string;
  /** How long the instance list still says `Creating` after the progress API reported the end. */
  listLagMs?: number;
}

/** A gateway as the simulator holds it: its creation time fixed. */
export type StoredGateway = SimulatedGateway & { createdAtMs: number };

/** ListInstancesV2's `limit`: 1–500, default 20. */
const LIST_DEFAULT_LIMIT = 20;
const LIST_MAX_LIMIT = 500;

/**
 * The progress API's 200 body at `nowMs`.
 *
 * @example
 * progressAnswer({ projectId, instanceId, createdAtMs: 0, steps: [{ atMs: 0, progress: 30 }], finish: null }, 5_000)
 * // { end_time: 5000, error_code: null, error_msg: null, progress: 30, start_time: 0, status: 'creating' }
 */
export function progressAnswer(gateway: StoredGateway, nowMs: number): Record<string, unknown> {
  const elapsedMs = nowMs - gateway.createdAtMs;
  const { finish } = gateway;
  const finished = finish !== null && elapsedMs >= finish.atMs;
  const failed = finished && finish.status === 'failed';
  const reached = gateway.steps.filter((step) => step.atMs <= elapsedMs).sort((a, b) => a.atMs - b.atMs);
  const status = finished ? finish.status : (gateway.unknownStatus ?? 'creating');
  const stamp = (ms: number): number => (gateway.startTimeUnit === 's' ? Math.floor(ms / 1000) : ms);
  return {
    // Huawei fills end_time in while creating too; here it is "now" until the creation ends.
    end_time: stamp(finished ? gateway.createdAtMs + finish.atMs : nowMs),
    error_code: failed ? (finish.errorCode ?? 'APIC.9206') : null,
    error_msg: failed ? (finish.errorMsg ?? 'create failed...') : null,
    progress: finished ? (failed ? 0 : 100) : (reached.at(-1)?.progress ?? 0),
    start_time: stamp(gateway.createdAtMs),
    status: gateway.statusCase === 'upper' ? status.toUpperCase() : status,
  };
}

/** One item of ListInstancesV2. */
export type ListedInstance = ReturnType<typeof listedInstance>;

/**
 * One item of ListInstancesV2, as the instance list shows the gateway at `nowMs`.
 *
 * @example
 * listedInstance(gateway, nowMs).status // 'Creating', later 'Running' or 'CreateFail'
 */
export function listedInstance(gateway: StoredGateway, nowMs: number) {
  const { finish } = gateway;
  const endedAtMs = finish === null ? Number.POSITIVE_INFINITY : gateway.createdAtMs + finish.atMs + (gateway.listLagMs ?? 0);
  const derived = nowMs < endedAtMs ? 'Creating' : finish?.status === 'success' ? 'Running' : 'CreateFail';
  return {
    id: gateway.instanceId,
    instance_name: gateway.instanceName ?? `gw-${gateway.instanceId.slice(0, 8)}`,
    status: gateway.listStatus ?? derived,
    instance_status: 0,
    type: 'apig',
    spec: 'BASIC',
    create_time: gateway.createdAtMs,
    enterprise_project_id: '0',
    eip_address: null,
    charging_mode: 0,
    cbc_metadata: null,
    loadbalancer_provider: 'elb',
  };
}

/**
 * ListInstancesV2's answer for one project at `nowMs`: newest first, filtered by exact `status`,
 * paged by `offset`/`limit`; `null` when `limit` or `offset` is out of range (Huawei answers 400).
 *
 * @example
 * instanceListPage(gateways, projectId, new URLSearchParams('status=Creating&limit=2'), nowMs)
 * // { size: 2, total: 3, instances: [{ id, instance_name, status: 'Creating', … }, …] }
 */
export function instanceListPage(
  gateways: Iterable<StoredGateway>,
  projectId: string,
  query: URLSearchParams,
  nowMs: number,
): { size: number; total: number; instances: ListedInstance[] } | null {
  const limit = Number(query.get('limit') ?? LIST_DEFAULT_LIMIT);
  const offset = Number(query.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT || !Number.isInteger(offset) || offset < 0) return null;
  const status = query.get('status');
  const listed = [...gateways]
    .filter((gateway) => gateway.projectId === projectId)
    .map((gateway) => listedInstance(gateway, nowMs))
    .filter((instance) => status === null || instance.status === status)
    .sort((a, b) => b.create_time - a.create_time || a.id.localeCompare(b.id));
  const page = listed.slice(offset, offset + limit);
  return { size: page.length, total: listed.length, instances: page };
}
