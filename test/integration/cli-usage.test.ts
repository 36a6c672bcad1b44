/**
 * `apig-watch` as a subprocess: `--help` everywhere, and exit 2 with a message that names the bad
 * argument or variable for every kind of invalid usage, before anything is contacted.
 */
import { cleanEnv, runApigWatch } from '../support/cli-process.js';
import { INSTANCE_ID, PROJECT_ID } from '../support/factories.js';

/** Credentials and an endpoint nobody listens on: a usage error must be found before any request. */
const ENV = cleanEnv({
  HUAWEICLOUD_SDK_AK: 'SIMULATORACCESSKEY00',
  HUAWEICLOUD_SDK_SK: 'simulator-secret-key',
  APIG_ENDPOINT: 'http://127.0.0.1:9',
  IAM_ENDPOINT: 'http://127.0.0.1:9',
});
const REQUEST = ['--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1'];

describe('apig-watch --help', () => {
  it.each([
    [[], ['watch', 'start', 'list', 'redrive', 'test-notify', 'simulate', 'Exit codes:']],
    [
      ['watch'],
      [
        '--project-id',
        '--instance-id',
        '--region',
        '--name',
        '--notify',
        '--notify-only',
        '--interval',
        '--timeout',
        '--json',
        'HUAWEICLOUD_SDK_AK',
        'Exit codes:',
      ],
    ],
    [['start'], ['--queue-url', '--stack', '--aws-region', '--context']],
    [['list'], ['--table', '--stack', '--aws-region', '--all', '--json', 'dynamodb:Scan']],
    [['redrive'], ['--dry-run', '--queue-url', '--stack', '--aws-region', 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks']],
    [['test-notify'], ['--outcome', 'succeeded', 'forbidden', '--notify']],
    [['simulate'], ['--port']],
  ])('apig-watch %j --help exits 0 and lists its options', async (command, mentions) => {
    const run = await runApigWatch([...command, '--help'], ENV);

    expect(run.code).toBe(0);
    for (const mention of mentions) expect(run.stdout).toContain(mention);
  });
});

describe('invalid usage exits 2 and names what is wrong', () => {
  it.each([
    [
      'an instance id that is not 32 hex characters',
      ['watch', ...REQUEST, '--instance-id', 'ABC'],
      ENV,
      /--instance-id must be 32 lowercase hexadecimal characters/,
    ],
    [
      'an id that would change the request path',
      ['watch', ...REQUEST, '--project-id', '../../v3/auth/tokens'],
      ENV,
      /--project-id must be 32 lowercase hexadecimal characters/,
    ],
    [
      'a region that is not one',
      ['start', ...REQUEST, '--region', 'Asia Pacific', '--queue-url', 'http://127.0.0.1:9/q'],
      ENV,
      /--region must look like a Huawei Cloud region/,
    ],
    [
      'a missing required option',
      ['watch', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID],
      ENV,
      /required option '--region <region>' not specified/,
    ],
    [
      'an interval that is not a number',
      ['watch', ...REQUEST, '--interval', 'soon'],
      ENV,
      /--interval <seconds>.*must be a whole number of seconds from 1 to 900/,
    ],
    ['a context label without =', ['watch', ...REQUEST, '--context', 'ticket'], ENV, /--context must be key=value/],
    ['a --notify URL that is not http(s)', ['watch', ...REQUEST, '--notify', 'ftp://example.com/hook'], ENV, /--notify #1 uses ftp:/],
    ['an unknown --outcome', ['test-notify', '--outcome', 'exploded'], ENV, /--outcome <outcome>.*exploded.*Allowed choices are succeeded, failed/],
    ['no Huawei Cloud credentials', ['watch', ...REQUEST], cleanEnv(), /no Huawei Cloud credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK/],
    ['a broken NOTIFY_URLS', ['watch', ...REQUEST], { ...ENV, NOTIFY_URLS: 'not a url' }, /NOTIFY_URLS entry 1 is not a valid URL/],
    ['test-notify without any target', ['test-notify'], ENV, /no notification targets: set NOTIFY_URLS or pass --notify/],
    ['start without a queue', ['start', ...REQUEST], ENV, /no watch queue: pass --queue-url/],
    ['list without a table', ['list'], ENV, /no watch table: pass --table NAME, set WATCH_TABLE_NAME, or name the deployed stack with --stack/],
    ['redrive without a queue', ['redrive', '--dry-run'], ENV, /no watch queue: pass --queue-url/],
    ['an unknown command', ['wach'], ENV, /unknown command 'wach'/],
  ])('%s', async (_, args, env, message) => {
    const run = await runApigWatch(args, env);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  });
});
