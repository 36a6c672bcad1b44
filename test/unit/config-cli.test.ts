import { readCliSettings, readStartWatchSettings } from '../../lib/config/settings.js';
import { ConfigError } from '../../lib/config-error.js';

describe('readCliSettings', () => {
  it("needs none of the poller's AWS resources (queue, dead-letter queue, table)", () => {
    const settings = readCliSettings({ HUAWEICLOUD_AUTH_TOKEN: 't0k3n' });

    expect(settings).toMatchObject({ watchQueueUrl: null, timeScale: 1, timeOriginMs: null, watchTimeoutSeconds: 7200 });
    expect(settings.secrets.HUAWEICLOUD_AUTH_TOKEN).toEqual({ from: 'value', value: 't0k3n' });
  });

  it('reads the time scale and its origin, and names a bad one', () => {
    expect(readCliSettings({ APIG_WATCH_TIME_SCALE: '20', APIG_WATCH_TIME_ORIGIN_MS: '1795860000000' })).toMatchObject({
      timeScale: 20,
      timeOriginMs: 1_795_860_000_000,
    });
    expect(() => readCliSettings({ APIG_WATCH_TIME_ORIGIN_MS: 'yesterday' })).toThrow(/APIG_WATCH_TIME_ORIGIN_MS must be a positive number/);
  });

  it('takes WATCH_QUEUE_URL when set, for apig-watch start', () => {
    expect(readCliSettings({ WATCH_QUEUE_URL: ' https://sqs/q ' }).watchQueueUrl).toBe('https://sqs/q');
  });
});

describe('readStartWatchSettings', () => {
  it('fails fast naming a missing WATCH_QUEUE_URL', () => {
    expect(() => readStartWatchSettings({})).toThrow(new ConfigError('WATCH_QUEUE_URL is required'));
  });

  it('fails fast naming a missing WATCH_TABLE_NAME (read to tell a joined request)', () => {
    expect(() => readStartWatchSettings({ WATCH_QUEUE_URL: 'https://sqs/q' })).toThrow(new ConfigError('WATCH_TABLE_NAME is required'));
  });

  it("sends to the SDK's SQS endpoint when AWS_ENDPOINT_URL_SQS is set", () => {
    expect(readStartWatchSettings({ WATCH_QUEUE_URL: 'https://sqs/q', WATCH_TABLE_NAME: 'watch', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' })).toEqual({
      watchQueueUrl: 'https://sqs/q',
      tableName: 'watch',
      sqsEndpointOverridden: true,
    });
  });
});
