import { readSettings } from '../../lib/config/settings.js';
import { resolveRuntimeConfig } from '../../lib/config/resolve.js';
import { ConfigError } from '../../lib/config-error.js';
import { readSecretReference } from '../../lib/runtime/read-secret-reference.js';
import { startParameterStandIn } from '../support/aws-parameter-stand-in.js';

const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/not-a-real-secret';
/** serverless.yml passes the generated signing key as `secretsmanager:<its ARN>`. */
const SIGNING_KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:StateSigningKey-AbCdEf';
const GENERATED_SIGNING_KEY = 'Generated64CharacterKeyWithoutPunctuation0123456789abcdefghijklmn';
let standIn: Awaited<ReturnType<typeof startParameterStandIn>>;
const saved = { ...process.env };

beforeAll(async () => {
  standIn = await startParameterStandIn({
    parameters: { '/apig-watch/test/notify-urls': SLACK_URL, '/apig-watch/test/sk': 'secret-key-from-ssm' },
    secrets: { 'apig-watch/test/ak': 'AKFROMSECRETSMANAGER', [SIGNING_KEY_ARN]: GENERATED_SIGNING_KEY },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SSM: standIn.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.url,
  });
});

afterAll(async () => {
  process.env = saved;
  await standIn.close();
});

function settingsWith(secrets: Record<string, string>) {
  return readSettings({
    WATCH_QUEUE_URL: 'http://127.0.0.1:1/q',
    DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/dlq',
    WATCH_TABLE_NAME: 'table',
    STATE_SIGNING_KEY: `secretsmanager:${SIGNING_KEY_ARN}`,
    ...secrets,
  });
}

describe('secrets named as SSM / Secrets Manager references', () => {
  it('are read at run time through the AWS SDK and used as the values', async () => {
    const settings = settingsWith({
      NOTIFY_URLS: 'ssm:/apig-watch/test/notify-urls',
      HUAWEICLOUD_SDK_AK: 'secretsmanager:apig-watch/test/ak',
      HUAWEICLOUD_SDK_SK: 'ssm:/apig-watch/test/sk',
    });

    const config = await resolveRuntimeConfig(settings, readSecretReference);

    expect(config.targets).toHaveLength(1);
    expect(config.targets[0]?.type).toBe('slack');
    expect(config.apig.credentials).toEqual({ mode: 'aksk', accessKey: 'AKFROMSECRETSMANAGER', secretKey: 'secret-key-from-ssm', securityToken: undefined });
    expect(config.stateKeys).toEqual({ current: GENERATED_SIGNING_KEY, previous: null, next: null });
  });

  it('are cached: a second resolution within the cache time asks AWS nothing', async () => {
    const settings = settingsWith({ NOTIFY_URLS: 'ssm:/apig-watch/test/notify-urls', HUAWEICLOUD_AUTH_TOKEN: 'token' });
    await resolveRuntimeConfig(settings, readSecretReference);
    const callsBefore = standIn.calls.length;

    await resolveRuntimeConfig(settings, readSecretReference);

    expect(standIn.calls.length).toBe(callsBefore);
  });

  it('fail with an error naming the variable and the parameter, never a value', async () => {
    const settings = settingsWith({ NOTIFY_URLS: 'ssm:/apig-watch/test/missing', HUAWEICLOUD_AUTH_TOKEN: 'token-value-123' });

    const failure = resolveRuntimeConfig(settings, readSecretReference);

    await expect(failure).rejects.toThrow(ConfigError);
    await expect(failure).rejects.toThrow(/NOTIFY_URLS: could not read ssm \/apig-watch\/test\/missing/);
    await expect(failure).rejects.not.toThrow(/token-value-123/);
  });
});
