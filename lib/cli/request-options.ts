import { InvalidMessageError, parseWatchRequest, type WatchRequest } from '../watch/index.js';
import { CliUsageError } from './errors.js';

/** The options every command that names a gateway takes (`watch`, `start`). */
export interface RequestOptions {
  projectId: string;
  instanceId: string;
  region: string;
  name?: string;
  /** `--context key=value`, repeatable. */
  context?: string[];
}

/** Which option sets which field of the watch request (docs/contracts.md, "Watch request — contract"), for messages that name the option. */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  project_id: '--project-id',
  instance_id: '--instance-id',
  region: '--region',
  instance_name: '--name',
  context: '--context',
};

/**
 * Builds the watch request from the options with the same schema as the queue (docs/contracts.md, "Watch request — contract"). Throws
 * `CliUsageError` naming the option: `--instance-id must be 32 lowercase hexadecimal characters …`.
 *
 * @example
 * watchRequestFromOptions({ projectId, instanceId, region: 'ap-southeast-1', context: ['ticket=OPS-1'] })
 */
export function watchRequestFromOptions(options: RequestOptions): WatchRequest {
  const context: Record<string, string> = {};
  for (const entry of options.context ?? []) {
    const separator = entry.indexOf('=');
    if (separator <= 0) throw new CliUsageError(`--context must be key=value, got ${JSON.stringify(entry)}`);
    context[entry.slice(0, separator)] = entry.slice(separator + 1);
  }
  try {
    return parseWatchRequest({
      project_id: options.projectId,
      instance_id: options.instanceId,
      region: options.region,
      instance_name: options.name ?? null,
      context,
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
