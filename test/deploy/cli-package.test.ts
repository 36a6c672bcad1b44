/**
 * The gate without a clone: `npm run pack:cli` packs the `apig-watch` command alone, and a CI job
 * installs that tarball into an empty directory (no registry needed: it declares no dependencies)
 * and runs it — here against the packed command's own simulator.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { DEFAULT_WAIT_MS } from '../support/budgets.js';
import { cleanEnv } from '../support/cli-process.js';

const run = promisify(execFile);
const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** orders-gw-prod's 6m 12s take under 4 s. */
const SIMULATED_TIME_SCALE = 100;

let workDir: string;
let installedBin: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'apig-watch-pack-'));
  receiver = await startWebhookReceiver();
  const { stdout } = await run(process.execPath, ['scripts/pack-cli.mjs', workDir, '--prebuilt'], { cwd: PROJECT_DIR });
  const tarball = stdout.trim();
  const appDir = path.join(workDir, 'app');
  await run('mkdir', [appDir]);
  await writeFile(path.join(appDir, 'package.json'), '{"private":true}\n');
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: appDir, env: cleanEnv() });
  installedBin = path.join(appDir, 'node_modules', '.bin', 'apig-watch');
});

afterAll(async () => {
  await receiver.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('the packed apig-watch command', () => {
  it('declares no dependencies, so installing the tarball installs it alone', async () => {
    const manifest = JSON.parse(await readFile(path.join(path.dirname(path.dirname(installedBin)), 'apig-watch', 'package.json'), 'utf8'));
    const installed = JSON.parse(await readFile(path.join(path.dirname(path.dirname(installedBin)), '.package-lock.json'), 'utf8'));

    expect(manifest).not.toHaveProperty('dependencies');
    expect(manifest.bin).toEqual({ 'apig-watch': 'bin/apig-watch.js' });
    expect(Object.keys(installed.packages)).toEqual(['node_modules/apig-watch']);
  });

  it('answers --help', async () => {
    const { stdout } = await run(installedBin, ['--help'], { env: cleanEnv() });
    expect(stdout).toContain('Usage: apig-watch [options] [command]');
  });

  it("watches a creation to its end against the packed command's simulator and notifies", async () => {
    // Prepare: `apig-watch simulate` from the tarball prints the environment a watch needs.
    const simulate = spawn(installedBin, ['simulate', '--port', '0'], { env: cleanEnv({ APIG_WATCH_TIME_SCALE: String(SIMULATED_TIME_SCALE) }) });
    let output = '';
    simulate.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    while (!output.includes('typo-gw')) await once(simulate.stdout, 'data');
    const exports = Object.fromEntries([...output.matchAll(/(\w+)=(\S+)/g)].map(([, name, value]) => [name!, value!]));
    const [, command = ''] = /npx apig-watch (watch .* --name orders-gw-prod)\n/.exec(output) ?? [];

    // Act
    const watch = await run(installedBin, [...command.split(' '), '--json'], {
      env: cleanEnv({ ...exports, NOTIFY_URLS: `slack+${receiver.url}/slack` }),
      timeout: DEFAULT_WAIT_MS,
    });
    simulate.kill('SIGINT');
    await once(simulate, 'exit');

    // Assess: exit 0 (execFile rejects on any other), the final event, one Slack post.
    expect(JSON.parse(watch.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ type: 'apig.gateway.creation.succeeded' });
    expect(receiver.received('/slack')).toHaveLength(1);
  });
});
