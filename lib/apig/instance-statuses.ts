/**
 * Huawei's statuses of a dedicated gateway and their numeric `instance_status` codes, as the APIG
 * API reference lists them for ShowDetailsOfInstanceV2 ("Querying Dedicated Gateway Details")
 * and ListInstancesV2 ("Querying Dedicated Gateways"): 37 statuses, the codes 1–8, 10–13, 20–44.
 * The `status` strings are compared exactly, as Huawei spells them (note `UnRegisterFailed` and
 * `RestartFail`).
 */
export const INSTANCE_STATUS_CODES = {
  Creating: 1,
  CreateSuccess: 2,
  CreateFail: 3,
  Initing: 4,
  Registering: 5,
  Running: 6,
  InitingFailed: 7,
  RegisterFailed: 8,
  Installing: 10,
  InstallFailed: 11,
  Updating: 12,
  UpdateFailed: 13,
  Rollbacking: 20,
  RollbackSuccess: 21,
  RollbackFailed: 22,
  Deleting: 23,
  DeleteFailed: 24,
  Unregistering: 25,
  UnRegisterFailed: 26,
  CreateTimeout: 27,
  InitTimeout: 28,
  RegisterTimeout: 29,
  InstallTimeout: 30,
  UpdateTimeout: 31,
  RollbackTimeout: 32,
  DeleteTimeout: 33,
  UnregisterTimeout: 34,
  Starting: 35,
  Freezing: 36,
  Frozen: 37,
  Restarting: 38,
  RestartFail: 39,
  Unhealthy: 40,
  RestartTimeout: 41,
  Resizing: 42,
  ResizeFailed: 43,
  ResizeTimeout: 44,
} as const satisfies Readonly<Record<string, number>>;

/** One of Huawei's 37 instance statuses, spelled as Huawei sends it. */
export type InstanceStatus = keyof typeof INSTANCE_STATUS_CODES;

/**
 * Whether `status` is one of Huawei's instance statuses, spelled exactly as Huawei sends it.
 *
 * @example
 * isInstanceStatus('Resizing') // true
 * isInstanceStatus('resizing') // false
 */
export function isInstanceStatus(status: string): status is InstanceStatus {
  return Object.hasOwn(INSTANCE_STATUS_CODES, status);
}

/**
 * The numeric `instance_status` Huawei sends with `status`; `null` for a status Huawei does not list.
 *
 * @example
 * instanceStatusCode('Running')       // 6
 * instanceStatusCode('ResizeTimeout') // 44
 * instanceStatusCode('Sleeping')      // null
 */
export function instanceStatusCode(status: string): number | null {
  return isInstanceStatus(status) ? INSTANCE_STATUS_CODES[status] : null;
}
