import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import type { Target } from '../../lib/watch/ports/notifier.js';
import type { Log } from '../../lib/watch/ports/observability.js';
import { createNotifier } from '../../lib/notify/notifier.js';
import { parseNotifyUrls } from '../../lib/notify/targets.js';
import { TEST_WEBHOOK_SECRET, watchEventFactory } from '../support/notify-fixtures.js';

/** The receiver named in NOTIFY_URLS, and another host it redirects to, which must see nothing. */
let receiver: WebhookReceiver;
let elsewhere: WebhookReceiver;
beforeAll(async () => {
  [receiver, elsewhere] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
});
afterAll(async () => {
  await Promise.all([receiver.close(), elsewhere.close()]);
});

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, extra?: Record<string, unknown>) => lines.push(`${message} ${JSON.stringify(extra ?? {})}`);
  return { lines, debug: record, info: record, warn: record, error: record };
}

function targetAt(entry: string): Target {
  const [target] = parseNotifyUrls(entry);
  if (target === undefined) throw new Error('no target');
  return target;
}

describe('notification posts and redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'does not follow a generic webhook answering HTTP %d: a failure with the answer, and nothing reaches the other host',
    async (status) => {
      // Prepare
      const path = `/hooks/moved-${status}`;
      receiver.script(path, [{ status, body: 'Moved elsewhere', headers: { location: `${elsewhere.url}/stolen` } }]);
      const log = recordingLog();
      const notifier = createNotifier({ log, webhookSecret: TEST_WEBHOOK_SECRET, requestTimeoutMs: 2000 });

      // Act
      const result = await notifier.deliver(watchEventFactory(), targetAt(`webhook+${receiver.url}${path}`), {
        giveUpAtMs: Date.now() + 10_000,
      });

      // Assess
      expect(result).toMatchObject({ status: 'rejected', attempts: 1, gone: false });
      expect(result.status === 'rejected' && result.reason).toMatch(new RegExp(`^HTTP ${status}, a redirect, not followed.*Moved elsewhere`));
      expect(receiver.received(path)).toHaveLength(1);
      expect(elsewhere.received()).toEqual([]);
      expect(log.lines.join('\n')).toContain('a redirect, not followed');
    },
  );

  it('does not follow a Slack webhook redirect either (a URL given as http:// would be one)', async () => {
    // Prepare
    receiver.script('/slack/moved', [{ status: 301, headers: { location: `${elsewhere.url}/services/T0/B0/X` } }]);
    const notifier = createNotifier({ log: recordingLog(), requestTimeoutMs: 2000 });

    // Act
    const result = await notifier.deliver(watchEventFactory(), targetAt(`slack+${receiver.url}/slack/moved`), {
      giveUpAtMs: Date.now() + 10_000,
    });

    // Assess
    expect(result).toMatchObject({ status: 'rejected', reason: expect.stringContaining('check the URL in NOTIFY_URLS') });
    expect(elsewhere.received()).toEqual([]);
  });
});
