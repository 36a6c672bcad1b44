import { Command, Option } from 'commander';
import { EVENT_KINDS } from '../watch/index.js';
import {
  MAX_INTERVAL_SECONDS,
  collect,
  contextOption,
  groupOption,
  intervalSeconds,
  portNumber,
  positiveSeconds,
  withNotifyOptions,
  withRequestOptions,
} from './options.js';
import type { CliIo } from './process.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  succeeded (watch: the gateway was created; list, redrive: done; cancel: cancelled)
  1  the creation failed (watch); a target did not take the sample (test-notify)
  2  invalid usage or input: the message names the bad argument or variable
  3  still creating at the deadline (watch --timeout, WATCH_TIMEOUT_SECONDS)
  4  could not watch or start: gateway not found, credentials rejected, permission missing,
     Huawei unavailable or never answered (a wrong endpoint or region), AWS unavailable;
     list, redrive: the table or queue could not be read, the move back failed;
     cancel: the gateway has no active watch, or the table could not be written
  5  watch --require-notify: the watch ended, but a target did not take the notification
  70  internal error (a bug: please report it)
  130  stopped with Ctrl-C`;

const ENVIRONMENT_HELP = `
Environment (as the Lambda, see docs/configuration.md):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK[, HUAWEICLOUD_SDK_SECURITY_TOKEN]   AK/SK signing, or
  HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD[, HUAWEICLOUD_IAM_DOMAIN]  an IAM token, or
  HUAWEICLOUD_AUTH_TOKEN                                                    a ready X-Auth-Token
  APIG_ENDPOINT, IAM_ENDPOINT   endpoint templates ({region} substituted)
  NOTIFY_URLS, WEBHOOK_SECRET   notification targets and the generic webhook's signing secret
  WATCH_TIMEOUT_SECONDS         default --timeout (7200)`;

/**
 * The `apig-watch` command line: each command's options and help, wired to the `run…` function of
 * its module under `commands/`. An action loads its module only when it runs (so `--help` loads
 * no AWS SDK) and stores its exit code through `setExitCode`; errors propagate to the caller
 * (`runCli`), which turns them into messages and exit codes.
 *
 * @example
 * let code = 0;
 * await buildProgram(io, (c) => (code = c), '0.1.0').parseAsync(process.argv);
 */
export function buildProgram(io: CliIo, setExitCode: (code: number) => void, version: string): Command {
  const program = new Command('apig-watch')
    .description("Watch a Huawei Cloud API Gateway dedicated gateway's creation (or resize, update, deletion, restart) and notify webhooks once it ends.")
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  const runs =
    <Options>(load: () => Promise<(options: Options, io: CliIo) => Promise<number>>) =>
    async (options: Options) =>
      setExitCode(await (await load())(options, io));

  withNotifyOptions(withRequestOptions(program.command('watch')))
    .description('watch one creation (or --operation) from this machine (no AWS): poll, show progress, notify once it ends')
    .addOption(
      new Option(
        '--interval <seconds>',
        `poll every this many seconds (1–${MAX_INTERVAL_SECONDS}) instead of the adaptive schedule; the deadline still ends the watch`,
      ).argParser(intervalSeconds),
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up (timed_out, exit 3) after this long (default: WATCH_TIMEOUT_SECONDS or 7200)').argParser(positiveSeconds),
    )
    .option('--require-notify', 'exit 5 when a target did not take the notification (default: the exit code says only how the creation ended)')
    .option('--json', 'print the final event (the generic webhook event) as the last line of stdout; progress goes to stderr')
    .option('--verbose', 'log requests, retries and deliveries to stderr')
    .addHelpText('after', `${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}`)
    .action(runs(async () => (await import('./commands/watch/index.js')).runWatch));

  withRequestOptions(program.command('start'))
    .description('start a watch in the deployed apig-watch (sends the watch request to its SQS queue); prints the watch id')
    .option('--queue-url <url>', 'the watch queue (default: WATCH_QUEUE_URL, or the WatchQueueUrl output of --stack)')
    .option('--stack <name>', 'the deployed CloudFormation stack to read the queue from, e.g. apig-watch-prod')
    .option('--aws-region <region>', "AWS region of the queue and stack (default: the AWS SDK's, e.g. AWS_REGION)")
    .addHelpText('after', "\nAWS credentials are the AWS SDK's own (environment, profile, SSO…); the caller needs sqs:SendMessage on the queue.")
    .action(runs(async () => (await import('./commands/start.js')).runStart));

  program
    .command('cancel')
    .description('cancel the active watch of a gateway in the deployed apig-watch: it ends at its next step as cancelled (heard by on=cancelled targets only)')
    .option('--project-id <id>', 'the Huawei project of the gateway')
    .option('--instance-id <id>', 'the gateway (instance) whose active watch to cancel')
    .option('--watch-id <id>', 'or the watch itself, as start and list print it')
    .option('--reason <text>', 'why, for the notification (with your AWS identity)')
    .option('--table <name>', 'the watch table (default: WATCH_TABLE_NAME, or the WatchTableName output of --stack)')
    .option('--stack <name>', 'the deployed CloudFormation stack to read the table from, e.g. apig-watch-prod')
    .option('--aws-region <region>', "AWS region of the table and stack (default: the AWS SDK's, e.g. AWS_REGION)")
    .addHelpText(
      'after',
      '\nGoes through the table only (never the watch queue): the caller needs dynamodb:GetItem and dynamodb:UpdateItem on it\n(and dynamodb:Scan with --watch-id), and sts:GetCallerIdentity, which every AWS identity may call.\nExit 0 when cancelled, 4 when the gateway has no active watch, 2 for bad options.',
    )
    .action(runs(async () => (await import('./commands/cancel.js')).runCancel));

  program
    .command('list')
    .description('list the active watches of the deployed apig-watch (--all: the ended ones too, with outcome and targets), from its table')
    .option('--table <name>', 'the watch table (default: WATCH_TABLE_NAME, or the WatchTableName output of --stack)')
    .option('--stack <name>', 'the deployed CloudFormation stack to read the table from, e.g. apig-watch-prod')
    .option('--aws-region <region>', "AWS region of the table and stack (default: the AWS SDK's, e.g. AWS_REGION)")
    .option('--all', 'also the ended watches (outcome, which targets have it) and lost ones (never ended: look in the dead-letter queue)')
    .option('--json', 'print one JSON array of watch objects on stdout, for scripts')
    .addHelpText(
      'after',
      '\nReads the table with a Scan: the caller needs dynamodb:Scan on it (no signing key).\nExit 0, 2 without a table, 4 when it cannot be read.',
    )
    .action(runs(async () => (await import('./commands/list.js')).runList));

  program
    .command('redrive')
    .description("list the watch queue's dead-letter queue with each message's reason and move it back (SQS's message-move task), showing progress")
    .option('--dry-run', 'only list what is there and why; move nothing')
    .option(
      '--queue-url <url>',
      'the watch queue (default: WATCH_QUEUE_URL, or the WatchQueueUrl output of --stack); its redrive policy names the dead-letter queue',
    )
    .option('--stack <name>', 'the deployed CloudFormation stack to read the queue from, e.g. apig-watch-prod')
    .option('--aws-region <region>', "AWS region of the queues and stack (default: the AWS SDK's)")
    .addHelpText(
      'after',
      '\nA redriven outcome goes only to the targets that do not have it yet. The caller needs sqs:GetQueueAttributes and\n' +
        'sqs:SendMessage on the watch queue; sqs:GetQueueUrl, sqs:GetQueueAttributes, sqs:ReceiveMessage, sqs:ChangeMessageVisibility,\n' +
        'sqs:DeleteMessage, sqs:StartMessageMoveTask and sqs:ListMessageMoveTasks on the dead-letter queue.\n' +
        'Exit 0 when everything listed was moved back (or --dry-run), 4 when a queue could not be read or the move failed.',
    )
    .action(runs(async () => (await import('./commands/redrive.js')).runRedrive));

  withNotifyOptions(program.command('test-notify'))
    .description('send a sample notification to every configured target and print what each answered')
    .addOption(new Option('--outcome <outcome>', 'the outcome the sample reports (or started, the opt-in notice)').choices(EVENT_KINDS).default('succeeded'))
    .addOption(contextOption('a context label of the sample watch, for when= filters (repeatable)'))
    .addOption(groupOption())
    .option('--verbose', 'log each attempt to stderr')
    .addHelpText(
      'after',
      '\nReads NOTIFY_URLS and WEBHOOK_SECRET only; sends only to the targets whose filters (on=, when=, group=) want the sample.\nExit 0 when every chosen target took it (or none wants it), 1 otherwise, 2 without targets.',
    )
    .action(runs(async () => (await import('./commands/test-notify/index.js')).runTestNotify));

  program
    .command('discover')
    .description('list the gateways being created in DISCOVER_PROJECTS (or --project) and, with --start, start a watch of each in the deployed apig-watch')
    .option('--once', 'one sweep (required: the deployed discover function sweeps on its schedule)')
    .addOption(
      new Option('--project <region:project_id>', 'a project to sweep instead of DISCOVER_PROJECTS, e.g. ap-southeast-1:0123… (repeatable)').argParser(collect),
    )
    .option('--start', 'send a watch request (origin: discovery) for each gateway found to the watch queue')
    .option('--queue-url <url>', 'with --start: the watch queue (default: WATCH_QUEUE_URL, or the WatchQueueUrl output of --stack)')
    .option('--stack <name>', 'with --start: the deployed CloudFormation stack to read the queue from, e.g. apig-watch-prod')
    .option('--aws-region <region>', "with --start: AWS region of the queue and stack (default: the AWS SDK's)")
    .addOption(new Option('--outcome <outcome>', 'show only which targets hear this outcome of a discovered watch').choices(EVENT_KINDS))
    .option('--verbose', 'log requests to stderr')
    .addHelpText(
      'after',
      `\nNeeds the permission apig:instance:list. Without it Huawei answers an empty list, not an error:\nan empty project is printed with that reminder.\nExit 0, or 4 when a project could not be listed or a request not sent.\n${ENVIRONMENT_HELP}\n  DISCOVER_PROJECTS             default --project list (comma-separated REGION:PROJECT_ID)`,
    )
    .action(runs(async () => (await import('./commands/discover.js')).runDiscover));

  program
    .command('simulate')
    .description('run the Huawei APIG simulator with a few scripted gateways, until Ctrl-C')
    .addOption(new Option('--port <port>', 'port on 127.0.0.1 (0: any free port)').argParser(portNumber).default(8080))
    .addHelpText('after', '\nWith APIG_WATCH_TIME_SCALE=20 the scripted creations run 20 times faster (export what it prints).')
    .action(runs(async () => (await import('./commands/simulate.js')).runSimulate));

  return program;
}
