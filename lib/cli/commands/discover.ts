import { readCliSettings, readDiscoverProjects } from '../../config/index.js';
import { apigConfigFrom, resolveSecretValues } from '../../config/index.js';
import { discoverGateways, findNominatedGateways, type ProjectSweep } from '../../discover/index.js';
import { createInstanceLister } from '../../discover/index.js';
import { DiscoverProjectsError, parseDiscoverProjects, type DiscoverProject } from '../../discover/index.js';
import { SILENT_LOG, NO_METRICS, EVENT_KINDS, type EventKind } from '../../watch/index.js';
import { createWatchRequestSender } from '../../queue/index.js';
import { sqsClientFor } from '../../queue/index.js';
import { readSecretReference } from '../../runtime/index.js';
import { scaledClock } from '../../runtime/index.js';
import { resolveQueueUrl, type QueueOptions } from '../deployment.js';
import { notifyTargets } from '../options.js';
import { CliUsageError, EXIT_CODES, lineLog, type CliIo } from '../process.js';
import { describeRouting } from '../routing.js';

export interface DiscoverCommandOptions extends QueueOptions {
  once?: boolean;
  /** `--project REGION:PROJECT_ID`, repeatable; default `DISCOVER_PROJECTS`. */
  project?: string[];
  start?: boolean;
  /** Show the routing of this outcome only (default: every event). */
  outcome?: EventKind;
  verbose?: boolean;
}

/** Why `--once` is required: this machine sweeps once; the deployed function sweeps for good. */
const DISCOVER_WITHOUT_ONCE = [
  'discover needs --once: from this machine it runs a single sweep and prints the gateways being created',
  '  apig-watch discover --once [--project REGION:PROJECT_ID] [--start --stack apig-watch-<stage>]',
  "Sweeping on a schedule is the deployed discover function's job (the discover-projects and discover-rate deploy parameters).",
].join('\n');

const EMPTY_LIST_HINT =
  'Huawei answers an empty list, not an error, when the credentials lack apig:instance:list: if you expected gateways here, check that permission.';

/**
 * `apig-watch discover --once`: one discovery sweep from this machine — lists the gateways being
 * created in each project (`--project`, else `DISCOVER_PROJECTS`) with the same credentials as
 * the poller, prints what it sees and which target would hear which outcome of a discovered watch;
 * with `--start`, sends their watch requests (`origin: discovery`) to the deployed queue. Exit 0,
 * or 4 when a project could not be listed or a request not sent.
 *
 * @example
 * await runDiscover({ once: true, project: ['ap-southeast-1:0123…'] }, processIo());
 */
export async function runDiscover(options: DiscoverCommandOptions, io: CliIo): Promise<number> {
  if (!options.once) throw new CliUsageError(DISCOVER_WITHOUT_ONCE);
  const settings = readCliSettings(io.env);
  const projects = projectsFrom(options, io.env);
  if (projects.length === 0) throw new CliUsageError('no projects to sweep: pass --project REGION:PROJECT_ID or set DISCOVER_PROJECTS');
  const values = await resolveSecretValues(settings.secrets, readSecretReference);
  const log = options.verbose ? lineLog((line) => io.stderr.write(`${line}\n`)) : SILENT_LOG;
  const clock = scaledClock(settings.timeScale, settings.timeOriginMs ?? Date.now());
  const lister = createInstanceLister(apigConfigFrom(values, settings), { log, now: clock.now });

  let sweeps: Array<ProjectSweep & { sent?: number; notSent?: number }>;
  let sentTo: string | null = null;
  if (options.start) {
    sentTo = await resolveQueueUrl(options, settings.watchQueueUrl);
    const sender = createWatchRequestSender(sqsClientFor({ sqsEndpointOverridden: settings.sqsEndpointOverridden, region: options.awsRegion }), sentTo);
    sweeps = (await discoverGateways(projects, { lister, sender, log, metrics: NO_METRICS })).projects;
  } else {
    sweeps = await findNominatedGateways(projects, lister, log, 'creation');
  }

  for (const sweep of sweeps) io.stdout.write(`${describeSweep(sweep).join('\n')}\n`);
  const targets = await notifyTargets(values.NOTIFY_URLS, {});
  if (targets.length > 0) {
    const kinds = options.outcome ? [options.outcome] : EVENT_KINDS;
    io.stdout.write(`\nA discovered watch (no context, no notify groups) notifies:\n${describeRouting(targets, kinds, { context: {} }).join('\n')}\n`);
  }
  const sent = sweeps.reduce((sum, sweep) => sum + (sweep.sent ?? 0), 0);
  if (sentTo !== null) io.stderr.write(`apig-watch: ${sent} watch request(s) sent to ${sentTo}\n`);
  const failed = sweeps.some((sweep) => sweep.error !== null || (sweep.notSent ?? 0) > 0);
  return failed ? EXIT_CODES.couldNotWatch : EXIT_CODES.ok;
}

function projectsFrom(options: DiscoverCommandOptions, env: Record<string, string | undefined>): DiscoverProject[] {
  if (options.project === undefined) return readDiscoverProjects(env);
  try {
    return parseDiscoverProjects(options.project.join(','));
  } catch (error) {
    if (error instanceof DiscoverProjectsError) throw new CliUsageError(error.message.replace(/^DISCOVER_PROJECTS/, '--project'));
    throw error;
  }
}

function describeSweep(sweep: ProjectSweep & { sent?: number; notSent?: number }): string[] {
  const where = `${sweep.project.region}:${sweep.project.projectId}`;
  if (sweep.error !== null) return [`✖ ${where}: could not list the gateways: ${sweep.error}`];
  if (sweep.gateways.length === 0) return [`· ${where}: no gateway being created.`, `  ${EMPTY_LIST_HINT}`];
  const sent = sweep.sent === undefined ? '' : ` — ${sweep.sent} watch request(s) sent${sweep.notSent ? `, ${sweep.notSent} not sent` : ''}`;
  return [
    `✔ ${where}: ${sweep.gateways.length} gateway(s) being created${sent}`,
    ...sweep.gateways.map((gateway) => `  ${gateway.id}  ${gateway.name ?? '(no name)'}  ${gateway.status ?? ''}`),
  ];
}
