import { inspect } from 'node:util';
import { PROJECT_ID, watchRequestBody } from '../support/factories.js';
import { MINUTE_MS, PIPELINE_WEBHOOK_SECRET, SIMULATOR_AK, SIMULATOR_SK, instanceIdFor, startPipeline, type Pipeline } from '../support/pipeline.js';

/**
 * docs/configuration.md, "Configuration": secrets (AK/SK, passwords, webhook URLs, the signing secret) never appear in a log
 * line or a message body. Each run goes through the paths that log the most — transient Huawei
 * errors, retried and refused deliveries, an invalid message — with a recording log, and with the
 * console captured as well in case anything bypasses the log port.
 */

const SLACK_PATH = '/services/T0SLACKSECRET/B0SLACKSECRET/slackTokenSecret42';
const WEBHOOK_PATH = '/hooks/webhookPathSecret77';
const DINGTALK_TOKEN = 'dingtalkAccessTokenSecret99';
const DINGTALK_SIGNING_SECRET = 'SECdingtalkSigningSecret1234567890';

let pipeline: Pipeline;
afterEach(async () => {
  await pipeline?.stop();
});

/** Runs `act` with console output captured; returns every line written. */
async function capturingConsole(act: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((method) => console[method]);
  for (const method of methods) console[method] = (...args: unknown[]) => void lines.push(inspect(args, { depth: null }));
  try {
    await act();
  } finally {
    for (const [index, method] of methods.entries()) console[method] = saved[index]!;
  }
  return lines;
}

/** Everything a log line holds, errors and nested objects included. */
function everything(values: unknown): string {
  return `${inspect(values, { depth: null, maxStringLength: null, maxArrayLength: null })}\n${JSON.stringify(values)}`;
}

describe('secrets', () => {
  it('never appear in the log, on the console, or in a queue message, for a run with Slack, a signed webhook, DingTalk and AK/SK', async () => {
    // Prepare
    pipeline = await startPipeline();
    const url = pipeline.receiver.url;
    const notifyUrls = [
      `slack+${url}${SLACK_PATH}`,
      `webhook+${url}${WEBHOOK_PATH}`,
      `dingtalk+${url}/dingtalk/robot/send?access_token=${DINGTALK_TOKEN}#secret=${DINGTALK_SIGNING_SECRET}`,
    ].join(',');
    const watcher = pipeline.watcher({ NOTIFY_URLS: notifyUrls, WEBHOOK_SECRET: PIPELINE_WEBHOOK_SECRET });
    const run = pipeline.run(watcher.handler);
    const [succeeding, missing] = [instanceIdFor(1), instanceIdFor(2)];
    pipeline.addGateway(succeeding, { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 2 * MINUTE_MS, status: 'success' } });
    pipeline.simulator.fail(PROJECT_ID, succeeding, [{ status: 500, code: 'APIC.9000' }, { reset: true }]);
    pipeline.receiver.script(SLACK_PATH, [
      { status: 503, body: 'busy' },
      { status: 400, body: 'invalid_payload' },
    ]);
    pipeline.receiver.script(WEBHOOK_PATH, [{ status: 500 }]);
    pipeline.receiver.script('/dingtalk/robot/send', [{ status: 200, body: { errcode: 310000, errmsg: 'sign not match' } }]);

    // Act
    const consoleLines = await capturingConsole(async () => {
      await pipeline.send(
        watchRequestBody({ instance_id: succeeding }),
        watchRequestBody({ instance_id: missing }),
        watchRequestBody({ instance_id: '../not-an-id' }),
      );
      await pipeline.waitForPosts(WEBHOOK_PATH, 3);
      await pipeline.waitForQuiet();
    });

    // Assess
    const logged = everything(watcher.log.lines);
    const secrets = [
      SIMULATOR_SK,
      PIPELINE_WEBHOOK_SECRET,
      notifyUrls,
      SLACK_PATH,
      'slackTokenSecret42',
      WEBHOOK_PATH,
      DINGTALK_TOKEN,
      DINGTALK_SIGNING_SECRET,
    ];
    expect(watcher.log.lines.length).toBeGreaterThan(10);
    expect(logged).toContain('notification attempt failed');
    for (const secret of secrets) {
      expect(logged).not.toContain(secret);
      expect(everything(consoleLines)).not.toContain(secret);
      expect(everything(run.bodies())).not.toContain(secret);
    }
    expect(logged).not.toContain(SIMULATOR_AK);
  });

  it('never appear in the log, on the console or in a message when IAM refuses the password', async () => {
    // Prepare
    const password = 'Correct-Horse-Battery-Staple-Secret';
    pipeline = await startPipeline({ simulator: { credentials: { users: [{ name: 'watcher', password: 'another-password', domain: 'acme' }] } } });
    const watcher = pipeline.watcher({
      NOTIFY_URLS: `webhook+${pipeline.receiver.url}/hooks/iam`,
      HUAWEICLOUD_SDK_AK: undefined,
      HUAWEICLOUD_SDK_SK: undefined,
      HUAWEICLOUD_IAM_USER: 'watcher',
      HUAWEICLOUD_IAM_PASSWORD: password,
      HUAWEICLOUD_IAM_DOMAIN: 'acme',
    });
    const run = pipeline.run(watcher.handler);

    // Act
    const consoleLines = await capturingConsole(async () => {
      await pipeline.send(watchRequestBody({ instance_id: instanceIdFor(3) }));
      await pipeline.waitForPosts('/hooks/iam', 1);
      await pipeline.waitForQuiet();
    });

    // Assess
    const [notification] = pipeline.receiver.received('/hooks/iam');
    expect((notification!.body as { data: { outcome: string } }).data.outcome).toBe('unauthorized');
    expect(everything(watcher.log.lines)).toContain('IAM refused the login');
    for (const where of [watcher.log.lines, consoleLines, run.bodies(), notification]) expect(everything(where)).not.toContain(password);
  });
});
