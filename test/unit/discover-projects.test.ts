import { findNominatedGateways, SWEEP_CONCURRENCY } from '../../lib/discover/discover-gateways.js';
import type { GatewayLister } from '../../lib/discover/instance-list-client.js';
import { SILENT_LOG } from '../../lib/watch/ports/observability.js';
import { readDiscoverProjects, readDiscoverSettings } from '../../lib/config/settings.js';
import { ConfigError } from '../../lib/config-error.js';
import { discoveryRequest } from '../../lib/discover/discover-gateways.js';
import { operationShownBy } from '../../lib/watch/decide-poll.js';
import { parseDiscoverProjects } from '../../lib/discover/projects.js';
import { parseWatchRequest } from '../../lib/watch/request.js';
import { INSTANCE_ID, PROJECT_ID } from '../support/factories.js';

const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';

describe('parseDiscoverProjects', () => {
  it('reads comma-separated REGION:PROJECT_ID entries, skipping blanks and repeats', () => {
    // Act
    const projects = parseDiscoverProjects(` ap-southeast-1:${PROJECT_ID}, ,cn-north-4:${OTHER_PROJECT},ap-southeast-1:${PROJECT_ID},`);

    // Assess
    expect(projects).toEqual([
      { region: 'ap-southeast-1', projectId: PROJECT_ID },
      { region: 'cn-north-4', projectId: OTHER_PROJECT },
    ]);
  });

  it('turns discovery off for an empty value', () => {
    expect(parseDiscoverProjects('')).toEqual([]);
    expect(readDiscoverProjects({})).toEqual([]);
  });

  it.each([
    [PROJECT_ID, 'must be REGION:PROJECT_ID'],
    [`Asia:${PROJECT_ID}`, 'the region must look like a Huawei Cloud region'],
    [`ap-southeast-1:${PROJECT_ID.toUpperCase()}`, 'the project id must be 32 lowercase hexadecimal characters'],
    ['ap-southeast-1:../../v3/auth/tokens', 'the project id must be 32 lowercase hexadecimal characters'],
  ])('refuses %s as a configuration error naming the variable and the entry', (entry, problem) => {
    // Act
    const act = () => readDiscoverProjects({ DISCOVER_PROJECTS: `cn-north-4:${OTHER_PROJECT},${entry}` });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(`DISCOVER_PROJECTS entry 2 (${JSON.stringify(entry)}): ${problem}`);
  });

  it('fails the discover function at cold start on a bad entry', () => {
    expect(() => readDiscoverSettings({ WATCH_QUEUE_URL: 'http://queue', DISCOVER_PROJECTS: 'nonsense' })).toThrow(/DISCOVER_PROJECTS entry 1/);
  });
});

describe('operationShownBy (what the sweep nominates)', () => {
  it.each([
    ['Creating', 'creation'],
    ['Initing', 'creation'],
    ['Resizing', 'resize'],
    ['Updating', 'update'],
    ['Rollbacking', 'update'],
    ['Deleting', 'deletion'],
    ['Restarting', 'restart'],
    ['Unhealthy', 'health'],
    ['Frozen', 'health'],
    ['CreateFail', null],
    ['ResizeTimeout', null],
    ['Running', null],
    [null, null],
  ])('%s → %s', (status, expected) => {
    expect(operationShownBy(status)).toBe(expected);
  });
});

describe('discoveryRequest', () => {
  it('makes a valid watch request marked as discovered, with the listed name', () => {
    // Act
    const request = discoveryRequest(
      { region: 'ap-southeast-1', projectId: PROJECT_ID },
      { id: INSTANCE_ID, name: 'orders-gw', status: 'Creating', operation: 'creation' },
    );

    // Assess
    expect(request).toEqual({
      project_id: PROJECT_ID,
      instance_id: INSTANCE_ID,
      region: 'ap-southeast-1',
      instance_name: 'orders-gw',
      context: {},
      origin: 'discovery',
      operation: 'creation',
    });
    expect(parseWatchRequest(JSON.parse(JSON.stringify(request)))).toEqual(request);
  });

  it('leaves out a listed name the request schema would refuse, rather than the gateway', () => {
    // Act
    const request = discoveryRequest(
      { region: 'ap-southeast-1', projectId: PROJECT_ID },
      { id: INSTANCE_ID, name: 'x'.repeat(65), status: 'Creating', operation: 'creation' },
    );

    // Assess
    expect(request.instance_name).toBeNull();
  });
});

describe('findNominatedGateways', () => {
  it(`lists at most ${SWEEP_CONCURRENCY} projects at once, so a sweep of many projects stays clear of Huawei's throttling, and a throttled project fails alone`, async () => {
    // Prepare: twelve projects, each list answered after a tick; the fifth is throttled
    let inFlight = 0;
    let most = 0;
    const projects = Array.from({ length: 12 }, (_, index) => ({ region: 'ap-southeast-1', projectId: index.toString(16).padStart(32, '0') }));
    const lister: GatewayLister = {
      async listGateways(project) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        if (project.projectId === projects[4]?.projectId) throw new Error('APIG instance list answered HTTP 429 APIG.0308');
        return [{ id: INSTANCE_ID, name: 'gw', status: 'Resizing' }];
      },
    };

    // Act
    const sweeps = await findNominatedGateways(projects, lister, SILENT_LOG);

    // Assess
    expect(most).toBe(SWEEP_CONCURRENCY);
    expect(sweeps.map((sweep) => sweep.error === null)).toEqual(projects.map((_, index) => index !== 4));
    expect(sweeps[0]?.gateways).toEqual([{ id: INSTANCE_ID, name: 'gw', status: 'Resizing', operation: 'resize' }]);
  });
});
