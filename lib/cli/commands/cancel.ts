import { cleanEchoedText } from '../../echoed-text.js';
import { describeError } from '../../describe-error.js';
import { cancelWatch } from '../../watch/index.js';
import { isMissingCredentialsError, isMissingRegionError, regionOfStackArn, resolveTableName, type TableOptions } from '../deployment.js';
import { CliError, CliUsageError, EXIT_CODES, type CliIo } from '../process.js';

export interface CancelCommandOptions extends TableOptions {
  projectId?: string;
  instanceId?: string;
  watchId?: string;
  reason?: string;
}

const HUAWEI_ID = /^[0-9a-f]{32}$/;
const WATCH_ID = /^w_[0-9a-f]{20}$/;
/** How much of `--reason` the notification carries. */
const MAX_REASON_CHARS = 200;

/**
 * `apig-watch cancel`: ends the active watch of a gateway (`--project-id` and `--instance-id`, or
 * `--watch-id`) at its next step, through the watch table only, recorded as outcome `cancelled` by
 * the caller's AWS identity (STS `GetCallerIdentity`) and `--reason`. Only targets with
 * `on=cancelled` hear it. Exit 0 when cancelled, 4 when the gateway has no active watch or the
 * table cannot be written, 2 for bad options.
 *
 * @example
 * await runCancel({ projectId, instanceId, stack: 'apig-watch-prod', reason: 'creation abandoned' }, io);
 * // stdout: w_5d1c0e…
 */
export async function runCancel(options: CancelCommandOptions, io: CliIo): Promise<number> {
  const region = options.awsRegion ?? (options.stack ? regionOfStackArn(options.stack) : undefined);
  const named = gatewayOrWatch(options);
  const tableName = await resolveTableName(options, io.env, region);
  const [{ DynamoDBClient }, { createDynamoStepStore }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('../../store/index.js')]);
  const client = new DynamoDBClient(region === undefined ? {} : { region });
  try {
    const gateway = 'watchId' in named ? await gatewayOfWatch(client, tableName, named.watchId) : named;
    if (gateway === null) return noActiveWatch(io, `no watch ${options.watchId} in ${tableName}`);
    const reason = options.reason === undefined ? '' : cleanEchoedText(options.reason).slice(0, MAX_REASON_CHARS);
    const by = `${await callerIdentity(region)}${reason === '' ? '' : `: ${reason}`}`;
    const store = createDynamoStepStore(client, tableName);
    const result = await cancelWatch(store, gateway, { by, nowMs: Date.now(), ...('watchId' in named ? { watchId: named.watchId } : {}) });
    if (!result.cancelled) return noActiveWatch(io, `${gateway.instance_id}: ${result.reason}`);
    io.stdout.write(`${result.watchId}\n`);
    io.stderr.write(
      `apig-watch: watch ${result.watchId} of ${gateway.instance_id} cancelled by ${by}; it ends at its next step (targets with on=cancelled hear it)\n`,
    );
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (isMissingRegionError(error)) throw new CliUsageError('no AWS region: pass --aws-region REGION or set AWS_REGION (a stack ARN names it too)');
    if (isMissingCredentialsError(error)) throw new CliUsageError('no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    throw new CliError(
      `could not cancel through the watch table ${tableName} (the caller needs dynamodb:GetItem and dynamodb:UpdateItem on it): ${describeError(error)}`,
      EXIT_CODES.couldNotWatch,
    );
  } finally {
    client.destroy();
  }
}

function gatewayOrWatch(options: CancelCommandOptions): { project_id: string; instance_id: string } | { watchId: string } {
  if (options.watchId !== undefined) {
    if (options.projectId !== undefined || options.instanceId !== undefined)
      throw new CliUsageError('pass --watch-id, or --project-id with --instance-id, not both');
    if (!WATCH_ID.test(options.watchId))
      throw new CliUsageError(`--watch-id must look like w_ followed by 20 hexadecimal digits, got ${JSON.stringify(options.watchId)}`);
    return { watchId: options.watchId };
  }
  if (options.projectId === undefined || options.instanceId === undefined)
    throw new CliUsageError('name the gateway: --project-id P --instance-id I (or --watch-id W)');
  for (const [flag, value] of [
    ['--project-id', options.projectId],
    ['--instance-id', options.instanceId],
  ] as const) {
    if (!HUAWEI_ID.test(value)) throw new CliUsageError(`${flag} must be 32 lowercase hexadecimal characters (a Huawei Cloud id)`);
  }
  return { project_id: options.projectId, instance_id: options.instanceId };
}

/** The gateway a watch id belongs to, from the table (a Scan, as `list` makes). */
async function gatewayOfWatch(client: import('@aws-sdk/client-dynamodb').DynamoDBClient, tableName: string, watchId: string) {
  const { scanWatches } = await import('../../store/index.js');
  const watch = (await scanWatches(client, tableName, Date.now())).find((listed) => listed.watch_id === watchId);
  return watch ? { project_id: watch.project_id, instance_id: watch.instance_id } : null;
}

/** Who is cancelling: the caller's AWS identity, as STS names it. */
async function callerIdentity(region: string | undefined): Promise<string> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = new STSClient(region === undefined ? {} : { region });
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new CliError('STS did not say who the caller is (GetCallerIdentity gave no ARN)', EXIT_CODES.couldNotWatch);
    return Arn;
  } finally {
    sts.destroy();
  }
}

function noActiveWatch(io: CliIo, why: string): number {
  io.stderr.write(`apig-watch: nothing cancelled: ${why}\n`);
  return EXIT_CODES.couldNotWatch;
}
