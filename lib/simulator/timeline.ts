import { instanceStatusCode } from '../apig/index.js';

/**
 * How a simulated gateway's life unfolds — its creation, then what happens to it — and what
 * Huawei's APIs answer about it at a given moment: plain functions of the gateway and the time,
 * shaped like the examples of Huawei's API pages (progress 0 and the error fields in failed
 * answers, `end_time` filled in while creating; the instance detail's fields as Huawei names them).
 */

/** `end` of a phase script meaning that the gateway no longer exists (Huawei answers "instance not found"). */
export const GONE = 'gone';

/** One instance status, held for `forMs`. */
export interface StatusPhase {
  status: string;
  forMs: number;
}

/**
 * Instance statuses one after the other, then `end` for good: a Huawei status (`Running`,
 * `ResizeFailed`, `InstallTimeout`…) or `GONE`.
 */
export interface StatusScript {
  phases: StatusPhase[];
  end: string;
}

/** A scripted operation on the gateway, or a health change, from `atMs` (counted from `createdAtMs`). */
export interface SimulatedOperation extends StatusScript {
  /** What it stands for, for people; the statuses are what is served. */
  operation: 'resize' | 'update' | 'deletion' | 'restart' | 'health';
  atMs: number;
}

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
  /** `instance_name` in the instance list and detail. Default: `gw-` and the first 8 characters of the id. */
  instanceName?: string;
  /**
   * The instance status from the moment the progress API reports the creation's end: e.g.
   * `Initing`, `Installing`, `CreateSuccess` for a while, then `Running` — or `InstallFailed` after
   * a successful progress. Default: at once `Running` after a success, `CreateFail` after a failure.
   */
  afterCreation?: StatusScript;
  /** Operations and health changes; each one, from its `atMs`, decides the status (the latest begun wins; `GONE` is for good). */
  operations?: SimulatedOperation[];
  /** Fields of the instance detail (and list items) instead of the simulator's, e.g. `{ eip_address: null }`. */
  detailFields?: Record<string, unknown>;
  /** The instance list's `status`, fixed, whatever the detail says (e.g. `Running` for a gateway created long ago). */
  listStatus?: string;
  /** How far the instance list lags behind the instance status, e.g. still `Creating` after the progress API reported the end. */
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

/**
 * The gateway's instance status at `nowMs`: `Creating` until the progress API reports the end,
 * then its `afterCreation` script, each operation's script from its `atMs` on; `null` once a
 * script ended `GONE` (the gateway no longer exists, and stays so).
 *
 * @example
 * const gateway = { projectId, instanceId, createdAtMs: 0, steps: [], finish: { atMs: 60_000, status: 'success' },
 *   afterCreation: { phases: [{ status: 'Initing', forMs: 30_000 }], end: 'Running' },
 *   operations: [{ operation: 'deletion', atMs: 600_000, phases: [{ status: 'Deleting', forMs: 60_000 }], end: GONE }] };
 * instanceStatusAt(gateway, 10_000)  // 'Creating'
 * instanceStatusAt(gateway, 70_000)  // 'Initing'
 * instanceStatusAt(gateway, 100_000) // 'Running'
 * instanceStatusAt(gateway, 630_000) // 'Deleting'
 * instanceStatusAt(gateway, 700_000) // null
 */
export function instanceStatusAt(gateway: StoredGateway, nowMs: number): string | null {
  const elapsedMs = nowMs - gateway.createdAtMs;
  const { finish } = gateway;
  let status: string | null = 'Creating';
  if (finish !== null && elapsedMs >= finish.atMs) {
    const script = gateway.afterCreation ?? { phases: [], end: finish.status === 'success' ? 'Running' : 'CreateFail' };
    status = statusInScript(script, elapsedMs - finish.atMs);
  }
  const begun = (gateway.operations ?? []).filter((operation) => operation.atMs <= elapsedMs).sort((a, b) => a.atMs - b.atMs);
  for (const operation of begun) {
    if (status === null) break;
    status = statusInScript(operation, elapsedMs - operation.atMs);
  }
  return status;
}

/** The status `sinceMs` into a script; `null` for an end `GONE`. */
function statusInScript(script: StatusScript, sinceMs: number): string | null {
  let phaseEndMs = 0;
  for (const phase of script.phases) {
    phaseEndMs += phase.forMs;
    if (sinceMs < phaseEndMs) return phase.status;
  }
  return script.end === GONE ? null : script.end;
}

/**
 * The fields ListInstancesV2 and ShowDetailsOfInstanceV2 share (Huawei's `RespInstanceBase`), for
 * a gateway in `status`; values plausible, the addresses derived from the id.
 */
function instanceBase(gateway: StoredGateway, status: string) {
  return {
    id: gateway.instanceId,
    project_id: gateway.projectId,
    instance_name: gateway.instanceName ?? `gw-${gateway.instanceId.slice(0, 8)}`,
    status,
    instance_status: instanceStatusCode(status),
    type: 'apig',
    spec: 'PROFESSIONAL',
    create_time: gateway.createdAtMs,
    enterprise_project_id: '0',
    eip_address: publicAddressOf(gateway),
    charging_mode: 0,
    cbc_metadata: null,
    loadbalancer_provider: 'elb',
  };
}

/** One octet from the id, so each gateway has addresses of its own. */
const octetOf = (gateway: StoredGateway): number => (Number.parseInt(gateway.instanceId.slice(0, 2), 16) % 250) + 2;
/** In TEST-NET-3 (RFC 5737), an address that reaches nobody. */
const publicAddressOf = (gateway: StoredGateway): string => `203.0.113.${octetOf(gateway)}`;
const privateAddressOf = (gateway: StoredGateway): string => `192.168.0.${octetOf(gateway)}`;

/**
 * ShowDetailsOfInstanceV2's 200 body for a gateway in `status`, its fields named as in Huawei's
 * example answer, with `detailFields` over them.
 *
 * @example
 * instanceDetailAnswer(gateway, 'Running')
 * // { id, project_id, instance_name: 'gw-5a5a5a5a', status: 'Running', instance_status: 6, spec: 'PROFESSIONAL',
 * //   eip_address: '203.0.113.92', ingress_ip: '192.168.0.92', enterprise_project_id: '0', … }
 */
export function instanceDetailAnswer(gateway: StoredGateway, status: string): Record<string, unknown> {
  return {
    ...instanceBase(gateway, status),
    description: '',
    vpc_id: '1a2b3c4d-0000-4000-8000-00000000000a',
    subnet_id: '1a2b3c4d-0000-4000-8000-00000000000b',
    security_group_id: '1a2b3c4d-0000-4000-8000-00000000000c',
    maintain_begin: '22:00:00',
    maintain_end: '02:00:00',
    ingress_ip: privateAddressOf(gateway),
    user_id: '2c1f0b4e8d7a4b6c9e3d5f7a1b2c3d4e',
    nat_eip_address: '203.0.113.1',
    bandwidth_size: 5,
    bandwidth_charging_mode: 'traffic',
    available_zone_ids: '[ap-southeast-1a]',
    instance_version: '2.0.0',
    supported_features: ['gateway_responses', 'ratelimit', 'request_body_size', 'backend_timeout'],
    node_ips: { livedata: [], shubao: [] },
    publicips: [{ ip_address: publicAddressOf(gateway), bandwidth_size: 5 }],
    privateips: [{ ip_address: privateAddressOf(gateway) }],
    is_releasable: true,
    ...gateway.detailFields,
  };
}

/** One item of ListInstancesV2. */
export type ListedInstance = ReturnType<typeof instanceBase>;

/**
 * One item of ListInstancesV2, as the instance list shows the gateway at `nowMs` (`listLagMs`
 * behind its status, or its fixed `listStatus`); `null` when the list no longer shows it.
 *
 * @example
 * listedInstance(gateway, nowMs)?.status // 'Creating', later 'Running' or 'CreateFail'
 */
export function listedInstance(gateway: StoredGateway, nowMs: number): ListedInstance | null {
  const status = gateway.listStatus ?? instanceStatusAt(gateway, nowMs - (gateway.listLagMs ?? 0));
  return status === null ? null : instanceBase(gateway, status);
}

/**
 * ListInstancesV2's answer for one project at `nowMs`: every gateway it still shows, newest first,
 * filtered by exact `status` if asked, paged by `offset`/`limit`; `null` when `limit` or `offset`
 * is out of range (Huawei answers 400).
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
    .filter((instance): instance is ListedInstance => instance !== null && (status === null || instance.status === status))
    .sort((a, b) => b.create_time - a.create_time || a.id.localeCompare(b.id));
  const page = listed.slice(offset, offset + limit);
  return { size: page.length, total: listed.length, instances: page };
}
