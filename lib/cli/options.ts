import { type Command, Option } from 'commander';

/**
 * The options commands share, declared apart from their parsing so that `--help` loads no schema.
 */

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
    .addOption(new Option('--context <key=value>', 'a label echoed in notifications, e.g. ticket=OPS-1234 (repeatable)').argParser(collect));
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

/** Collects a repeatable option's values (no default: commander would print `(default: [])`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
