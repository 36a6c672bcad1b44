import { describeError } from '../../describe-error.js';
import { formatElapsed } from '../../watch/index.js';
import type { WatchListing } from '../../store/index.js';
import { isMissingRegionError, regionOfStackArn, resolveTableName, type TableOptions } from '../deployment.js';
import { CliError, CliUsageError, EXIT_CODES, type CliIo } from '../process.js';
import { formatTable } from '../text-table.js';

export interface ListCommandOptions extends TableOptions {
  json?: boolean;
  all?: boolean;
}

/**
 * `apig-watch list`: the watches in the deployed stack's table — active ones, and with `--all`
 * the ended and lost ones too — as a table, or with `--json` as one JSON array of
 * `WatchListing` objects on stdout. The table is `--table`, else `WATCH_TABLE_NAME`, else the
 * `WatchTableName` output of `--stack`. Exit 0, 2 without a table, 4 when it cannot be read.
 *
 * @example
 * await runList({ stack: 'apig-watch-prod', all: true }, io);
 * // PHASE   WATCH                   GATEWAY    INSTANCE ID  …  STATUS        STARTED  NEXT LOOK  OUTCOME  ENDED  TARGETS
 * // active  w_5d1c0e…               orders-gw  fedcba98…    …  creating 50%  4m ago   in 45s
 */
export async function runList(options: ListCommandOptions, io: CliIo): Promise<number> {
  const region = options.awsRegion ?? (options.stack ? regionOfStackArn(options.stack) : undefined);
  const tableName = await resolveTableName(options, io.env, region);
  const [{ DynamoDBClient }, { scanWatches }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('../../store/index.js')]);
  const client = new DynamoDBClient(region === undefined ? {} : { region });
  const nowMs = Date.now();
  let watches: WatchListing[];
  try {
    watches = await scanWatches(client, tableName, nowMs);
  } catch (error) {
    if (isMissingRegionError(error)) throw new CliUsageError('no AWS region: pass --aws-region REGION or set AWS_REGION (a stack ARN names it too)');
    throw new CliError(`could not read the watch table ${tableName} (the caller needs dynamodb:Scan on it): ${describeError(error)}`, EXIT_CODES.couldNotWatch);
  } finally {
    client.destroy();
  }
  const shown = options.all ? watches : watches.filter((watch) => watch.phase === 'active');
  if (options.json) {
    io.stdout.write(`${JSON.stringify(shown)}\n`);
  } else if (shown.length === 0) {
    io.stdout.write(options.all ? `No watches on record in ${tableName}.\n` : `No active watches in ${tableName} (--all shows the ended ones).\n`);
  } else {
    io.stdout.write(`${describeWatches(shown, nowMs, { all: options.all === true }).join('\n')}\n`);
  }
  return EXIT_CODES.ok;
}

const HEADERS = ['PHASE', 'WATCH', 'GATEWAY', 'INSTANCE ID', 'PROJECT ID', 'REGION', 'OPERATION', 'STATUS', 'STARTED', 'NEXT LOOK'];
const ENDED_HEADERS = ['OUTCOME', 'ENDED', 'TARGETS'];

function describeWatches(watches: WatchListing[], nowMs: number, { all }: { all: boolean }): string[] {
  const rows = watches.map((watch) => {
    const cells = [
      watch.phase,
      watch.watch_id,
      watch.instance_name ?? '-',
      watch.instance_id,
      watch.project_id,
      watch.region,
      watch.operation,
      statusOf(watch),
      watch.started_at === null ? '-' : `${formatElapsed(nowMs - Date.parse(watch.started_at))} ago`,
      watch.next_look_at === null ? '-' : nextLookOf(Date.parse(watch.next_look_at) - nowMs),
    ];
    if (!all) return cells;
    const targets = watch.settled_targets.map((id) => `#${id}`).join(' ');
    return [
      ...cells,
      watch.outcome === null ? '-' : `${watch.outcome}${watch.error_code ? ` (${watch.error_code})` : ''}`,
      watch.ended_at === null ? '-' : `${formatElapsed(nowMs - Date.parse(watch.ended_at))} ago`,
      watch.outcome === null ? '-' : targets || 'none',
    ];
  });
  return formatTable(all ? [...HEADERS, ...ENDED_HEADERS] : HEADERS, rows);
}

function statusOf(watch: WatchListing): string {
  if (watch.status === null) return 'waiting';
  return watch.progress === null ? watch.status : `${watch.status} ${watch.progress}%`;
}

function nextLookOf(inMs: number): string {
  return inMs <= 0 ? 'due' : `in ${formatElapsed(inMs)}`;
}
