import { SIMULATOR_DEFAULT_CREDENTIALS, startApigSimulator, type SimulatedGateway } from '../../dev/apig-simulator.js';
import { readCliSettings } from '../../config.js';
import { scaledClock } from '../../runtime/time-scale.js';
import { CliUsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface SimulateOptions {
  /** 0: any free port. */
  port: number;
}

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const REGION = 'ap-southeast-1';
const MINUTE_MS = 60_000;

/** The scripted creations, timed from the simulator's start; `timeline: null` is an unknown gateway. */
export const SIMULATED_GATEWAYS: ReadonlyArray<{
  name: string;
  story: string;
  instanceId: string;
  timeline: Omit<SimulatedGateway, 'projectId' | 'instanceId'> | null;
}> = [
  {
    name: 'orders-gw',
    story: 'created after 3 minutes',
    instanceId: '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',
    timeline: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 0.75 * MINUTE_MS, progress: 50 },
        { atMs: 1.5 * MINUTE_MS, progress: 80 },
        { atMs: 2.5 * MINUTE_MS, progress: 90 },
      ],
      finish: { atMs: 3 * MINUTE_MS, status: 'success' },
    },
  },
  {
    name: 'payments-gw',
    story: 'fails after 2 minutes: APIC.9219, resources sold out',
    instanceId: '6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b',
    timeline: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: MINUTE_MS, progress: 50 },
      ],
      finish: { atMs: 2 * MINUTE_MS, status: 'failed', errorCode: 'APIC.9219', errorMsg: 'create failed, resources sold out' },
    },
  },
  {
    name: 'stuck-gw',
    story: 'never finishes (try --timeout 120)',
    instanceId: '7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c',
    timeline: { steps: [{ atMs: 0, progress: 30 }], finish: null },
  },
  { name: 'typo-gw', story: 'does not exist (not_found)', instanceId: '8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d', timeline: null },
];

/**
 * `apig-watch simulate`: runs the Huawei APIG simulator on loopback with a few scripted creations,
 * prints the environment to export and a `watch` command per gateway, and runs until Ctrl-C.
 * With `APIG_WATCH_TIME_SCALE` set, its clock runs that much faster; export the printed
 * `APIG_WATCH_TIME_ORIGIN_MS` too, so a `watch` in another shell shares the clock.
 *
 * @example
 * await runSimulate({ port: 8080 }, io); // until SIGINT
 */
export async function runSimulate(options: SimulateOptions, io: CliIo): Promise<number> {
  const settings = readCliSettings(io.env);
  const originMs = settings.timeOriginMs ?? Date.now();
  const simulator = await startApigSimulator({ port: options.port, now: scaledClock(settings.timeScale, originMs).now }).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'EADDRINUSE') throw new CliUsageError(`--port ${options.port} is already in use`);
    throw error;
  });
  for (const { instanceId, timeline } of SIMULATED_GATEWAYS) {
    if (timeline) simulator.addGateway({ projectId: PROJECT_ID, instanceId, ...timeline });
  }
  const [aksk] = SIMULATOR_DEFAULT_CREDENTIALS.aksk;
  const scaled = settings.timeScale === 1 ? [] : [`export APIG_WATCH_TIME_SCALE=${settings.timeScale} APIG_WATCH_TIME_ORIGIN_MS=${originMs}`];
  io.stdout.write(
    [
      `Huawei Cloud APIG simulator on ${simulator.url} (Ctrl-C to stop)${settings.timeScale === 1 ? '' : `, time runs ${settings.timeScale}× faster`}`,
      '',
      'In another shell:',
      `export APIG_ENDPOINT=${simulator.url} IAM_ENDPOINT=${simulator.url}`,
      `export HUAWEICLOUD_SDK_AK=${aksk?.accessKey} HUAWEICLOUD_SDK_SK=${aksk?.secretKey}`,
      ...scaled,
      '',
      `Gateways in project ${PROJECT_ID}, region ${REGION} (their timelines start now):`,
      ...SIMULATED_GATEWAYS.flatMap(({ name, story, instanceId }) => [
        `  ${name}: ${story}`,
        `    npx apig-watch watch --project-id ${PROJECT_ID} --instance-id ${instanceId} --region ${REGION} --name ${name}`,
      ]),
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = io.onInterrupt(() => {
      stop();
      resolve();
    });
  });
  await simulator.close();
  io.stderr.write(`apig-watch: simulator stopped after ${simulator.stats().requests} request(s)\n`);
  return EXIT_CODES.ok;
}
