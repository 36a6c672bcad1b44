import { type Command, InvalidArgumentError, Option } from 'commander';
import { NotifyConfigError } from '../notify/index.js';
import type { Target, WatchRequest } from '../watch/index.js';
import { CliUsageError } from './process.js';
import type { RoutedRequest } from './routing.js';

/**
 * The options commands share: declared here for `program.ts`, and parsed here into what the
 * commands use. `--help` builds every command's declarations, so the parsers load their schemas
 * (the watch request's, `NOTIFY_URLS`') only when a command calls them: `--help` loads no schema.
 */

/** The options every command that names a gateway takes (`watch`, `start`). */
export interface RequestOptions {
  projectId: string;
  instanceId: string;
  region: string;
  name?: string;
  /** `--context key=value`, repeatable. */
  context?: string[];
  /** `--operation`: creation (default), resize, update, deletion, restart. */
  operation?: string;
}

/** The options of commands that notify (`watch`, `test-notify`). */
export interface NotifyOptions {
  /** `--notify URL`, repeatable. */
  notify?: string[];
  notifyOnly?: boolean;
}

/** `--context key=value` and `--group name` (repeatable): the request a routing preview is about (`test-notify`). */
export interface RoutingOptions {
  context?: string[];
  group?: string[];
}

/**
 * Adds the watch request's options to a command.
 *
 * @example
 * withRequestOptions(program.command('watch')).action(…)
 */
export function withRequestOptions(command: Command): Command {
  return command
    .requiredOption('--project-id <id>', 'Huawei Cloud project id (32 lowercase hex characters)')
    .requiredOption('--instance-id <id>', "the dedicated gateway's instance id (32 lowercase hex characters)")
    .requiredOption('--region <region>', 'Huawei Cloud region, e.g. ap-southeast-1')
    .option('--name <name>', 'a name for the gateway, shown in notifications')
    .option('--operation <operation>', 'the operation to watch: creation (default), resize, update, deletion, restart')
    .addOption(contextOption('a label echoed in notifications, e.g. ticket=OPS-1234 (repeatable)'));
}

/**
 * Adds `--notify URL` (repeatable, same syntax as `NOTIFY_URLS`) and `--notify-only` to a command.
 *
 * @example
 * withNotifyOptions(program.command('test-notify'))
 */
export function withNotifyOptions(command: Command): Command {
  return command
    .addOption(new Option('--notify <url>', 'also notify this webhook, same syntax as NOTIFY_URLS, e.g. slack+https://… (repeatable)').argParser(collect))
    .option('--notify-only', 'notify only the --notify webhooks, ignoring NOTIFY_URLS');
}

/**
 * `--context key=value` (repeatable), described for the command that takes it; `contextLabels` parses it.
 *
 * @example
 * command.addOption(contextOption('a context label of the sample watch, for when= filters (repeatable)'))
 */
export function contextOption(description: string): Option {
  return new Option('--context <key=value>', description).argParser(collect);
}

/**
 * `--group name` (repeatable): a notify group the sample watch of `test-notify` names.
 *
 * @example
 * command.addOption(groupOption())
 */
export function groupOption(): Option {
  return new Option('--group <name>', 'a notify group the sample watch names, for group= filters (repeatable)').argParser(collect);
}

/**
 * Collects a repeatable option's values (no default: commander would print `(default: [])`).
 *
 * @example
 * new Option('--project <region:project_id>', '…').argParser(collect)
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** SQS's longest delay, which the Lambda's schedule is bound by too. */
export const MAX_INTERVAL_SECONDS = 900;

/**
 * Parses `--interval`: a whole number of seconds from 1 to `MAX_INTERVAL_SECONDS`.
 *
 * @example
 * new Option('--interval <seconds>', '…').argParser(intervalSeconds)
 */
export function intervalSeconds(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > MAX_INTERVAL_SECONDS) {
    throw new InvalidArgumentError(`must be a whole number of seconds from 1 to ${MAX_INTERVAL_SECONDS}`);
  }
  return number;
}

/**
 * Parses a duration option such as `--timeout`: a positive number of seconds.
 *
 * @example
 * new Option('--timeout <seconds>', '…').argParser(positiveSeconds)
 */
export function positiveSeconds(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return number;
}

/**
 * Parses `--port`: 0 (any free port) to 65535.
 *
 * @example
 * new Option('--port <port>', '…').argParser(portNumber).default(8080)
 */
export function portNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError('must be a port number (0–65535)');
  return number;
}

/** Which option sets which field of the watch request (docs/contracts.md, "Watch request — contract"), for messages that name the option. */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  project_id: '--project-id',
  instance_id: '--instance-id',
  region: '--region',
  instance_name: '--name',
  context: '--context',
  operation: '--operation',
};

/**
 * Builds the watch request from the options with the same schema as the queue (docs/contracts.md, "Watch request — contract"). Rejects with
 * `CliUsageError` naming the option: `--instance-id must be 32 lowercase hexadecimal characters …`.
 *
 * @example
 * await watchRequestFromOptions({ projectId, instanceId, region: 'ap-southeast-1', context: ['ticket=OPS-1'] })
 */
export async function watchRequestFromOptions(options: RequestOptions): Promise<WatchRequest> {
  const context = contextLabels(options.context);
  const { InvalidMessageError, parseWatchRequest } = await import('../watch/request.js');
  try {
    return parseWatchRequest({
      project_id: options.projectId,
      instance_id: options.instanceId,
      region: options.region,
      instance_name: options.name ?? null,
      context,
      ...(options.operation === undefined ? {} : { operation: options.operation }),
    });
  } catch (error) {
    if (!(error instanceof InvalidMessageError)) throw error;
    const problems = error.fields.map(({ field, message }) => {
      const [head = field, ...rest] = field.split('.');
      const option = OPTION_OF_FIELD[head] ?? field;
      return rest.length > 0 ? `${option} ${rest.join('.')}: ${message}` : `${option} ${message}`;
    });
    throw new CliUsageError(problems.join('\n'));
  }
}

/**
 * The `context` and `notify` a request with these options would carry, validated by the request
 * schema. Rejects with `CliUsageError` naming the option.
 *
 * @example
 * await routedRequestFrom({ context: ['team=payments'], group: ['payments'] }); // → { context: { team: 'payments' }, notify: ['payments'] }
 */
export async function routedRequestFrom(options: RoutingOptions, baseContext: Record<string, string> = {}): Promise<RoutedRequest> {
  const context = contextLabels(options.context, baseContext);
  const { watchRequestSchema } = await import('../watch/request.js');
  const checkedContext = watchRequestSchema.shape.context.safeParse(context);
  if (!checkedContext.success) throw new CliUsageError(`--context ${checkedContext.error.issues[0]?.message ?? 'is invalid'}`);
  const groups = options.group ?? [];
  const checkedGroups = watchRequestSchema.shape.notify.safeParse(groups);
  if (!checkedGroups.success) throw new CliUsageError(`--group ${checkedGroups.error.issues[0]?.message ?? 'is invalid'}`);
  return { context, ...(groups.length > 0 ? { notify: [...new Set(groups)] } : {}) };
}

/** The labels of `--context key=value` entries over `base`; a later key wins. The schema checks them after. */
function contextLabels(entries: readonly string[] = [], base: Record<string, string> = {}): Record<string, string> {
  const context = { ...base };
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    if (separator <= 0) throw new CliUsageError(`--context must be key=value, got ${JSON.stringify(entry)}`);
    context[entry.slice(0, separator)] = entry.slice(separator + 1);
  }
  return context;
}

/**
 * The targets to notify: `NOTIFY_URLS` (unless `--notify-only`) then each `--notify`, duplicates
 * collapsed. A bad entry is a usage error naming where it came from, never the URL itself.
 *
 * @example
 * await notifyTargets(values.NOTIFY_URLS, { notify: ['webhook+http://127.0.0.1:8080/hook'] })
 */
export async function notifyTargets(notifyUrls: string | undefined, options: NotifyOptions): Promise<Target[]> {
  const { parseNotifyUrls } = await import('../notify/index.js');
  const targets = new Map<string, Target>();
  const add = (found: Target[]) => {
    for (const target of found) if (!targets.has(target.id)) targets.set(target.id, target);
  };
  if (!options.notifyOnly) {
    add(parseNotifyUrls(notifyUrls ?? ''));
  }
  (options.notify ?? []).forEach((value, index) => {
    try {
      add(parseNotifyUrls(value));
    } catch (error) {
      if (error instanceof NotifyConfigError) throw new CliUsageError(`--notify #${index + 1} ${error.problem}`);
      throw error;
    }
  });
  return [...targets.values()];
}
