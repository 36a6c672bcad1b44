import { INSTANCE_STATUS_CODES, instanceStatusCode, isInstanceStatus } from '../../lib/apig/instance-statuses.js';
import {
  GONE,
  instanceDetailAnswer,
  instanceListPage,
  instanceStatusAt,
  listedInstance,
  progressAnswer,
  type SimulatedOperation,
  type StoredGateway,
} from '../../lib/simulator/timeline.js';

const MINUTE_MS = 60_000;
const PROJECT_ID = '0123456789abcdef0123456789abcdef';

/** A gateway created at 0 whose progress reports success after 5 minutes, with `spec` over it. */
function gatewayFactory(spec: Partial<StoredGateway> = {}): StoredGateway {
  return {
    projectId: PROJECT_ID,
    instanceId: '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',
    createdAtMs: 0,
    steps: [{ atMs: 0, progress: 30 }],
    finish: { atMs: 5 * MINUTE_MS, status: 'success' },
    ...spec,
  };
}

const statusesAt = (gateway: StoredGateway, minutes: number[]) => minutes.map((minute) => instanceStatusAt(gateway, minute * MINUTE_MS));

describe("Huawei's instance statuses", () => {
  it('are the 37 statuses of ShowDetailsOfInstanceV2, with the codes 1–8, 10–13 and 20–44', () => {
    const codes = Object.values(INSTANCE_STATUS_CODES);
    const expected = [...[1, 2, 3, 4, 5, 6, 7, 8], ...[10, 11, 12, 13], ...Array.from({ length: 25 }, (_, index) => 20 + index)];
    expect(codes).toHaveLength(37);
    expect([...codes].sort((a, b) => a - b)).toEqual(expected);
  });

  it('give each status its code, exactly as Huawei spells it, and none to an unknown or miscased one', () => {
    expect([instanceStatusCode('Running'), instanceStatusCode('UnRegisterFailed'), instanceStatusCode('ResizeTimeout')]).toEqual([6, 26, 44]);
    expect([instanceStatusCode('running'), instanceStatusCode('Sleeping'), instanceStatusCode('toString')]).toEqual([null, null, null]);
    expect(isInstanceStatus('RestartFail')).toBe(true);
  });
});

describe('the instance status over time', () => {
  it('is Creating until the progress API reports success, then Running at once by default', () => {
    expect(statusesAt(gatewayFactory(), [0, 4.9, 5, 60])).toEqual(['Creating', 'Creating', 'Running', 'Running']);
  });

  it('is CreateFail after a failed creation by default', () => {
    const gateway = gatewayFactory({ finish: { atMs: 3 * MINUTE_MS, status: 'failed' } });
    expect(statusesAt(gateway, [2, 3, 30])).toEqual(['Creating', 'CreateFail', 'CreateFail']);
  });

  it('stays Creating for a creation that never finishes', () => {
    expect(statusesAt(gatewayFactory({ finish: null }), [0, 600])).toEqual(['Creating', 'Creating']);
  });

  it('goes through Initing, Registering, Installing and CreateSuccess after a successful progress before Running', () => {
    const gateway = gatewayFactory({
      afterCreation: {
        phases: [
          { status: 'Initing', forMs: MINUTE_MS },
          { status: 'Registering', forMs: MINUTE_MS },
          { status: 'Installing', forMs: MINUTE_MS },
          { status: 'CreateSuccess', forMs: MINUTE_MS },
        ],
        end: 'Running',
      },
    });
    expect(statusesAt(gateway, [4, 5, 6, 7, 8, 9, 20])).toEqual(['Creating', 'Initing', 'Registering', 'Installing', 'CreateSuccess', 'Running', 'Running']);
  });

  it('can end in InstallFailed or InstallTimeout even though the progress said success', () => {
    const failing = gatewayFactory({ afterCreation: { phases: [{ status: 'Installing', forMs: 2 * MINUTE_MS }], end: 'InstallFailed' } });
    const timingOut = gatewayFactory({ afterCreation: { phases: [], end: 'InstallTimeout' } });
    expect(statusesAt(failing, [6, 7, 60])).toEqual(['Installing', 'InstallFailed', 'InstallFailed']);
    expect(statusesAt(timingOut, [5])).toEqual(['InstallTimeout']);
  });

  it('follows a resize from its start to Running, and one that fails or times out to its end', () => {
    const resize = (end: string): SimulatedOperation => ({
      operation: 'resize',
      atMs: 10 * MINUTE_MS,
      phases: [{ status: 'Resizing', forMs: 20 * MINUTE_MS }],
      end,
    });
    expect(statusesAt(gatewayFactory({ operations: [resize('Running')] }), [9, 10, 29, 30])).toEqual(['Running', 'Resizing', 'Resizing', 'Running']);
    expect(statusesAt(gatewayFactory({ operations: [resize('ResizeFailed')] }), [30, 300])).toEqual(['ResizeFailed', 'ResizeFailed']);
    expect(statusesAt(gatewayFactory({ operations: [resize('ResizeTimeout')] }), [30])).toEqual(['ResizeTimeout']);
  });

  it('follows an update rolled back: Updating, Rollbacking, then RollbackSuccess', () => {
    const update: SimulatedOperation = {
      operation: 'update',
      atMs: 10 * MINUTE_MS,
      phases: [
        { status: 'Updating', forMs: 5 * MINUTE_MS },
        { status: 'Rollbacking', forMs: 5 * MINUTE_MS },
      ],
      end: 'RollbackSuccess',
    };
    expect(statusesAt(gatewayFactory({ operations: [update] }), [12, 17, 20])).toEqual(['Updating', 'Rollbacking', 'RollbackSuccess']);
  });

  it('is gone (null) once a deletion ends, for good, whatever is scripted after it', () => {
    const gateway = gatewayFactory({
      operations: [
        { operation: 'restart', atMs: 60 * MINUTE_MS, phases: [{ status: 'Restarting', forMs: MINUTE_MS }], end: 'Running' },
        {
          operation: 'deletion',
          atMs: 10 * MINUTE_MS,
          phases: [
            { status: 'Deleting', forMs: 2 * MINUTE_MS },
            { status: 'Unregistering', forMs: MINUTE_MS },
          ],
          end: GONE,
        },
      ],
    });
    expect(statusesAt(gateway, [11, 12.5, 13, 60, 61])).toEqual(['Deleting', 'Unregistering', null, null, null]);
  });

  it('keeps a failed deletion: DeleteFailed, the gateway still there', () => {
    const gateway = gatewayFactory({
      operations: [{ operation: 'deletion', atMs: 10 * MINUTE_MS, phases: [{ status: 'Deleting', forMs: MINUTE_MS }], end: 'DeleteFailed' }],
    });
    expect(statusesAt(gateway, [11, 100])).toEqual(['DeleteFailed', 'DeleteFailed']);
  });

  it('turns Unhealthy and back to Running, then Frozen, the latest change begun deciding', () => {
    const gateway = gatewayFactory({
      operations: [
        { operation: 'health', atMs: 40 * MINUTE_MS, phases: [{ status: 'Freezing', forMs: MINUTE_MS }], end: 'Frozen' },
        { operation: 'health', atMs: 20 * MINUTE_MS, phases: [{ status: 'Unhealthy', forMs: 10 * MINUTE_MS }], end: 'Running' },
      ],
    });
    expect(statusesAt(gateway, [19, 20, 30, 40, 41])).toEqual(['Running', 'Unhealthy', 'Running', 'Freezing', 'Frozen']);
  });
});

describe('the instance detail answer', () => {
  it("names its fields as Huawei's example does, with the status and its code", () => {
    const detail = instanceDetailAnswer(gatewayFactory({ instanceName: 'orders-gw' }), 'Resizing');
    expect(detail).toMatchObject({
      id: '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',
      project_id: PROJECT_ID,
      instance_name: 'orders-gw',
      status: 'Resizing',
      instance_status: 42,
      spec: 'PROFESSIONAL',
      enterprise_project_id: '0',
      eip_address: expect.stringMatching(/^203\.0\.113\.\d+$/),
      ingress_ip: expect.stringMatching(/^192\.168\.0\.\d+$/),
    });
  });

  it('gives different gateways different addresses, and lets a gateway script its own fields', () => {
    const one = instanceDetailAnswer(gatewayFactory(), 'Running');
    const other = instanceDetailAnswer(gatewayFactory({ instanceId: '6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b' }), 'Running');
    const scripted = instanceDetailAnswer(gatewayFactory({ detailFields: { eip_address: null, publicips: [] } }), 'Running');
    expect(one.eip_address).not.toBe(other.eip_address);
    expect(scripted).toMatchObject({ eip_address: null, publicips: [] });
  });
});

describe('the instance list', () => {
  it("shows each gateway's status, or its fixed listStatus, and no longer a deleted one", () => {
    const deleted = gatewayFactory({ instanceId: 'd'.repeat(32), operations: [{ operation: 'deletion', atMs: 6 * MINUTE_MS, phases: [], end: GONE }] });
    const fixed = gatewayFactory({ instanceId: 'f'.repeat(32), listStatus: 'Unhealthy' });
    expect(listedInstance(gatewayFactory(), 10 * MINUTE_MS)).toMatchObject({ status: 'Running', instance_status: 6 });
    expect(listedInstance(fixed, 0)?.status).toBe('Unhealthy');
    expect(listedInstance(deleted, 5.5 * MINUTE_MS)?.status).toBe('Running');
    expect(listedInstance(deleted, 6 * MINUTE_MS)).toBeNull();
  });

  it('lags behind the status by listLagMs: a finished operation still listed as in progress', () => {
    const gateway = gatewayFactory({
      listLagMs: 5 * MINUTE_MS,
      operations: [{ operation: 'resize', atMs: 10 * MINUTE_MS, phases: [{ status: 'Resizing', forMs: 10 * MINUTE_MS }], end: 'Running' }],
    });
    expect([8, 12, 16, 22, 26].map((minute) => listedInstance(gateway, minute * MINUTE_MS)?.status)).toEqual([
      'Creating',
      'Running',
      'Resizing',
      'Resizing',
      'Running',
    ]);
  });

  it('pages every status unless asked for one, and leaves a deleted gateway out of the total', () => {
    const gateways = [
      gatewayFactory({ instanceId: '1'.repeat(32) }),
      gatewayFactory({ instanceId: '2'.repeat(32), finish: null }),
      gatewayFactory({ instanceId: '3'.repeat(32), operations: [{ operation: 'deletion', atMs: 0, phases: [], end: GONE }] }),
    ];
    const all = instanceListPage(gateways, PROJECT_ID, new URLSearchParams('limit=1&offset=1'), 10 * MINUTE_MS);
    const creating = instanceListPage(gateways, PROJECT_ID, new URLSearchParams('status=Creating'), 10 * MINUTE_MS);
    expect(all).toMatchObject({ size: 1, total: 2 });
    expect(creating?.instances.map((instance) => instance.id)).toEqual(['2'.repeat(32)]);
  });
});

describe('the progress answer', () => {
  it('is unchanged by the lifecycle after creation: success at 100 while the status goes on', () => {
    const gateway = gatewayFactory({ afterCreation: { phases: [{ status: 'Installing', forMs: MINUTE_MS }], end: 'InstallFailed' } });
    expect(progressAnswer(gateway, 10 * MINUTE_MS)).toMatchObject({ status: 'success', progress: 100, error_code: null });
  });
});
