/**
 * `npm run local` as a user runs it: a long-running process that prints its endpoints and the
 * commands to try, takes watch requests from any SQS client, and prints each notification.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { DEFAULT_WAIT_MS } from '../support/budgets.js';
import { cleanEnv, runApigWatch } from '../support/cli-process.js';

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPO_GW = '8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d';
const STUCK_GW = '7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c';
const START_JOIN_TRIES = 20;
const START_JOIN_PAUSE_MS = 500;

let local: ChildProcess;
let output = '';

/** Resolves once the output matches `pattern`, checking as each chunk arrives. */
async function waitForOutput(pattern: RegExp, timeoutMs = DEFAULT_WAIT_MS): Promise<RegExpMatchArray> {
  const found = pattern.exec(output);
  if (found) return found;
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = pattern.exec(output);
      if (!match) return;
      done();
      resolve(match);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${output}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      local.stdout?.off('data', onData);
      local.stderr?.off('data', onData);
    };
    local.stdout?.on('data', onData);
    local.stderr?.on('data', onData);
  });
}

beforeAll(() => {
  local = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-stack.ts', '--port-base', '0'], {
    cwd: PROJECT_DIR,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  local.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  local.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
});

afterAll(async () => {
  if (local.exitCode === null) {
    const exited = once(local, 'exit');
    local.kill('SIGINT');
    await exited;
  }
});

/** The `apig-watch start` command the banner prints, as environment and arguments (its line continuations joined). */
async function printedStartCommand(): Promise<{ env: Record<string, string>; args: string[] }> {
  const [, command = ''] = await waitForOutput(/or with apig-watch:\n([\s\S]+?)\n\n/);
  const words = command.replaceAll('\\\n', ' ').trim().split(/\s+/);
  const at = words.indexOf('start');
  const env = Object.fromEntries(words.slice(0, words.indexOf('npx')).map((word) => word.split('=') as [string, string]));
  return { env, args: words.slice(at) };
}

describe('npm run local', () => {
  it('shows a POST to any path as it arrives and keeps running', async () => {
    // Prepare
    const [, receiverUrl] = await waitForOutput(/webhook receiver\s+(\S+)/);

    // Act
    const answer = await fetch(`${receiverUrl}/anything`, { method: 'POST', body: '{"hello":"world"}' });

    // Assess
    expect(answer.status).toBe(200);
    await waitForOutput(/POST \/anything · 17 bytes · \{"hello":"world"\} · unsigned/);
    expect(local.exitCode).toBeNull();
  });

  it('prints the WEBHOOK_SECRET its receiver checks signatures with: a post signed with it is verified', async () => {
    // Prepare
    const [, receiverUrl] = await waitForOutput(/webhook receiver\s+(\S+)/);
    const [, secret = ''] = await waitForOutput(/checks signatures with WEBHOOK_SECRET=(whsec_\S+);/);
    const body = '{"signed":true}';
    const signature = new Webhook(secret).sign('msg_local_1', new Date(), body);

    // Act
    await fetch(`${receiverUrl}/webhook`, {
      method: 'POST',
      body,
      headers: { 'webhook-id': 'msg_local_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signature },
    });

    // Assess
    await waitForOutput(/POST \/webhook · 15 bytes · \{"signed":true\} · signature verified/);
  });

  it('prints an apig-watch start command that sees the local table: run again, it joins the active watch', async () => {
    // Prepare
    const { env, args } = await printedStartCommand();
    const stuck = args.map((arg, at) => (args[at - 1] === '--instance-id' ? STUCK_GW : args[at - 1] === '--name' ? 'stuck-gw' : arg));
    const run = () => runApigWatch(stuck, cleanEnv(env));

    // Act
    const first = await run();
    let again = await run();
    for (let tries = 1; tries < START_JOIN_TRIES && !again.stderr.includes('already being watched'); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, START_JOIN_PAUSE_MS));
      again = await run();
    }

    // Assess
    expect(first.stderr).toContain('watch request for stuck-gw sent');
    expect(first.code).toBe(0);
    expect(again.stderr).toContain('apig-watch: stuck-gw is already being watched; this request joins that watch (nothing sent)');
    expect(again.code).toBe(0);
  });

  it("hints only at settings that apply to it: the watch deadline is WATCH_TIMEOUT_SECONDS, not watch's --timeout", async () => {
    await waitForOutput(/Notifications appear here/);
    expect(output).toMatch(/stuck-gw: never finishes \(ends timed_out after WATCH_TIMEOUT_SECONDS/);
    expect(output).not.toContain('--timeout');
  });

  it('prints the endpoints and the exact send-message and start commands, then each notification as it arrives, until Ctrl-C', async () => {
    // Prepare: the commands it prints name its own endpoint and queue.
    const [, endpoint, queueUrl] = await waitForOutput(/aws sqs send-message --endpoint-url (\S+) --region us-east-1 \\\n\s+--queue-url (\S+) --message-body/);
    expect((await printedStartCommand()).env).toMatchObject({ AWS_ENDPOINT_URL_SQS: endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    const sqs = new SQSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

    // Act: a client of its own sends a watch request for the scripted unknown gateway.
    const body = { project_id: '0123456789abcdef0123456789abcdef', instance_id: TYPO_GW, region: 'ap-southeast-1', instance_name: 'typo-gw' };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
    sqs.destroy();

    // Assess
    await waitForOutput(/Slack ← ❓ Gateway not found: typo-gw/);
    await waitForOutput(/webhook ← apig\.gateway\.creation\.not_found \(typo-gw\) .* signature verified/);
    const exited = once(local, 'exit');
    local.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(output).toMatch(/Stopping: 4 notification\(s\)/); // the two notifications and the two other POSTs
  });
});
