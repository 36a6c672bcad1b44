/**
 * The deployment as CloudFormation and Lambda will see it.
 *
 * Runs `serverless package` once, offline and without AWS credentials (as CI and a
 * first-time user do), then checks the generated template and loads the packaged
 * handler the way the Lambda runtime does.
 *
 * Set `APIG_WATCH_LAMBDA_NODE` to a Node binary of the Lambda runtime's major to load the handler
 * under it too, when the suite itself runs under another Node (`.ci/run` runs the whole suite under
 * Lambda's major, from the npm registry's `node@24`).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startApigSimulator, type ApigSimulator } from '../../lib/simulator/index.js';
import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { startLocalStack, type LocalStack } from '../../devkit/local-stack.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS, DEFAULT_VISIBILITY_TIMEOUT_SECONDS, DEFAULT_WAIT_MS } from '../support/budgets.js';
import { startPackagedHandler, type PackagedHandler } from '../support/packaged-handler.js';
import { ALL_OPTIONAL_PARAMS, lintTemplate, type LintResult } from '../../scripts/lint-template.js';
import { readZip, type ZipEntry } from '../../devkit/zip.js';

const run = promisify(execFile);

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVERLESS_BIN = path.join(PROJECT_DIR, 'node_modules/osls/bin/serverless.js');
const STAGE = 'ci';
const PACKAGE_TIMEOUT_MS = 180_000;
/** osls ends an error report with this line, then waits on esbuild, which never lets go after a failed build. */
const OSLS_ERROR_FOOTER = /^Docs: +github\.com\/oss-serverless\/osls/m;
const OSLS_ERROR_GRACE_MS = 2_000;
const LOAD_TIMEOUT_MS = 20_000;
/** A guard against bundling something by accident; Lambda's own limit is 50 MB zipped. */
const MAX_ZIP_BYTES = 5 * 1024 * 1024;

/** Secret-looking values set in the packaging environment: none may reach the artefacts. */
const LEAK_CANARIES: Record<string, string> = {
  NOTIFY_URLS: 'https://hooks.slack.com/services/T0CANARY/B0CANARY/notify-urls-must-not-leak',
  WEBHOOK_SECRET: 'whsec_d2ViaG9vay1zZWNyZXQtbXVzdC1ub3QtbGVhaw==',
  HUAWEICLOUD_SDK_AK: 'AKMUSTNOTLEAK0000000',
  HUAWEICLOUD_SDK_SK: 'sk-must-not-leak',
  HUAWEICLOUD_SDK_SECURITY_TOKEN: 'security-token-must-not-leak',
  HUAWEICLOUD_IAM_USER: 'iam-user-must-not-leak',
  HUAWEICLOUD_IAM_PASSWORD: 'iam-password-must-not-leak',
  HUAWEICLOUD_IAM_DOMAIN: 'iam-domain-must-not-leak',
  HUAWEICLOUD_AUTH_TOKEN: 'auth-token-must-not-leak',
};
const SECRET_VARIABLES = Object.keys(LEAK_CANARIES);
/** The credential mode on by default (AK/SK) and the targets: references to this stage's parameters. */
const DEFAULT_SECRET_REFERENCES: Record<string, string> = {
  NOTIFY_URLS: `ssm:/apig-watch/${STAGE}/notify-urls`,
  HUAWEICLOUD_SDK_AK: `ssm:/apig-watch/${STAGE}/huaweicloud-sdk-ak`,
  HUAWEICLOUD_SDK_SK: `ssm:/apig-watch/${STAGE}/huaweicloud-sdk-sk`,
};
const REQUIRED_VARIABLES = [
  'WATCH_QUEUE_URL',
  'DEAD_LETTER_QUEUE_URL',
  'WATCH_TABLE_NAME',
  ...SECRET_VARIABLES,
  'APIG_ENDPOINT',
  'IAM_ENDPOINT',
  'WATCH_TIMEOUT_SECONDS',
  'DELIVERY_RETRY_HOURS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
];
/** Services whose actions touch data or secrets: never granted on every resource. */
const SCOPED_SERVICES = ['sqs', 'dynamodb', 'ssm', 'secretsmanager', 'kms'];

// CloudFormation is JSON: properties are read as loosely as the template is written.
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation is JSON: its properties are read as loosely as the template is written.
type Properties = Record<string, any>;
interface CfnResource {
  Type: string;
  Properties: Properties;
}
interface Template {
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Value: unknown }>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

let packageDir: string;
let template: Template;
let templateText: string;
let zipPath: string;
let zipEntries: ZipEntry[];

/** The environment of a first-time user or a CI runner: no AWS credentials or profiles at all. */
function buildPackagingEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...LEAK_CANARIES };
  for (const name of Object.keys(env)) {
    if (name.startsWith('AWS_') || name === 'NODE_OPTIONS') delete env[name];
  }
  const nowhere = path.join(packageDir, 'no-such-aws-file');
  return { ...env, AWS_SHARED_CREDENTIALS_FILE: nowhere, AWS_CONFIG_FILE: nowhere, AWS_EC2_METADATA_DISABLED: 'true' };
}

function resourcesOfType(type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function resource(logicalId: string, type: string): CfnResource {
  const found = template.Resources[logicalId];
  if (found?.Type !== type) throw new Error(`template has no ${type} named ${logicalId}`);
  return found;
}

/** The SQS-triggered poller. */
function pollFunction(): CfnResource {
  return resource('PollLambdaFunction', 'AWS::Lambda::Function');
}

/** The HTTP start endpoint (`POST /watches`). */
function startWatchFunction(): CfnResource {
  return resource('StartWatchLambdaFunction', 'AWS::Lambda::Function');
}

function functionEnvironment(): Properties {
  return pollFunction().Properties.Environment.Variables;
}

function roleStatements(): Statement[] {
  const role = resource('IamRoleLambdaExecution', 'AWS::IAM::Role');
  return role.Properties.Policies.flatMap((policy: Properties) => policy.PolicyDocument.Statement);
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** `handlers/poll.handler` → the packaged module file and the export Lambda will call. */
function handlerLocation(fn: CfnResource = pollFunction(), entries: ZipEntry[] = zipEntries): { moduleFile: string; exportName: string } {
  const handler: string = fn.Properties.Handler;
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const candidates = ['.mjs', '.js', '.cjs'].map((extension) => modulePath + extension);
  const moduleFile = candidates.find((candidate) => entries.some((entry) => entry.name === candidate));
  if (!moduleFile) throw new Error(`none of ${candidates.join(', ')} is in the package`);
  return { moduleFile, exportName: handler.slice(dot + 1) };
}

/**
 * What the Lambda runtime gives the function: the template's environment with the
 * references it cannot resolve here replaced by plausible literals, plus the runtime's own.
 */
function buildLambdaEnv(taskRoot: string): NodeJS.ProcessEnv {
  const resolved: Record<string, string> = {
    WATCH_QUEUE_URL: 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-ci-watch',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-ci-dead-letter',
    WATCH_TABLE_NAME: 'apig-watch-ci-watch',
    NOTIFY_URLS: 'webhook+http://127.0.0.1:9/hook',
    HUAWEICLOUD_SDK_AK: 'AKTESTTESTTESTTEST00',
    HUAWEICLOUD_SDK_SK: 'test-secret-key',
    STATE_SIGNING_KEY: 'a-test-state-signing-key-of-32-bytes-or-more',
  };
  const fromTemplate = Object.fromEntries(
    Object.entries(functionEnvironment()).map(([name, value]) => {
      const usable = typeof value === 'string' && !/^(ssm|secretsmanager):/.test(value);
      return [name, resolved[name] ?? (usable ? value : '')];
    }),
  );
  return {
    ...fromTemplate,
    PATH: process.env.PATH,
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: pollFunction().Properties.Handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${pollFunction().Properties.Runtime}`,
    AWS_REGION: 'ap-southeast-1',
    AWS_DEFAULT_REGION: 'ap-southeast-1',
    AWS_LAMBDA_FUNCTION_NAME: pollFunction().Properties.FunctionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(pollFunction().Properties.MemorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_ACCESS_KEY_ID: 'ASIATESTTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-aws-secret',
    AWS_SESSION_TOKEN: 'test-aws-session-token',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Node binaries to load the handler with: this one, and the Lambda runtime's major when given. */
function loaderNodes(): { label: string; bin: string }[] {
  const bins = [process.execPath, process.env.APIG_WATCH_LAMBDA_NODE].filter((bin): bin is string => !!bin);
  return bins.map((bin) => ({ bin, label: execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim() }));
}

/**
 * Runs the osls CLI and resolves with its output. A failed esbuild build leaves osls running
 * forever (floydspace/serverless-esbuild#532), so an error report ends the run too.
 */
function runServerless(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVERLESS_BIN, ...args], { cwd: PROJECT_DIR, env, stdio: 'pipe' });
    let output = '';
    let stopping: NodeJS.Timeout | undefined;
    const stop = (after: number) => setTimeout(() => child.kill('SIGTERM'), after);
    const timeout = stop(PACKAGE_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!stopping && OSLS_ERROR_FOOTER.test(output)) stopping = stop(OSLS_ERROR_GRACE_MS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(stopping);
      if (code === 0) resolve(output);
      else reject(new Error(`serverless ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

beforeAll(async () => {
  packageDir = await mkdtemp(path.join(tmpdir(), 'apig-watch-package-'));
  const started = performance.now();
  await runServerless(['package', '--stage', STAGE, '--package', packageDir], buildPackagingEnv());
  const packagingSeconds = (performance.now() - started) / 1000;

  templateText = await readFile(path.join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8');
  template = JSON.parse(templateText) as Template;
  zipPath = path.join(packageDir, path.basename(pollFunction().Properties.Code.S3Key));
  zipEntries = readZip(await readFile(zipPath));
  console.info(`serverless package --stage ${STAGE}: ${packagingSeconds.toFixed(1)} s`);
}, PACKAGE_TIMEOUT_MS + 10_000);

afterAll(async () => {
  if (packageDir) await rm(packageDir, { recursive: true, force: true });
});

describe('the poll function', () => {
  test('runs on nodejs24.x, arm64, with the handler handlers/poll.handler', () => {
    const { Properties } = pollFunction();
    expect(Properties.Runtime).toBe('nodejs24.x');
    expect(Properties.Architectures).toEqual(['arm64']);
    expect(Properties.Handler).toBe('handlers/poll.handler');
  });

  test('has every configuration variable in its environment', () => {
    const environment = functionEnvironment();
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(REQUIRED_VARIABLES));
    expect(environment.WATCH_QUEUE_URL).toEqual({ Ref: 'WatchQueue' });
    expect(environment.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: 'DeadLetterQueue' });
    expect(environment.WATCH_TABLE_NAME).toEqual({ Ref: 'WatchTable' });
    expect(environment.POWERTOOLS_METRICS_NAMESPACE).toBe('ApigWatch');
    expect(environment.DELIVERY_RETRY_HOURS).toBe('24');
  });

  test('gives the start-watch function no secret reference and no poller setting', () => {
    const startEnvironment = startWatchFunction().Properties.Environment.Variables as Record<string, unknown>;
    expect(startEnvironment.WATCH_QUEUE_URL).toEqual({ Ref: 'WatchQueue' });
    expect(startEnvironment.WATCH_TABLE_NAME).toEqual({ Ref: 'WatchTable' }); // read-only: does a request join an active watch?
    for (const name of [...SECRET_VARIABLES, 'DEAD_LETTER_QUEUE_URL']) expect(startEnvironment).not.toHaveProperty(name);
  });

  test('enables source maps exactly when the package ships one', () => {
    const shipsSourceMap = zipEntries.some((entry) => entry.name.endsWith('.map'));
    const nodeOptions: string = functionEnvironment().NODE_OPTIONS ?? '';
    expect(nodeOptions.includes('--enable-source-maps')).toBe(shipsSourceMap);
  });
});

describe('secrets', () => {
  test('are run-time references to this stage’s parameters, or empty', () => {
    const environment = functionEnvironment();
    // WEBHOOK_SECRET: the generated secret's reference or the webhook-secret param ('the webhook signing secret' below).
    for (const name of SECRET_VARIABLES.filter((variable) => variable !== 'WEBHOOK_SECRET')) {
      expect([name, environment[name]]).toEqual([
        name,
        expect.stringMatching(new RegExp(`^$|^ssm:/apig-watch/${STAGE}/|^secretsmanager:apig-watch/${STAGE}/`)),
      ]);
    }
    for (const [name, reference] of Object.entries(DEFAULT_SECRET_REFERENCES)) {
      expect([name, environment[name]]).toEqual([name, reference]);
    }
  });

  test('never appear in plain text in the template, the deployment state or the bundle', async () => {
    const state = await readFile(path.join(packageDir, 'serverless-state.json'), 'utf8');
    const bundle = zipEntries.map((entry) => entry.data.toString('utf8')).join('\n');
    for (const [name, canary] of Object.entries(LEAK_CANARIES)) {
      expect([name, templateText.includes(canary)]).toEqual([name, false]);
      expect([name, state.includes(canary)]).toEqual([name, false]);
      expect([name, bundle.includes(canary)]).toEqual([name, false]);
    }
  });
});

describe('the SQS event source', () => {
  function eventSourceMapping(): Properties {
    const [only, ...others] = resourcesOfType('AWS::Lambda::EventSourceMapping');
    if (!only || others.length > 0) throw new Error('expected exactly one event source mapping');
    return only[1].Properties;
  }

  test('reads the watch queue in batches of at most 10', () => {
    const mapping = eventSourceMapping();
    expect(mapping.EventSourceArn).toEqual({ 'Fn::GetAtt': ['WatchQueue', 'Arn'] });
    expect(mapping.BatchSize).toBeLessThanOrEqual(10);
  });

  test('reports failures per record (ReportBatchItemFailures)', () => {
    expect(eventSourceMapping().FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  test('caps concurrent pollers with ScalingConfig.MaximumConcurrency', () => {
    const maximumConcurrency = eventSourceMapping().ScalingConfig?.MaximumConcurrency;
    expect(maximumConcurrency).toBeGreaterThanOrEqual(2);
    expect(maximumConcurrency).toBeLessThanOrEqual(1000);
  });
});

describe('the queues', () => {
  test('redrive the watch queue to the dead-letter queue after at least 3 receives', () => {
    const { RedrivePolicy } = resource('WatchQueue', 'AWS::SQS::Queue').Properties;
    expect(RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
    expect(Number(RedrivePolicy.maxReceiveCount)).toBeGreaterThanOrEqual(3);
  });

  test('hide a received batch for at least 6 × the function timeout (plus the batching window)', () => {
    const visibilityTimeout = Number(resource('WatchQueue', 'AWS::SQS::Queue').Properties.VisibilityTimeout);
    const [, mapping] = resourcesOfType('AWS::Lambda::EventSourceMapping')[0] ?? [];
    const batchingWindow = Number(mapping?.Properties.MaximumBatchingWindowInSeconds ?? 0);
    expect(visibilityTimeout).toBeGreaterThanOrEqual(6 * Number(pollFunction().Properties.Timeout) + batchingWindow);
  });

  test('encrypt at rest, and keep dead letters for 14 days', () => {
    const watchQueue = resource('WatchQueue', 'AWS::SQS::Queue').Properties;
    const deadLetterQueue = resource('DeadLetterQueue', 'AWS::SQS::Queue').Properties;
    expect(watchQueue.SqsManagedSseEnabled).toBe(true);
    expect(deadLetterQueue.SqsManagedSseEnabled).toBe(true);
    expect(Number(deadLetterQueue.MessageRetentionPeriod)).toBe(14 * 24 * 3600);
  });

  test('raise an alarm as soon as the dead-letter queue holds a message', () => {
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const deadLetterAlarm = alarms.find((alarm) =>
      alarm.Dimensions?.some((dimension: Properties) => dimension.Value?.['Fn::GetAtt']?.[0] === 'DeadLetterQueue'),
    );
    expect(deadLetterAlarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('the watch table', () => {
  test('is on-demand, keyed by pk (string), and expires items through expires_at', () => {
    const table = resource('WatchTable', 'AWS::DynamoDB::Table').Properties;
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
  });
});

describe('the execution role', () => {
  function statementsAllowing(action: string): Statement[] {
    return roleStatements().filter((statement) => asArray(statement.Action).includes(action));
  }

  test('grants no queue, table, parameter, secret or key action on every resource', () => {
    const onEveryResource = roleStatements().filter((statement) => asArray(statement.Resource).includes('*'));
    const actions = onEveryResource.flatMap((statement) => asArray(statement.Action));
    expect(actions.filter((action) => SCOPED_SERVICES.includes(action.split(':')[0] ?? ''))).toEqual([]);
    // Only CloudWatch metrics need '*'; the function writes its metrics as log lines instead.
    expect(actions.filter((action) => action !== 'cloudwatch:PutMetricData')).toEqual([]);
  });

  test('names every action it grants (no wildcard actions)', () => {
    const actions = roleStatements().flatMap((statement) => asArray(statement.Action));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  test('allows sqs:SendMessage only on its own watch and dead-letter queues', () => {
    const resources = statementsAllowing('sqs:SendMessage').flatMap((statement) => asArray(statement.Resource));
    expect(resources).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': ['WatchQueue', 'Arn'] }, { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }]));
    expect(resources).toHaveLength(2);
  });

  test('allows receiving and deleting only on the watch queue', () => {
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage']) {
      const resources = statementsAllowing(action).flatMap((statement) => asArray(statement.Resource));
      expect(resources).toEqual([{ 'Fn::GetAtt': ['WatchQueue', 'Arn'] }]);
    }
  });

  test('allows only item reads and conditional updates (no PutItem), only on the watch table', () => {
    const dynamodbActions = roleStatements()
      .flatMap((statement) => asArray(statement.Action))
      .filter((action) => action.startsWith('dynamodb:'));
    expect(dynamodbActions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    const resources = statementsAllowing('dynamodb:GetItem').flatMap((statement) => asArray(statement.Resource));
    expect(resources).toEqual([{ 'Fn::GetAtt': ['WatchTable', 'Arn'] }]);
  });

  test('reads parameters and secrets only under apig-watch/<stage>/', () => {
    const ssm = statementsAllowing('ssm:GetParameter').flatMap((statement) => asArray(statement.Resource));
    const secrets = statementsAllowing('secretsmanager:GetSecretValue').flatMap((statement) => asArray(statement.Resource));
    expect(ssm).toEqual([{ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/apig-watch/${STAGE}/*` }]);
    expect(secrets).toEqual([
      { Ref: 'StateSigningKey' },
      {
        'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:apig-watch/${STAGE}/*`,
      },
    ]);
  });

  test('may bring a failed record back early (ChangeMessageVisibility), on the watch queue only', () => {
    const resources = statementsAllowing('sqs:ChangeMessageVisibility').flatMap((statement) => asArray(statement.Resource));
    expect(resources).toEqual([{ 'Fn::GetAtt': ['WatchQueue', 'Arn'] }]);
  });
});

describe('the state signing key', () => {
  test('is generated by the stack as a Secrets Manager secret, and passed to the poller only as a reference', () => {
    expect(resource('StateSigningKey', 'AWS::SecretsManager::Secret').Properties).toMatchObject({
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    expect(functionEnvironment().STATE_SIGNING_KEY).toEqual({ 'Fn::Join': ['', ['secretsmanager:', { Ref: 'StateSigningKey' }]] });
    expect(functionEnvironment().STATE_SIGNING_KEY_PREVIOUS).toBe('');
    expect(functionEnvironment().STATE_SIGNING_KEY_NEXT).toBe('');
  });
});

describe('the alarms on records, notifications and the queue', () => {
  test.each([
    ['RecordFailureAlarm', 'ApigWatch', 'RecordFailures'],
    ['NotificationFailureAlarm', 'ApigWatch', 'NotificationFailures'],
    ['WatchQueueAgeAlarm', 'AWS/SQS', 'ApproximateAgeOfOldestMessage'],
    ['DeadLetterAlarm', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible'],
    ['FunctionErrorAlarm', 'AWS/Lambda', 'Errors'],
  ])('%s watches %s %s', (name, namespace, metric) => {
    expect(resource(name, 'AWS::CloudWatch::Alarm').Properties).toMatchObject({ Namespace: namespace, MetricName: metric });
  });

  test('watch the metrics the poller emits with the dimensions it emits them with (service only)', () => {
    for (const name of ['RecordFailureAlarm', 'NotificationFailureAlarm']) {
      expect(resource(name, 'AWS::CloudWatch::Alarm').Properties.Dimensions).toEqual([{ Name: 'service', Value: 'apig-watch' }]);
    }
  });
});

describe('the stack', () => {
  test("outputs the queue URLs and ARNs (the redrive command needs the dead-letter queue's) and the table name", () => {
    expect(template.Outputs).toMatchObject({
      WatchQueueUrl: { Value: { Ref: 'WatchQueue' } },
      WatchQueueArn: { Value: { 'Fn::GetAtt': ['WatchQueue', 'Arn'] } },
      DeadLetterQueueUrl: { Value: { Ref: 'DeadLetterQueue' } },
      DeadLetterQueueArn: { Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
      WatchTableName: { Value: { Ref: 'WatchTable' } },
    });
  });
});

describe('the packaged handler', () => {
  test('is a small bundle: no tests, no TypeScript sources, no development dependencies', async () => {
    const packageJson = JSON.parse(await readFile(path.join(PROJECT_DIR, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const devDependencies = Object.keys(packageJson.devDependencies);
    const names = zipEntries.map((entry) => entry.name);
    const { size } = await stat(zipPath);
    const listing = zipEntries.map((entry) => `${entry.name} ${(entry.data.length / 1024).toFixed(0)} KB`);
    console.info(`${path.basename(zipPath)}: ${(size / 1024).toFixed(0)} KB zipped\n  ${listing.join('\n  ')}`);

    expect(names.filter((name) => /(^|\/)(test|tests|__tests__)\/|\.test\.[cm]?[jt]s$/.test(name))).toEqual([]);
    expect(names.filter((name) => /\.[cm]?ts$/.test(name) && !name.endsWith('.d.ts'))).toEqual([]);
    expect(names.filter((name) => devDependencies.some((dependency) => name.includes(`node_modules/${dependency}/`)))).toEqual([]);
    expect(size).toBeLessThan(MAX_ZIP_BYTES);
  });

  test('gives the CommonJS code it bundles a real require (the createRequire banner)', () => {
    const { moduleFile } = handlerLocation();
    const bundle = zipEntries.find((entry) => entry.name === moduleFile)?.data.toString('utf8') ?? '';
    // esbuild's stand-in throws `Dynamic require of "…" is not supported` in an ES module unless a
    // real `require` is in scope. Its calls may sit on paths a plain load never takes (a first
    // fetch, a fallback), so the load test below cannot be relied on to catch a missing banner.
    // Checked whether or not today's bundle has such a call: the next dependency may bring one.
    expect(bundle).toMatch(/^import\s*\{\s*createRequire\s*\}\s*from\s*['"]node:module['"];\s*const require\s*=\s*createRequire\(import\.meta\.url\);/);
  });

  describe.each(loaderNodes())('under Node $label', ({ bin, label }) => {
    test('loads from an ES-module entry in a fresh process, as the Lambda runtime loads it', async () => {
      const taskRoot = await mkdtemp(path.join(packageDir, 'task-root-'));
      for (const entry of zipEntries) {
        await mkdir(path.join(taskRoot, path.dirname(entry.name)), { recursive: true });
        await writeFile(path.join(taskRoot, entry.name), entry.data);
      }
      const { moduleFile, exportName } = handlerLocation();
      // An ES-module entry has no global `require`, unlike `node -e "import(…)"`, so a bundle
      // missing the createRequire banner fails here just as it does in Lambda.
      await writeFile(
        path.join(taskRoot, 'load.mjs'),
        `import * as handlerModule from './${moduleFile}';\n` + `process.stdout.write(typeof handlerModule[${JSON.stringify(exportName)}]);\n`,
      );

      const loaded = await run(bin, ['load.mjs'], {
        cwd: taskRoot,
        env: buildLambdaEnv(taskRoot),
        timeout: LOAD_TIMEOUT_MS,
      }).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: `${label}: ${error.stderr ?? String(error)}`,
      }));

      expect(loaded).toMatchObject({ stdout: 'function' });
    });

    if (bin !== process.execPath) {
      test('is the Lambda runtime’s major version', () => {
        const runtimeMajor = /^nodejs(\d+)\.x$/.exec(pollFunction().Properties.Runtime)?.[1];
        expect(label).toMatch(new RegExp(`^v${runtimeMajor}\\.`));
      });
    }
  });
});

describe('the start endpoint (POST /watches)', () => {
  function startWatchRoleStatements(): Statement[] {
    const role = resource(startWatchFunction().Properties.Role['Fn::GetAtt'][0], 'AWS::IAM::Role');
    return role.Properties.Policies.flatMap((policy: Properties) => policy.PolicyDocument.Statement);
  }

  test('is the route POST /watches of an HTTP API, IAM (SigV4) authorised', () => {
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    expect(routes).toEqual([expect.objectContaining({ RouteKey: 'POST /watches', AuthorizationType: 'AWS_IAM' })]);
    const [api] = resourcesOfType('AWS::ApiGatewayV2::Api');
    expect(api?.[1].Properties.ProtocolType).toBe('HTTP');
  });

  test("outputs the API's URL (HttpApiUrl), to which callers POST /watches", () => {
    expect(template.Outputs.HttpApiUrl?.Value).toEqual({ 'Fn::Join': ['', expect.arrayContaining([{ Ref: 'HttpApi' }])] });
  });

  test('invokes handlers/start-watch.handler with payload format 2.0', () => {
    const [integration] = resourcesOfType('AWS::ApiGatewayV2::Integration');
    expect(integration?.[1].Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': ['StartWatchLambdaFunction', 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
    expect(startWatchFunction().Properties).toMatchObject({ Handler: 'handlers/start-watch.handler', Runtime: 'nodejs24.x' });
  });

  test('runs with a role of its own that may only send to the watch queue, read the watch table and write its own logs', () => {
    expect(startWatchFunction().Properties.Role).not.toEqual({ 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] });
    const statements = startWatchRoleStatements();
    const grants = statements.flatMap((statement) => asArray(statement.Action).map((action) => [action, statement.Resource]));
    expect(grants).toEqual(
      expect.arrayContaining([
        ['sqs:SendMessage', { 'Fn::GetAtt': ['WatchQueue', 'Arn'] }],
        ['dynamodb:GetItem', { 'Fn::GetAtt': ['WatchTable', 'Arn'] }],
        ['logs:CreateLogStream', { 'Fn::GetAtt': ['StartWatchLogGroup', 'Arn'] }],
        ['logs:PutLogEvents', { 'Fn::GetAtt': ['StartWatchLogGroup', 'Arn'] }],
      ]),
    );
    expect(grants).toHaveLength(4);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
  });

  test("lets the start-watch function read only the table's gateway records, never a step's signed state", () => {
    const reads = startWatchRoleStatements().filter((statement) => asArray(statement.Action).includes('dynamodb:GetItem'));
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['gateway#*'] } });
  });

  test('loads from its packaged bundle in a fresh process', async () => {
    const entries = readZip(await readFile(path.join(packageDir, path.basename(startWatchFunction().Properties.Code.S3Key))));
    const taskRoot = await mkdtemp(path.join(packageDir, 'start-watch-root-'));
    for (const entry of entries) {
      await mkdir(path.join(taskRoot, path.dirname(entry.name)), { recursive: true });
      await writeFile(path.join(taskRoot, entry.name), entry.data);
    }
    const { moduleFile, exportName } = handlerLocation(startWatchFunction(), entries);
    await writeFile(
      path.join(taskRoot, 'load.mjs'),
      `import * as handlerModule from './${moduleFile}';\nprocess.stdout.write(typeof handlerModule[${JSON.stringify(exportName)}]);\n`,
    );

    const loaded = await run(process.execPath, ['load.mjs'], { cwd: taskRoot, env: buildLambdaEnv(taskRoot), timeout: LOAD_TIMEOUT_MS });

    expect(loaded.stdout).toBe('function');
  });
});

describe('the packaged poll handler, end to end over a local stack', () => {
  const TIME_SCALE = 120;
  const PATH = '/hooks/packaged';
  let stack: LocalStack;
  let aws: LocalAws;
  let simulator: ApigSimulator;
  let receiver: WebhookReceiver;
  let elsewhere: WebhookReceiver;
  let packaged: PackagedHandler;
  const bodies: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ timeScale: TIME_SCALE, visibilityTimeoutSeconds: DEFAULT_VISIBILITY_TIMEOUT_SECONDS });
    ({ aws, simulator, receiver } = stack);
    elsewhere = await startWebhookReceiver();
    const taskRoot = await mkdtemp(path.join(packageDir, 'poll-e2e-root-'));
    for (const entry of zipEntries) {
      await mkdir(path.join(taskRoot, path.dirname(entry.name)), { recursive: true });
      await writeFile(path.join(taskRoot, entry.name), entry.data);
    }
    const { moduleFile, exportName } = handlerLocation();
    packaged = await startPackagedHandler({
      taskRoot,
      moduleFile,
      exportName,
      nodeBin: loaderNodes().at(-1)!.bin, // Lambda's major when APIG_WATCH_LAMBDA_NODE names it
      env: {
        ...buildLambdaEnv(taskRoot),
        ...stack.env({
          AWS_SESSION_TOKEN: '',
          NOTIFY_URLS: `webhook+${receiver.url}${PATH}`,
          WEBHOOK_SECRET: `whsec_${Buffer.from('packaged handler e2e').toString('base64')}`,
          POWERTOOLS_LOG_LEVEL: 'CRITICAL',
          POWERTOOLS_METRICS_DISABLED: 'true',
        }),
      },
    });
    stack.runHandler(packaged.handler, {
      functionTimeoutMs: DEFAULT_FUNCTION_TIMEOUT_MS,
      onInvocation: (event) => bodies.push(...event.Records.map((record) => record.body)),
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await packaged?.stop();
    await elsewhere?.close();
  });

  const instanceId = (n: number) => n.toString(16).padStart(32, 'e');
  const request = (n: number) =>
    JSON.stringify({ project_id: '0123456789abcdef0123456789abcdef', instance_id: instanceId(n), region: 'ap-southeast-1', instance_name: `packaged-${n}` });
  const send = (body: string) => aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: body }));
  const eventOf = (received: ReceivedRequest) => received.body as { data: { instance_id: string; outcome: string } };

  test('watches a creation to its end and notifies once, signing its own state', async () => {
    simulator.addGateway({
      projectId: '0123456789abcdef0123456789abcdef',
      instanceId: instanceId(1),
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 240_000, progress: 80 },
      ],
      finish: { atMs: 480_000, status: 'success' },
    });

    await send(request(1));
    const posted = await receiver.waitFor((received) => eventOf(received).data.instance_id === instanceId(1), DEFAULT_WAIT_MS);

    expect(eventOf(posted).data.outcome).toBe('succeeded');
    expect(receiver.received(PATH).filter((received) => eventOf(received).data.instance_id === instanceId(1))).toHaveLength(1);
    expect(bodies.some((body) => body.includes('"sig"') && body.includes(instanceId(1)))).toBe(true);
  });

  test('dead-letters an altered state message as forged-state, with no Huawei call and no post', async () => {
    const captured = bodies.find((body) => body.includes('"sig"'));
    const envelope = JSON.parse(captured!) as { state: { kind: string; request: { instance_id: string } } };
    const altered = JSON.stringify({
      ...envelope,
      state: { ...envelope.state, kind: 'deliver', request: { ...envelope.state.request, instance_id: instanceId(2) } },
    });
    const postsBefore = receiver.received(PATH).length;

    await send(altered);
    const letter = await waitForDeadLetter(aws, DEFAULT_WAIT_MS);

    expect(letter).toEqual({ body: altered, reason: 'forged-state' });
    expect(receiver.received(PATH)).toHaveLength(postsBefore);
    expect(simulator.requests.filter((received) => received.path.includes(instanceId(2)))).toEqual([]);
  });

  test('never follows a redirect from the APIG endpoint: the other host sees nothing', async () => {
    simulator.addGateway({
      projectId: '0123456789abcdef0123456789abcdef',
      instanceId: instanceId(3),
      steps: [{ atMs: 0, progress: 30 }],
      finish: { atMs: 60_000, status: 'success' },
    });
    simulator.fail('0123456789abcdef0123456789abcdef', instanceId(3), [{ redirectTo: `${elsewhere.url}/v2/steal`, status: 307 }]);

    await send(request(3));
    const posted = await receiver.waitFor((received) => eventOf(received).data.instance_id === instanceId(3), DEFAULT_WAIT_MS);

    expect(eventOf(posted).data.outcome).toBe('succeeded');
    expect(elsewhere.received()).toEqual([]);
  });
});

/** The next message on the dead-letter queue, with its reason attribute. */
async function waitForDeadLetter(aws: LocalAws, timeoutMs: number): Promise<{ body: string; reason: string | undefined }> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: aws.deadLetterQueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    const [message] = Messages;
    if (message) return { body: message.Body ?? '', reason: message.MessageAttributes?.reason?.StringValue };
  }
  throw new Error('nothing reached the dead-letter queue');
}

/** Evaluates the `Fn::Not` / `Fn::Equals` condition expressions this template uses, parameters at their defaults. */
function evaluateCondition(of: Template, expression: Properties): boolean {
  const parameters = of.Parameters ?? {};
  const value = (operand: unknown) =>
    typeof operand === 'object' && operand !== null && 'Ref' in operand ? parameters[(operand as { Ref: string }).Ref]?.Default : operand;
  if ('Fn::Not' in expression) return !evaluateCondition(of, expression['Fn::Not'][0]);
  if ('Fn::Equals' in expression) return value(expression['Fn::Equals'][0]) === value(expression['Fn::Equals'][1]);
  throw new Error(`unexpected condition ${JSON.stringify(expression)}`);
}

/** The template packaged with every optional stage parameter set, and what cfn-lint said of it. */
let withEveryOption: Template;
let everyOptionLint: LintResult;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'apig-watch-package-options-'));
  try {
    const params = Object.entries(ALL_OPTIONAL_PARAMS).map(([name, value]) => `--param=${name}=${value}`);
    await runServerless(['package', '--stage', STAGE, '--package', dir, ...params], buildPackagingEnv());
    const file = path.join(dir, 'cloudformation-template-update-stack.json');
    withEveryOption = JSON.parse(await readFile(file, 'utf8')) as Template;
    everyOptionLint = lintTemplate(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, PACKAGE_TIMEOUT_MS + 10_000);

describe('cfn-lint (npm run lint:template)', () => {
  test.each([
    ['the default stage parameters', () => lintTemplate(path.join(packageDir, 'cloudformation-template-update-stack.json'))],
    ['every optional parameter set', () => everyOptionLint],
  ])('finds no error and no warning in the template with %s', (_, lint) => {
    const result = lint();
    if (!result.linted) {
      // Machines without cfn-lint (a bare CI image) cannot run this check: say so, never silently.
      process.stderr.write(`test/deploy: cfn-lint check not run: ${result.why}\n`);
      expect(result.why).toMatch(/cfn-lint is not installed/);
      return;
    }
    expect(result.output).toBe('');
    expect(result.clean).toBe(true);
  });
});

describe('the alarms', () => {
  const conditions = (of: Template) => (of as Template & { Conditions: Record<string, Properties> }).Conditions;
  const alarmsOf = (of: Template) => Object.entries(of.Resources).filter(([, found]) => found.Type === 'AWS::CloudWatch::Alarm');

  /** An alarm's actions as CloudFormation will set them, the template's parameters at their defaults. */
  function effectiveActions(of: Template, actions: Properties): unknown {
    if (!('Fn::If' in actions)) return actions;
    const [condition, whenTrue, whenFalse] = actions['Fn::If'];
    return evaluateCondition(of, conditions(of)[condition]!) ? whenTrue : whenFalse;
  }

  test.each([
    ['without alarm-topic-arn (the default): the stack creates a topic, and every alarm notifies it', () => template, [{ Ref: 'AlarmTopic' }], true],
    ['with alarm-topic-arn: every alarm notifies that topic, and the stack creates none', () => withEveryOption, [{ Ref: 'AlarmTopicArn' }], false],
  ])('%s', (_, of, actions, createsTopic) => {
    const alarms = alarmsOf(of());
    expect(alarms.map(([id]) => id).sort()).toEqual(
      ['DeadLetterAlarm', 'DiscoverErrorAlarm', 'FunctionErrorAlarm', 'NotificationFailureAlarm', 'RecordFailureAlarm', 'WatchQueueAgeAlarm'].sort(),
    );
    for (const [id, alarm] of alarms) {
      expect([id, effectiveActions(of(), alarm.Properties.AlarmActions)]).toEqual([id, actions]);
      expect([id, effectiveActions(of(), alarm.Properties.OKActions)]).toEqual([id, actions]);
    }
    const topic = of().Resources.AlarmTopic as CfnResource & { Condition: string };
    expect(topic.Type).toBe('AWS::SNS::Topic');
    expect(evaluateCondition(of(), conditions(of())[topic.Condition]!)).toBe(createsTopic);
  });

  test('outputs the topic they notify (AlarmTopicArn), to subscribe to', () => {
    expect(template.Outputs.AlarmTopicArn?.Value).toEqual({ 'Fn::If': ['HasAlarmTopic', { Ref: 'AlarmTopicArn' }, { Ref: 'AlarmTopic' }] });
    expect(resource('AlarmTopic', 'AWS::SNS::Topic').Properties.TopicName).toBe(`apig-watch-${STAGE}-alarms`);
    expect(withEveryOption.Parameters?.AlarmTopicArn?.Default).toBe(ALL_OPTIONAL_PARAMS['alarm-topic-arn']);
  });
});

describe('the webhook signing secret', () => {
  const conditions = (of: Template) => (of as Template & { Conditions: Record<string, Properties> }).Conditions;
  const generates = (of: Template) => evaluateCondition(of, conditions(of).GeneratesWebhookSecret!);

  test('is generated by the stack in Secrets Manager: 64 letters and digits, the base64 of 48 bytes (whsec_ + it is the Standard Webhooks secret)', () => {
    const secret = template.Resources.WebhookSigningSecret as CfnResource & { Condition: string };
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Condition).toBe('GeneratesWebhookSecret');
    expect(generates(template)).toBe(true);
    expect(secret.Properties).toMatchObject({
      Name: `apig-watch/${STAGE}/webhook-signing-secret`,
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    expect(secret.Properties.GenerateSecretString.PasswordLength % 4).toBe(0); // letters and digits in fours: valid base64
    expect(secret.Properties).not.toHaveProperty('SecretString');
    expect(template.Outputs.WebhookSigningSecretArn).toMatchObject({ Condition: 'GeneratesWebhookSecret', Value: { Ref: 'WebhookSigningSecret' } });
  });

  test('reaches the poller only as a run-time reference, never as a value or a deploy-time resolve', () => {
    expect(functionEnvironment().WEBHOOK_SECRET).toEqual({
      'Fn::If': ['GeneratesWebhookSecret', { 'Fn::Join': ['', ['secretsmanager:', { Ref: 'WebhookSigningSecret' }]] }, { Ref: 'WebhookSecret' }],
    });
    expect(templateText).not.toMatch(/\{\{resolve:secretsmanager/);
    expect(templateText).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);
  });

  test("is readable by the poller through its grant on this stage's secrets", () => {
    const secrets = roleStatements()
      .filter((statement) => asArray(statement.Action).includes('secretsmanager:GetSecretValue'))
      .flatMap((statement) => asArray(statement.Resource));
    const stageSecrets = `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:apig-watch/${STAGE}/*`;
    expect(secrets).toContainEqual({ 'Fn::Sub': stageSecrets });
    expect(`apig-watch/${STAGE}/webhook-signing-secret`).toMatch(new RegExp(`^${stageSecrets.split(':secret:')[1]!.replace('*', '.*')}$`));
  });

  test('with the webhook-secret param, is not generated: the poller gets that reference', () => {
    expect(generates(withEveryOption)).toBe(false);
    expect(withEveryOption.Parameters?.WebhookSecret?.Default).toBe(ALL_OPTIONAL_PARAMS['webhook-secret']);
  });

  test('has no previous secret but during a rotation (webhook-secret-previous): then the poller signs with that one too', () => {
    expect(functionEnvironment().WEBHOOK_SECRET_PREVIOUS).toBe('');
    const previous = (withEveryOption.Resources.PollLambdaFunction!.Properties.Environment.Variables as Properties).WEBHOOK_SECRET_PREVIOUS;
    expect(previous).toBe(ALL_OPTIONAL_PARAMS['webhook-secret-previous']);
  });
});

describe('the dashboard', () => {
  const QUEUE_NAMES: Record<string, string> = { WatchQueue: `apig-watch-${STAGE}-watch`, DeadLetterQueue: `apig-watch-${STAGE}-dead-letter` };
  type Widget = { type: string; properties: { title: string; region: string; metrics: unknown[][] } };

  /** The dashboard's JSON with its `Fn::Sub` done as CloudFormation would (region and queue names). */
  function dashboardBody(): { widgets: Widget[] } {
    const body: string = resource('OperationsDashboard', 'AWS::CloudWatch::Dashboard').Properties.DashboardBody['Fn::Sub'];
    const substituted = body.replace(/\$\{([\w:]+)(?:\.(\w+))?\}/g, (whole, name: string, attribute?: string) => {
      if (name === 'AWS::Region') return 'ap-southeast-1';
      if (attribute === 'QueueName' && QUEUE_NAMES[name]) return QUEUE_NAMES[name];
      throw new Error(`unexpected ${whole} in the dashboard`);
    });
    return JSON.parse(substituted) as { widgets: Widget[] };
  }

  /** Every metric the dashboard shows: namespace, name and dimension names (sorted), plain or searched. */
  function shownMetrics(): { title: string; namespace: string; name: string; dimensions: string[]; queue?: string }[] {
    return dashboardBody().widgets.flatMap((widget) =>
      widget.properties.metrics.map((metric) => {
        const [first] = metric;
        if (typeof first === 'object' && first !== null && 'expression' in first) {
          const search = /^SEARCH\('\{(\w+),([\w,]+)\} MetricName="(\w+)" service="apig-watch"', '\w+', \d+\)$/.exec(
            (first as { expression: string }).expression,
          );
          if (!search) throw new Error(`unexpected expression ${(first as { expression: string }).expression}`);
          return { title: widget.properties.title, namespace: search[1]!, name: search[3]!, dimensions: search[2]!.split(',').sort() };
        }
        const [namespace, name, ...rest] = metric.filter((part) => typeof part === 'string') as string[];
        const dimensions = rest.filter((_, index) => index % 2 === 0);
        const queue = rest[0] === 'QueueName' ? rest[1] : undefined;
        return { title: widget.properties.title, namespace: namespace!, name: name!, dimensions: dimensions.sort(), queue };
      }),
    );
  }

  /** What lib/ emits: metric name → the dimension sets it is emitted with (service always: Powertools' default). */
  async function emittedMetrics(): Promise<Map<string, string[][]>> {
    const emitted = new Map<string, string[][]>();
    const files = (await readdir(path.join(PROJECT_DIR, 'lib'), { recursive: true })).filter((file) => file.endsWith('.ts'));
    for (const file of files) {
      for (const line of (await readFile(path.join(PROJECT_DIR, 'lib', file), 'utf8')).split('\n')) {
        // The name argument: a literal, or a choice of two (`forged ? 'ForgedStates' : 'InvalidMessages'`).
        const nameArgument = /\.(?:count|milliseconds)\(([^,)]*)/.exec(line)?.[1] ?? '';
        const dimensionList = /, \{([^{}]*)\}\);?\s*$/.exec(line)?.[1] ?? '';
        const dimensions = dimensionList
          .split(',')
          .map((entry) => entry.split(':')[0]!.trim())
          .filter(Boolean);
        for (const [, name] of nameArgument.matchAll(/'([A-Z]\w+)'/g)) emitted.set(name!, [...(emitted.get(name!) ?? []), ['service', ...dimensions].sort()]);
      }
    }
    return emitted;
  }

  test('is named after the stack and output as a console URL (DashboardUrl)', () => {
    expect(resource('OperationsDashboard', 'AWS::CloudWatch::Dashboard').Properties.DashboardName).toBe(`apig-watch-${STAGE}`);
    expect(template.Outputs.DashboardUrl?.Value).toEqual({
      'Fn::Sub': `https://\${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=\${AWS::Region}#dashboards/dashboard/\${OperationsDashboard}`,
    });
  });

  test('shows watches started, outcomes by kind, notification lag, notification and record failures, forged states, and the queues', () => {
    const shown = shownMetrics().map(({ namespace, name, dimensions, queue }) => [namespace, name, dimensions.join(','), queue ?? '']);
    expect(shown).toEqual(
      expect.arrayContaining([
        ['ApigWatch', 'WatchesStarted', 'service', ''],
        ['ApigWatch', 'Outcomes', 'outcome,service', ''],
        ['ApigWatch', 'NotificationLag', 'channel,service', ''],
        ['ApigWatch', 'NotificationFailures', 'service', ''],
        ['ApigWatch', 'RecordFailures', 'service', ''],
        ['ApigWatch', 'ForgedStates', 'service', ''],
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', QUEUE_NAMES.WatchQueue],
        ['AWS/SQS', 'ApproximateNumberOfMessagesDelayed', 'QueueName', QUEUE_NAMES.WatchQueue],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', QUEUE_NAMES.WatchQueue],
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', QUEUE_NAMES.DeadLetterQueue],
      ]),
    );
    expect(dashboardBody().widgets.every((widget) => widget.properties.region === 'ap-southeast-1')).toBe(true);
  });

  test('shows only metrics the code emits, with the dimensions it emits them with', async () => {
    const emitted = await emittedMetrics();
    for (const { name, dimensions } of shownMetrics().filter((metric) => metric.namespace === 'ApigWatch')) {
      expect([name, emitted.get(name)]).toEqual([name, expect.arrayContaining([dimensions])]);
    }
  });
});

describe('a stage parameter file (params/<stage>.yml)', () => {
  const FILE_STAGE = `stage-file-${process.pid}`;
  const FILE = path.join(PROJECT_DIR, 'params', `${FILE_STAGE}.yml`);
  const SETTINGS = {
    'alarm-topic-arn': 'arn:aws:sns:ap-southeast-1:123456789012:ops',
    'webhook-secret-previous': `ssm:/apig-watch/${FILE_STAGE}/webhook-secret-previous`,
    'discover-projects': 'ap-southeast-1:0123456789abcdef0123456789abcdef',
  };
  afterEach(() => rm(FILE, { force: true }));

  /** `serverless print` of that stage (variables resolved as `serverless deploy` resolves them), with this file. */
  async function resolvedWith(contents: string, ...options: string[]): Promise<Properties> {
    await writeFile(FILE, contents);
    const output = await runServerless(['print', '--stage', FILE_STAGE, '--format', 'json', ...options], buildPackagingEnv());
    return JSON.parse(output.slice(output.indexOf('{'))) as Properties;
  }
  const lines = (settings: Record<string, string | number>) =>
    Object.entries(settings)
      .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
      .join('\n');

  test(
    'is read by every deploy of its stage: alarm actions, signing and discovery are kept without any --param',
    async () => {
      const config = await resolvedWith(lines({ ...SETTINGS, 'log-retention-days': 90 }));

      expect(config.resources.Parameters.AlarmTopicArn.Default).toBe(SETTINGS['alarm-topic-arn']);
      expect(config.functions.poll.environment.WEBHOOK_SECRET_PREVIOUS).toBe(SETTINGS['webhook-secret-previous']);
      expect(config.resources.Parameters.DiscoverProjects.Default).toBe(SETTINGS['discover-projects']);
      expect(config.provider.logRetentionInDays).toBe(90);
      expect(config.functions.poll.environment.NOTIFY_URLS).toBe(`ssm:/apig-watch/${FILE_STAGE}/notify-urls`); // the defaults still apply
    },
    PACKAGE_TIMEOUT_MS,
  );

  test(
    'gives way to --param on the command line',
    async () => {
      const config = await resolvedWith(lines(SETTINGS), '--param=alarm-topic-arn=arn:aws:sns:ap-southeast-1:123456789012:other');

      expect(config.resources.Parameters.AlarmTopicArn.Default).toBe('arn:aws:sns:ap-southeast-1:123456789012:other');
    },
    PACKAGE_TIMEOUT_MS,
  );

  test(
    'refuses a name serverless.yml does not define, naming it, instead of falling back to the default',
    async () => {
      await expect(resolvedWith(lines({ 'alarm-topic': SETTINGS['alarm-topic-arn'] }))).rejects.toThrow(
        new RegExp(`params/${FILE_STAGE}\\.yml: no such stage parameter: alarm-topic\\b`),
      );
    },
    PACKAGE_TIMEOUT_MS,
  );
});

describe('the EventBridge rule for provisioning events', () => {
  const SOURCE = ALL_OPTIONAL_PARAMS['watch-events-source'];
  const withRule = () => withEveryOption;

  function conditional(of: Template, logicalId: string): { created: boolean; resource: CfnResource } {
    const found = of.Resources[logicalId] as CfnResource & { Condition?: string };
    if (!found) throw new Error(`no ${logicalId}`);
    const conditions = (of as Template & { Conditions: Record<string, Properties> }).Conditions;
    return { created: found.Condition === undefined || evaluateCondition(of, conditions[found.Condition]!), resource: found };
  }

  test('is not created when the watch-events-source param is empty (the default)', () => {
    expect(conditional(template, 'WatchRequestEventRule').created).toBe(false);
    expect(conditional(template, 'WatchRequestEventQueuePolicy').created).toBe(false);
  });

  test('with the param set, routes that source and detail-type on the named bus to the watch queue', () => {
    const { created, resource: rule } = conditional(withRule(), 'WatchRequestEventRule');
    expect(created).toBe(true);
    expect(rule.Type).toBe('AWS::Events::Rule');
    expect(rule.Properties).toMatchObject({
      EventBusName: 'provisioning',
      EventPattern: { source: [{ Ref: 'WatchEventsSource' }], 'detail-type': ['APIG Gateway Creation Started'] },
      State: 'ENABLED',
    });
    expect(withRule().Parameters?.WatchEventsSource?.Default).toBe(SOURCE);
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': ['WatchQueue', 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
      }),
    ]);
  });

  test('with the param set, lets only that rule send to the queues (events.amazonaws.com, aws:SourceArn)', () => {
    const { created, resource: policy } = conditional(withRule(), 'WatchRequestEventQueuePolicy');
    expect(created).toBe(true);
    expect(policy.Properties.Queues).toEqual([{ Ref: 'WatchQueue' }, { Ref: 'DeadLetterQueue' }]);
    const statements: Properties[] = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['WatchRequestEventRule', 'Arn'] } } },
    });
  });
});

describe('the discover function', () => {
  const PROJECT = '0123456789abcdef0123456789abcdef';
  let withDiscovery: Template;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'apig-watch-package-discover-'));
    try {
      await runServerless(
        ['package', '--stage', STAGE, '--package', dir, `--param=discover-projects=ap-southeast-1:${PROJECT}`, '--param=discover-rate=rate(5 minutes)'],
        buildPackagingEnv(),
      );
      withDiscovery = JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, PACKAGE_TIMEOUT_MS + 10_000);

  function discoverFunction(of: Template = template): CfnResource {
    const found = of.Resources.DiscoverLambdaFunction;
    if (found?.Type !== 'AWS::Lambda::Function') throw new Error('template has no DiscoverLambdaFunction');
    return found;
  }

  function createdIn(of: Template, logicalId: string): boolean {
    const found = of.Resources[logicalId] as (CfnResource & { Condition?: string }) | undefined;
    if (!found) return false;
    const conditions = (of as Template & { Conditions: Record<string, Properties> }).Conditions;
    return found.Condition === undefined || evaluateCondition(of, conditions[found.Condition]!);
  }

  test('is not scheduled when the discover-projects param is empty (the default)', () => {
    expect(discoverFunction().Properties.Environment.Variables.DISCOVER_PROJECTS).toEqual({ Ref: 'DiscoverProjects' });
    expect(template.Parameters?.DiscoverProjects?.Default).toBe('');
    expect(createdIn(template, 'DiscoverSchedule')).toBe(false);
    expect(createdIn(template, 'DiscoverSchedulePermission')).toBe(false);
    expect(resourcesOfType('AWS::Events::Rule').filter(([id]) => createdIn(template, id))).toEqual([]);
  });

  test('with the param set, runs handlers/discover.handler on the discover-rate schedule, invoked only by that rule', () => {
    expect(createdIn(withDiscovery, 'DiscoverSchedule')).toBe(true);
    const schedule = withDiscovery.Resources.DiscoverSchedule!;
    expect(schedule.Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(schedule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': ['DiscoverLambdaFunction', 'Arn'] } })]);
    expect(withDiscovery.Resources.DiscoverSchedulePermission?.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['DiscoverSchedule', 'Arn'] },
    });
    expect(discoverFunction(withDiscovery).Properties).toMatchObject({ Handler: 'handlers/discover.handler', Runtime: 'nodejs24.x' });
    expect(discoverFunction(withDiscovery).Properties.Environment.Variables.DISCOVER_PROJECTS).toEqual({ Ref: 'DiscoverProjects' });
    expect(withDiscovery.Parameters?.DiscoverProjects?.Default).toBe(`ap-southeast-1:${PROJECT}`);
  });

  test('defaults to a sweep every 2 minutes, and is not retried (the next sweep comes soon)', async () => {
    const yaml = await readFile(path.join(PROJECT_DIR, 'serverless.yml'), 'utf8');
    expect(yaml).toMatch(/^ {6}discover-rate: rate\(2 minutes\)$/m);
    const [, invokeConfig] =
      resourcesOfType('AWS::Lambda::EventInvokeConfig').find(([, config]) => config.Properties.FunctionName.Ref === 'DiscoverLambdaFunction') ?? [];
    expect(invokeConfig?.Properties.MaximumRetryAttempts).toBe(0);
  });

  test("runs with a role of its own that may only send to the watch queue, read this stage's Huawei credentials and write its own logs", () => {
    const role = resource(discoverFunction().Properties.Role['Fn::GetAtt'][0], 'AWS::IAM::Role');
    const statements: Statement[] = role.Properties.Policies.flatMap((policy: Properties) => policy.PolicyDocument.Statement);
    const grants = statements.flatMap((statement) => asArray(statement.Action).map((action) => [action, statement.Resource]));
    const parameters = { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/apig-watch/${STAGE}/huaweicloud-*` };
    const secrets = { 'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:apig-watch/${STAGE}/huaweicloud-*` };
    expect(grants).toEqual([
      ['sqs:SendMessage', { 'Fn::GetAtt': ['WatchQueue', 'Arn'] }],
      ['ssm:GetParameter', parameters],
      ['ssm:GetParameters', parameters],
      ['secretsmanager:GetSecretValue', secrets],
      ['logs:CreateLogStream', { 'Fn::GetAtt': ['DiscoverLogGroup', 'Arn'] }],
      ['logs:PutLogEvents', { 'Fn::GetAtt': ['DiscoverLogGroup', 'Arn'] }],
    ]);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
  });

  test('carries the Huawei credentials as run-time references, and no notification secret or state signing key', () => {
    const environment = discoverFunction().Properties.Environment.Variables as Record<string, unknown>;
    expect(environment.WATCH_QUEUE_URL).toEqual({ Ref: 'WatchQueue' });
    expect(environment.HUAWEICLOUD_SDK_AK).toBe(`ssm:/apig-watch/${STAGE}/huaweicloud-sdk-ak`);
    for (const name of ['NOTIFY_URLS', 'WEBHOOK_SECRET', 'STATE_SIGNING_KEY', 'WATCH_TABLE_NAME', 'DEAD_LETTER_QUEUE_URL'])
      expect(environment).not.toHaveProperty(name);
  });

  test('loads from its packaged bundle in a fresh process and sweeps: a scheduled event sends the gateways being created to the queue', async () => {
    // Prepare: the packaged bundle, against the simulator (one gateway being created, one running) and fauxqs.
    const simulator = await startApigSimulator();
    const aws = await startLocalAws();
    try {
      simulator.addGateway({ projectId: PROJECT, instanceId: 'a'.repeat(32), instanceName: 'found-gw', steps: [{ atMs: 0, progress: 30 }], finish: null });
      simulator.addGateway({ projectId: PROJECT, instanceId: 'b'.repeat(32), steps: [], finish: null, listStatus: 'Running' });
      const entries = readZip(await readFile(path.join(packageDir, path.basename(discoverFunction().Properties.Code.S3Key))));
      const taskRoot = await mkdtemp(path.join(packageDir, 'discover-root-'));
      for (const entry of entries) {
        await mkdir(path.join(taskRoot, path.dirname(entry.name)), { recursive: true });
        await writeFile(path.join(taskRoot, entry.name), entry.data);
      }
      const { moduleFile, exportName } = handlerLocation(discoverFunction(), entries);
      await writeFile(
        path.join(taskRoot, 'invoke.mjs'),
        `import * as handlerModule from './${moduleFile}';\n` +
          `const context = { functionName: 'apig-watch-ci-discover', awsRequestId: 'test', getRemainingTimeInMillis: () => 60000 };\n` +
          `const result = await handlerModule[${JSON.stringify(exportName)}]({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, context);\n` +
          `process.stdout.write(JSON.stringify(result));\n`,
      );
      const env = {
        PATH: process.env.PATH,
        ...aws.env,
        DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT}`,
        HUAWEICLOUD_SDK_AK: 'SIMULATORACCESSKEY00',
        HUAWEICLOUD_SDK_SK: 'simulator-secret-key',
        APIG_ENDPOINT: simulator.url,
        IAM_ENDPOINT: simulator.url,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
      };

      // Act
      const invoked = await run(process.execPath, ['invoke.mjs'], { cwd: taskRoot, env, timeout: LOAD_TIMEOUT_MS });

      // Assess
      expect(JSON.parse(invoked.stdout)).toEqual({ projects: 1, discovered: 1 });
      const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      expect(Messages.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([
        expect.objectContaining({ project_id: PROJECT, instance_id: 'a'.repeat(32), instance_name: 'found-gw', origin: 'discovery' }),
      ]);
    } finally {
      await simulator.close();
      await aws.stop();
    }
  });
});
