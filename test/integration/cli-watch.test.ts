/**
 * `apig-watch watch` run as a user runs it: a subprocess of `bin/apig-watch.js`, its output piped
 * (not a TTY), against the Huawei APIG simulator and a webhook receiver on loopback. Time runs
 * 100× faster for both (APIG_WATCH_TIME_SCALE with a shared APIG_WATCH_TIME_ORIGIN_MS), so a
 * creation of a little over three minutes, Huawei's fastest, takes two seconds.
 */
import { once } from 'node:events';
import { Webhook } from 'standardwebhooks';
import { GONE, startApigSimulator, type ApigSimulator, type SimulatedGateway } from '../../lib/simulator/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { scaledClock } from '../../lib/runtime/time-scale.js';
import type { OutcomeEvent } from '../../lib/watch/events.js';
import { cleanEnv, lastLine, runApigWatch, spawnApigWatch } from '../support/cli-process.js';
import { PROJECT_ID } from '../support/factories.js';

const TIME_SCALE = 100;
const SECOND_MS = 1000;
const ORIGIN_MS = Date.now();
const WEBHOOK_SECRET = `whsec_${Buffer.from('apig-watch cli test secret').toString('base64')}`;
const ANSI_ESCAPE = /\u001b\[/;

let simulator: ApigSimulator;
let receiver: WebhookReceiver;
let gateways = 0;

beforeAll(async () => {
  simulator = await startApigSimulator({ now: scaledClock(TIME_SCALE, ORIGIN_MS).now });
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await Promise.all([simulator.close(), receiver.close()]);
});

/** A new instance id per test, so no two tests share a gateway. */
function newInstanceId(): string {
  gateways += 1;
  return gateways.toString(16).padStart(32, 'e');
}

/** A gateway that goes through Huawei's progress steps in 160 s and ends with `finish` (simulated time). */
function addGateway(
  finish: { atMs: number; status: 'success' | 'failed'; errorCode?: string } | null,
  lifecycle: Pick<SimulatedGateway, 'afterCreation'> = {},
): string {
  const instanceId = newInstanceId();
  simulator.addGateway({
    projectId: PROJECT_ID,
    instanceId,
    steps: [
      { atMs: 0, progress: 30 },
      { atMs: 60 * SECOND_MS, progress: 50 },
      { atMs: 120 * SECOND_MS, progress: 80 },
      { atMs: 160 * SECOND_MS, progress: 90 },
    ],
    finish,
    ...lifecycle,
  });
  return instanceId;
}

function cliEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    APIG_ENDPOINT: simulator.url,
    IAM_ENDPOINT: simulator.url,
    HUAWEICLOUD_SDK_AK: 'SIMULATORACCESSKEY00',
    HUAWEICLOUD_SDK_SK: 'simulator-secret-key',
    WEBHOOK_SECRET,
    APIG_WATCH_TIME_SCALE: String(TIME_SCALE),
    APIG_WATCH_TIME_ORIGIN_MS: String(ORIGIN_MS),
    ...overrides,
  });
}

function watchArgs(instanceId: string, ...more: string[]): string[] {
  return ['watch', '--project-id', PROJECT_ID, '--instance-id', instanceId, '--region', 'ap-southeast-1', '--interval', '10', ...more];
}

describe('apig-watch watch, the whole lifecycle (instance detail of the simulator)', () => {
  it('calls a creation done only at Running: through Initing after the progress success, the success names the spec and addresses', async () => {
    // Prepare
    const instanceId = addGateway(
      { atMs: 200 * SECOND_MS, status: 'success' },
      { afterCreation: { phases: [{ status: 'Initing', forMs: 60 * SECOND_MS }], end: 'Running' } },
    );

    // Act
    const run = await runApigWatch(watchArgs(instanceId, '--json'), cliEnv());

    // Assess
    expect(run).toMatchObject({ code: 0 });
    const event = JSON.parse(lastLine(run.stdout)) as OutcomeEvent;
    expect(event.data).toMatchObject({ outcome: 'succeeded', operation: 'creation', instance_status: 'Running' });
    expect(event.data.gateway?.spec).toBe('PROFESSIONAL');
    expect(Date.parse(event.timestamp) - ORIGIN_MS).toBeGreaterThanOrEqual(250 * SECOND_MS);
  });

  it('fails a creation whose installation fails after a successful progress (exit 1), naming the status', async () => {
    const instanceId = addGateway(
      { atMs: 200 * SECOND_MS, status: 'success' },
      { afterCreation: { phases: [{ status: 'Installing', forMs: 30 * SECOND_MS }], end: 'InstallFailed' } },
    );

    const run = await runApigWatch(watchArgs(instanceId, '--json'), cliEnv());

    expect(run).toMatchObject({ code: 1 });
    expect((JSON.parse(lastLine(run.stdout)) as OutcomeEvent).data).toMatchObject({ outcome: 'failed', instance_status: 'InstallFailed' });
  });

  it('watches a resize with --operation resize to Running, and a deletion until the gateway is gone', async () => {
    // Prepare: two gateways created long ago, then resized and deleted
    const resized = addGateway({ atMs: 0, status: 'success' });
    const deleted = addGateway({ atMs: 0, status: 'success' });
    simulator.operate(PROJECT_ID, resized, { operation: 'resize', phases: [{ status: 'Resizing', forMs: 120 * SECOND_MS }], end: 'Running' });
    simulator.operate(PROJECT_ID, deleted, { operation: 'deletion', phases: [{ status: 'Deleting', forMs: 60 * SECOND_MS }], end: GONE });

    // Act
    const [resize, deletion] = await Promise.all([
      runApigWatch(watchArgs(resized, '--operation', 'resize', '--json'), cliEnv()),
      runApigWatch(watchArgs(deleted, '--operation', 'deletion', '--json'), cliEnv()),
    ]);

    // Assess
    expect(resize).toMatchObject({ code: 0 });
    expect(JSON.parse(lastLine(resize.stdout))).toMatchObject({ type: 'apig.gateway.resize.succeeded', data: { instance_status: 'Running' } });
    expect(resize.stderr).toContain('Gateway resized');
    expect(deletion).toMatchObject({ code: 0 });
    expect(JSON.parse(lastLine(deletion.stdout))).toMatchObject({ type: 'apig.gateway.deletion.succeeded' });
  });

  it('says a resize never started (exit 1) when Huawei keeps showing Running past the grace', async () => {
    const instanceId = addGateway({ atMs: 0, status: 'success' });

    const run = await runApigWatch(watchArgs(instanceId, '--operation', 'resize', '--json'), cliEnv());

    expect(run).toMatchObject({ code: 1 });
    expect(JSON.parse(lastLine(run.stdout))).toMatchObject({ type: 'apig.gateway.resize.not_started' });
  });
});

describe('apig-watch watch', () => {
  it('exits 0 when the gateway is created, prints the event as the last line with --json, and notifies NOTIFY_URLS and --notify', async () => {
    // Prepare
    const instanceId = addGateway({ atMs: 200 * SECOND_MS, status: 'success' });
    const env = cliEnv({ NOTIFY_URLS: `webhook+${receiver.url}/cli/from-env` });

    // Act
    const run = await runApigWatch(watchArgs(instanceId, '--name', 'orders-gw', '--notify', `webhook+${receiver.url}/cli/from-flag`, '--json'), env);

    // Assess
    expect(run).toMatchObject({ code: 0 });
    const event = JSON.parse(lastLine(run.stdout)) as OutcomeEvent;
    expect(event).toMatchObject({
      type: 'apig.gateway.creation.succeeded',
      data: { outcome: 'succeeded', instance_id: instanceId, instance_name: 'orders-gw', status: 'success', progress: 100 },
    });
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1); // with --json, the human view is on stderr
    expect(run.stderr).toContain('Gateway created: orders-gw');
    for (const path of ['/cli/from-env', '/cli/from-flag']) {
      const [delivered, ...more] = receiver.received(path);
      expect(more).toHaveLength(0);
      expect(delivered?.body).toEqual(event);
      expect(() => new Webhook(WEBHOOK_SECRET).verify(delivered!.rawBody, delivered!.headers)).not.toThrow();
      expect(delivered?.headers['webhook-id']).toBe(event.id);
    }
  });

  it("routes as the Lambda does: a success reaches neither an on=failed target nor a when= target the watch's context does not match", async () => {
    // Prepare
    const instanceId = addGateway({ atMs: 200 * SECOND_MS, status: 'success' });
    const env = cliEnv({
      NOTIFY_URLS: [
        `webhook+${receiver.url}/cli/routed/on-call#on=failed`,
        `webhook+${receiver.url}/cli/routed/payments#when=team:payments`,
        `webhook+${receiver.url}/cli/routed/orders#when=team:orders`,
        `webhook+${receiver.url}/cli/routed/everyone`,
      ].join(','),
    });

    // Act
    const run = await runApigWatch(watchArgs(instanceId, '--context', 'team=orders'), env);

    // Assess
    expect(run).toMatchObject({ code: 0 });
    expect(receiver.received('/cli/routed/on-call')).toHaveLength(0);
    expect(receiver.received('/cli/routed/payments')).toHaveLength(0);
    expect(receiver.received('/cli/routed/orders')).toHaveLength(1);
    expect(receiver.received('/cli/routed/everyone')).toHaveLength(1);
  });

  it("says nothing was sent when no target's filters want the outcome", async () => {
    // Prepare
    const instanceId = addGateway({ atMs: 200 * SECOND_MS, status: 'success' });
    const env = cliEnv({ NOTIFY_URLS: `webhook+${receiver.url}/cli/routed/failures-only#on=failed` });

    // Act
    const run = await runApigWatch(watchArgs(instanceId), env);

    // Assess
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain("No target's filters (on=, when=, group=) want a succeeded outcome of this watch: nothing sent.");
    expect(receiver.received('/cli/routed/failures-only')).toHaveLength(0);
  });

  it('prints one plain line per change, without escape sequences, when stdout is not a TTY', async () => {
    // Prepare
    const instanceId = addGateway({ atMs: 200 * SECOND_MS, status: 'success' });

    // Act
    const run = await runApigWatch(watchArgs(instanceId, '--name', 'plain-gw'), cliEnv());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(ANSI_ESCAPE);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('plain-gw  '));
    expect(rows[0]).toBe('plain-gw  starting  elapsed 0s');
    expect(rows).toContainEqual(expect.stringMatching(/^plain-gw {2}creating {2}\d+% {2}elapsed \d/));
    expect(rows.at(-1)).toMatch(/^plain-gw {2}success {2}100% {2}elapsed \d/);
    const changes = rows.map((line) => line.replace(/ {2}elapsed .*$/, ''));
    expect(new Set(changes).size).toBe(changes.length);
    expect(run.stdout).toContain('✅ Gateway created: plain-gw');
    expect(run.stdout).toContain('No notification targets');
  });

  it("exits 1 when the creation fails, with Huawei's error code and the hint", async () => {
    const instanceId = addGateway({ atMs: 150 * SECOND_MS, status: 'failed', errorCode: 'APIC.9218' });

    const run = await runApigWatch(watchArgs(instanceId, '--name', 'failing-gw'), cliEnv());

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('❌ Gateway creation failed: failing-gw');
    expect(run.stdout).toContain('Error code APIC.9218');
    expect(run.stdout).toMatch(/Hint: .*quota/i);
  });

  it('exits 3 when the gateway is still being created at --timeout', async () => {
    const instanceId = addGateway(null);

    const run = await runApigWatch(watchArgs(instanceId, '--timeout', '100', '--json'), cliEnv());

    expect(run.code).toBe(3);
    expect(JSON.parse(lastLine(run.stdout))).toMatchObject({ data: { outcome: 'timed_out', status: 'creating', progress: expect.any(Number) } });
  });

  it('stops on Ctrl-C with exit 130 and says the gateway may still be being created', async () => {
    // Prepare
    const watch = spawnApigWatch(watchArgs(addGateway(null)), cliEnv());
    let stderr = '';
    watch.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await once(watch.stdout!, 'data');

    // Act
    const exited = once(watch, 'exit');
    watch.kill('SIGINT');
    const [code] = (await exited) as [number | null];

    // Assess
    expect(code).toBe(130);
    expect(stderr).toContain('stopped watching; the gateway may still be being created');
  });

  it('says on stderr, in plain words, when a target did not take the notification, and --require-notify exits 5', async () => {
    // Prepare: a webhook target where nothing listens.
    const instanceId = addGateway({ atMs: 0, status: 'success' });
    const args = watchArgs(instanceId, '--notify', 'webhook+http://127.0.0.1:1/hook');

    // Act
    const plain = await runApigWatch(args, cliEnv());
    const required = await runApigWatch([...args, '--require-notify'], cliEnv());

    // Assess
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/✖ webhook 127\.0\.0\.1:1 #\w+: not delivered: .*ECONNREFUSED.* after \d+ attempts/);
    expect(plain.stdout).not.toContain('retry_later');
    expect(plain.stderr).toContain('apig-watch: 1 of 1 notification target(s) did not take the notification (see above); --require-notify makes this exit 5');
    expect(required.code).toBe(5);
  });

  it('--require-notify without any target is a usage error (exit 2)', async () => {
    const run = await runApigWatch(watchArgs(newInstanceId(), '--require-notify'), cliEnv());

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--require-notify needs a notification target: set NOTIFY_URLS or pass --notify URL');
  });

  describe('exits 4 when it cannot watch', () => {
    it('not_found: Huawei does not know the instance', async () => {
      const run = await runApigWatch(watchArgs(newInstanceId(), '--json'), cliEnv());

      expect(run.code).toBe(4);
      expect(JSON.parse(lastLine(run.stdout))).toMatchObject({ data: { outcome: 'not_found', error_code: 'APIC.7302' } });
    });

    it('unauthorized: Huawei refuses the AK/SK signature', async () => {
      const instanceId = addGateway({ atMs: 0, status: 'success' });

      const run = await runApigWatch(watchArgs(instanceId, '--json'), cliEnv({ HUAWEICLOUD_SDK_SK: 'not-the-secret-key' }));

      expect(run.code).toBe(4);
      expect(JSON.parse(lastLine(run.stdout))).toMatchObject({ data: { outcome: 'unauthorized' } });
    });

    it('forbidden: the credentials lack apig:instance:getCreateProgress', async () => {
      const instanceId = addGateway({ atMs: 0, status: 'success' });
      simulator.fail(PROJECT_ID, instanceId, [{ status: 403 }]);

      const run = await runApigWatch(watchArgs(instanceId, '--json'), cliEnv());

      expect(run.code).toBe(4);
      expect(JSON.parse(lastLine(run.stdout))).toMatchObject({ data: { outcome: 'forbidden', error_code: 'APIC.7106' } });
    });

    it.each([
      ['a refused connection', 'http://127.0.0.1:1', 'ECONNREFUSED'],
      ['a host name that does not resolve', 'https://apig.{region}.invalid', 'ENOTFOUND'],
    ])('unavailable, not still creating: Huawei never answered (%s), after a few quick attempts', async (_, endpoint, code) => {
      const run = await runApigWatch(watchArgs(newInstanceId(), '--name', 'lost-gw', '--json'), cliEnv({ APIG_ENDPOINT: endpoint }));

      expect(run.code).toBe(4);
      const event = JSON.parse(lastLine(run.stdout)) as OutcomeEvent;
      expect(event.data).toMatchObject({ outcome: 'unavailable', status: null, progress: null, polls: 3 });
      expect(event.data.error_msg).toMatch(
        new RegExp(`^Huawei never answered \\(3 attempts\\): APIG progress request failed \\(${code}\\): .*check APIG_ENDPOINT and the region$`),
      );
      expect(run.stderr).toContain('⚠️ Huawei Cloud never answered: lost-gw');
      expect(run.stderr).not.toMatch(/still creating/);
    });

    it('unavailable: Huawei answers 500 for longer than the retry budget', async () => {
      // 600× faster: the 10-minute budget of transient errors passes in about a second. The clock
      // is then not the simulator's, so a static token stands in for the time-stamped signature.
      const instanceId = addGateway({ atMs: 0, status: 'success' });
      simulator.fail(
        PROJECT_ID,
        instanceId,
        Array.from({ length: 60 }, () => ({ status: 500 })),
      );
      const env = cliEnv({ APIG_WATCH_TIME_SCALE: '600', HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '', HUAWEICLOUD_AUTH_TOKEN: 'simulator-token' });

      const run = await runApigWatch(watchArgs(instanceId, '--json'), env);

      expect(run.code).toBe(4);
      expect(JSON.parse(lastLine(run.stdout))).toMatchObject({ data: { outcome: 'unavailable', error_msg: expect.stringContaining('APIC.9000') } });
    });
  });
});
