import { readCliSettings, readSettings } from '../../lib/config/settings.js';
import { credentialsFrom, resolveRuntimeConfig } from '../../lib/config/resolve.js';
import { secretSource } from '../../lib/config/settings.js';
import { ConfigError } from '../../lib/config-error.js';
import { NotifyConfigError } from '../../lib/notify/errors.js';

const SIGNING_KEY = 'a-state-signing-key-of-32-bytes!';
const BASE = { WATCH_QUEUE_URL: 'https://sqs/q', DEAD_LETTER_QUEUE_URL: 'https://sqs/dlq', WATCH_TABLE_NAME: 'watch', STATE_SIGNING_KEY: SIGNING_KEY };
const noReferences = async () => {
  throw new Error('no reference expected');
};

describe('readSettings', () => {
  it.each(['WATCH_QUEUE_URL', 'DEAD_LETTER_QUEUE_URL', 'WATCH_TABLE_NAME', 'STATE_SIGNING_KEY'])('fails fast naming a missing %s', (name) => {
    expect(() => readSettings({ ...BASE, [name]: '' })).toThrow(new ConfigError(`${name} is required`));
  });

  it("defaults the watch timeout to 7200 s and the endpoints to Huawei's templates", () => {
    const settings = readSettings(BASE);
    expect(settings.watchTimeoutSeconds).toBe(7200);
    expect(settings.apigEndpoint).toBe('https://apig.{region}.myhuaweicloud.com');
    expect(settings.iamEndpoint).toBe('https://iam.{region}.myhuaweicloud.com');
    expect(settings.deliveryBudgetSeconds).toBe(24 * 3600);
  });

  it('reads WATCH_TIMEOUT_SECONDS and rejects a value that is not a positive number', () => {
    expect(readSettings({ ...BASE, WATCH_TIMEOUT_SECONDS: '600' }).watchTimeoutSeconds).toBe(600);
    expect(() => readSettings({ ...BASE, WATCH_TIMEOUT_SECONDS: 'two hours' })).toThrow(/WATCH_TIMEOUT_SECONDS must be a positive number/);
  });

  it('polls with the balanced profile unless POLL_PROFILE says prompt or economical', () => {
    expect(readSettings(BASE).pollProfile).toBe('balanced');
    expect(readSettings({ ...BASE, POLL_PROFILE: ' prompt ' }).pollProfile).toBe('prompt');
    expect(readSettings({ ...BASE, POLL_PROFILE: 'economical' }).pollProfile).toBe('economical');
    expect(readCliSettings({ POLL_PROFILE: 'prompt' }).pollProfile).toBe('prompt');
  });

  it.each(['fast', 'Prompt', 'balanced,prompt'])('rejects POLL_PROFILE=%s with a ConfigError naming the variable and the choices', (value) => {
    for (const read of [readSettings, readCliSettings]) {
      expect(() => read({ ...BASE, POLL_PROFILE: value })).toThrow(
        new ConfigError(`POLL_PROFILE must be one of prompt, balanced, economical, got ${JSON.stringify(value)}`),
      );
    }
  });

  it('accepts endpoint overrides with {region} and rejects a non-URL', () => {
    expect(readSettings({ ...BASE, APIG_ENDPOINT: 'https://apig.{region}.example.com/' }).apigEndpoint).toBe('https://apig.{region}.example.com');
    expect(() => readSettings({ ...BASE, IAM_ENDPOINT: 'iam.example.com' })).toThrow(/IAM_ENDPOINT must be a URL/);
  });

  it('refuses a watch timeout and delivery budget that would outlive the records that deduplicate them', () => {
    expect(readSettings({ ...BASE, DELIVERY_RETRY_HOURS: '120', WATCH_TIMEOUT_SECONDS: '86400' }).deliveryBudgetSeconds).toBe(120 * 3600);
    expect(() => readSettings({ ...BASE, DELIVERY_RETRY_HOURS: '240' })).toThrow(
      /WATCH_TIMEOUT_SECONDS plus DELIVERY_RETRY_HOURS may add up to at most 144 hours/,
    );
  });

  it('keeps secret references as references until run time', () => {
    const settings = readSettings({ ...BASE, NOTIFY_URLS: 'ssm:/apig-watch/prod/notify-urls', HUAWEICLOUD_SDK_SK: 'secretsmanager:apig-watch/prod/sk' });
    expect(settings.secrets.NOTIFY_URLS).toEqual({ from: 'ssm', name: '/apig-watch/prod/notify-urls' });
    expect(settings.secrets.HUAWEICLOUD_SDK_SK).toEqual({ from: 'secretsmanager', name: 'apig-watch/prod/sk' });
  });
});

describe('secretSource', () => {
  it('treats an empty value as unset and anything without a prefix as the value itself', () => {
    expect(secretSource('  ')).toBeNull();
    expect(secretSource(undefined)).toBeNull();
    expect(secretSource('plain')).toEqual({ from: 'value', value: 'plain' });
  });
});

describe('credentialsFrom', () => {
  it('prefers AK/SK, with the security token of temporary credentials', () => {
    expect(credentialsFrom({ HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk', HUAWEICLOUD_SDK_SECURITY_TOKEN: 'st', HUAWEICLOUD_AUTH_TOKEN: 't' })).toEqual({
      mode: 'aksk',
      accessKey: 'ak',
      secretKey: 'sk',
      securityToken: 'st',
    });
  });

  it('uses the IAM password mode next, the domain defaulting to the user', () => {
    expect(credentialsFrom({ HUAWEICLOUD_IAM_USER: 'u', HUAWEICLOUD_IAM_PASSWORD: 'p' })).toEqual({ mode: 'password', user: 'u', password: 'p', domain: 'u' });
  });

  it('uses a ready token last', () => {
    expect(credentialsFrom({ HUAWEICLOUD_AUTH_TOKEN: 't' })).toEqual({ mode: 'token', token: 't' });
  });

  it('names both variables when only half of a pair is set', () => {
    expect(() => credentialsFrom({ HUAWEICLOUD_SDK_AK: 'ak' })).toThrow(/HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK/);
    expect(() => credentialsFrom({ HUAWEICLOUD_IAM_PASSWORD: 'p' })).toThrow(/HUAWEICLOUD_IAM_USER and HUAWEICLOUD_IAM_PASSWORD/);
  });

  it('names every way to configure credentials when none is set', () => {
    expect(() => credentialsFrom({})).toThrow(/HUAWEICLOUD_SDK_AK.*HUAWEICLOUD_IAM_USER.*HUAWEICLOUD_AUTH_TOKEN/);
  });
});

describe('resolveRuntimeConfig', () => {
  it('reads the state signing keys, the previous one optional', async () => {
    const settings = readSettings({ ...BASE, HUAWEICLOUD_AUTH_TOKEN: 't', STATE_SIGNING_KEY_PREVIOUS: 'p'.repeat(32) });
    expect((await resolveRuntimeConfig(settings, noReferences)).stateKeys).toEqual({ current: SIGNING_KEY, previous: 'p'.repeat(32), next: null });
  });

  it('reads the next state signing key of a rotation: accepted, not used to sign', async () => {
    const settings = readSettings({ ...BASE, HUAWEICLOUD_AUTH_TOKEN: 't', STATE_SIGNING_KEY_NEXT: 'n'.repeat(32) });
    expect((await resolveRuntimeConfig(settings, noReferences)).stateKeys).toEqual({ current: SIGNING_KEY, previous: null, next: 'n'.repeat(32) });
  });

  it.each(['STATE_SIGNING_KEY', 'STATE_SIGNING_KEY_PREVIOUS', 'STATE_SIGNING_KEY_NEXT'])('refuses a %s shorter than 32 bytes, naming it', async (name) => {
    const settings = readSettings({ ...BASE, HUAWEICLOUD_AUTH_TOKEN: 't', [name]: 'short' });
    await expect(resolveRuntimeConfig(settings, noReferences)).rejects.toThrow(new ConfigError(`${name} must be at least 32 bytes long`));
  });

  it('reports a bad NOTIFY_URLS entry without echoing the URL, which is a secret', async () => {
    const secretUrl = 'ftp://hooks.example.com/T0/B0/secret-path';
    const settings = readSettings({ ...BASE, NOTIFY_URLS: secretUrl, HUAWEICLOUD_AUTH_TOKEN: 't' });
    const failure = resolveRuntimeConfig(settings, noReferences);
    await expect(failure).rejects.toThrow(ConfigError);
    await expect(failure).rejects.toThrow(/NOTIFY_URLS/);
    await expect(failure).rejects.not.toThrow(/secret-path/);
  });

  it('passes a bad NOTIFY_URLS entry on as the one error NOTIFY_URLS parsing threw, a ConfigError wrapping nothing', async () => {
    const settings = readSettings({ ...BASE, NOTIFY_URLS: 'ftp://hooks.example.com/x', HUAWEICLOUD_AUTH_TOKEN: 't' });
    const error = await resolveRuntimeConfig(settings, noReferences).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(NotifyConfigError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).cause).toBeUndefined();
    expect((error as Error).message).toMatch(/^NOTIFY_URLS entry 1 /);
  });
});
