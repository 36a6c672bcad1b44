import { GONE, type SimulatedGateway } from './timeline.js';

/** The project and region every scripted gateway lives in. */
export const SCRIPTED_PROJECT_ID = '0123456789abcdef0123456789abcdef';
export const SCRIPTED_REGION = 'ap-southeast-1';
const MINUTE_MS = 60_000;

/** One scripted creation, timed from when it starts; `timeline: null` is a gateway that does not exist. */
export interface ScriptedGateway {
  name: string;
  /** What happens to it, for people: `created after 3 minutes` (each front end adds its own hints). */
  story: string;
  instanceId: string;
  timeline: Omit<SimulatedGateway, 'projectId' | 'instanceId'> | null;
  /** Nobody asks to watch it in `npm start`: the discovery sweep finds it (being created, or unhealthy). */
  discovered?: true;
  /** What its watch follows (the request's `operation`, or what the sweep nominates); default `creation`. */
  operation?: 'creation' | 'resize' | 'deletion' | 'health';
}

/** A gateway created long before the story starts. */
const RUNNING = { steps: [], finish: { atMs: 0, status: 'success' as const } };

/**
 * The scripted gateways of `apig-watch simulate`, `npm run local` and `npm start` (which leaves
 * out the one that never finishes): one list, so the three tell the same stories.
 */
export const SCRIPTED_GATEWAYS: readonly ScriptedGateway[] = [
  {
    name: 'orders-gw-prod',
    story: 'created in 6m 12s',
    instanceId: '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',
    timeline: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 1.5 * MINUTE_MS, progress: 50 },
        { atMs: 3 * MINUTE_MS, progress: 80 },
        { atMs: 5 * MINUTE_MS, progress: 90 },
      ],
      finish: { atMs: 6.2 * MINUTE_MS, status: 'success' },
    },
  },
  {
    name: 'payments-gw-staging',
    story: 'fails after 3m 40s at 50%: APIC.9218, insufficient quota',
    instanceId: '6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b',
    timeline: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 2 * MINUTE_MS, progress: 50 },
      ],
      finish: { atMs: 3 * MINUTE_MS + 40_000, status: 'failed', errorCode: 'APIC.9218', errorMsg: 'create failed, insufficient quota' },
    },
  },
  {
    name: 'stuck-gw',
    story: 'never finishes',
    instanceId: '7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c',
    timeline: { steps: [{ atMs: 0, progress: 30 }], finish: null },
  },
  { name: 'typo-gw', story: 'does not exist (not_found)', instanceId: '8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d', timeline: null },
  {
    name: 'console-gw',
    story: 'created in the console after 4 minutes (nobody asks to watch it)',
    instanceId: '9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e',
    discovered: true,
    timeline: {
      instanceName: 'console-gw',
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 2 * MINUTE_MS, progress: 80 },
      ],
      finish: { atMs: 4 * MINUTE_MS, status: 'success' },
    },
  },
  {
    name: 'catalog-gw-prod',
    story: 'resized in 4 minutes (operation: resize)',
    instanceId: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
    operation: 'resize',
    timeline: { ...RUNNING, operations: [{ operation: 'resize', atMs: 0, phases: [{ status: 'Resizing', forMs: 4 * MINUTE_MS }], end: 'Running' }] },
  },
  {
    name: 'legacy-gw',
    story: 'deleted in 2 minutes (operation: deletion)',
    instanceId: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2',
    operation: 'deletion',
    timeline: { ...RUNNING, operations: [{ operation: 'deletion', atMs: 0, phases: [{ status: 'Deleting', forMs: 2 * MINUTE_MS }], end: GONE }] },
  },
  {
    name: 'edge-gw',
    story: 'unhealthy for 3 minutes, then running again (the sweep finds it)',
    instanceId: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3',
    operation: 'health',
    discovered: true,
    timeline: { ...RUNNING, operations: [{ operation: 'health', atMs: 0, phases: [{ status: 'Unhealthy', forMs: 3 * MINUTE_MS }], end: 'Running' }] },
  },
];
