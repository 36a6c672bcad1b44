import { SIMULATOR_DEFAULT_CREDENTIALS, startApigSimulator } from '../../simulator/index.js';
import { SCRIPTED_GATEWAYS, SCRIPTED_PROJECT_ID as PROJECT_ID, SCRIPTED_REGION as REGION } from '../../simulator/index.js';
import { readCliSettings } from '../../config/index.js';
import { scaledClock } from '../../runtime/index.js';
import { CliUsageError, EXIT_CODES, type CliIo } from '../process.js';

export interface SimulateOptions {
  /** 0: any free port. */
  port: number;
}

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
  for (const { instanceId, timeline } of SCRIPTED_GATEWAYS) {
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
      ...SCRIPTED_GATEWAYS.flatMap(({ name, story, instanceId, timeline, discovered }) => [
        `  ${name}: ${story}`,
        `    npx apig-watch watch --project-id ${PROJECT_ID} --instance-id ${instanceId} --region ${REGION} --name ${name}${timeline?.finish === null ? ' --timeout 120' : ''}`,
        ...(discovered ? [`    npx apig-watch discover --once --project ${REGION}:${PROJECT_ID}   # finds it`] : []),
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
