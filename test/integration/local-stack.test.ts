/**
 * `npm run local` as a user runs it: a long-running process that prints its endpoints and the
 * commands to try, takes watch requests from any SQS client, and prints each notification.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WAIT_MS } from '../support/budgets.js';
import { cleanEnv } from '../support/cli-process.js';

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPO_GW = '8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d';

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

describe('npm run local', () => {
  it('prints the endpoints and the exact send-message and start commands, then each notification as it arrives, until Ctrl-C', async () => {
    // Prepare: the commands it prints name its own endpoint and queue.
    const [, endpoint, queueUrl] = await waitForOutput(/aws sqs send-message --endpoint-url (\S+) --region us-east-1 \\\n\s+--queue-url (\S+) --message-body/);
    expect(output).toContain(`AWS_ENDPOINT_URL_SQS=${endpoint} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local npx apig-watch start`);
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
    expect(output).toMatch(/Stopping: 2 notification\(s\)/);
  });
});
