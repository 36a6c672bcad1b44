/**
 * Resolution: the secrets the settings name (values, or references read at run time) turned into
 * what the functions and the CLI run with. `apigConfigFrom` is the one way an `ApigConfig` is built.
 */
import type { ApigConfig, ApigCredentials } from '../apig/index.js';
import { ConfigError } from '../config-error.js';
import { parseNotifyUrls } from '../notify/index.js';
import { MIN_STATE_SIGNING_KEY_BYTES, type StateSigningKeys, type Target } from '../watch/index.js';
import type { SecretSource, SecretVariable, Settings } from './settings.js';

/** Everything the poller needs at run time, secrets resolved. */
export interface RuntimeConfig {
  apig: ApigConfig;
  targets: Target[];
  webhookSecret: string | undefined;
  /** `WEBHOOK_SECRET_PREVIOUS`: during a rotation, generic webhooks are signed with it too. */
  webhookSecretPrevious: string | undefined;
  /** `STATE_SIGNING_KEY` (and `STATE_SIGNING_KEY_PREVIOUS`, `STATE_SIGNING_KEY_NEXT`); `null` where none is configured (the CLI). */
  stateKeys: StateSigningKeys | null;
}

/**
 * Resolves the Huawei credentials (references through `readSecret`) into the APIG clients' config.
 *
 * @example
 * const apig = await resolveApigConfig(settings, readSecretReference);
 */
export async function resolveApigConfig(
  settings: Pick<Settings, 'secrets' | 'apigEndpoint' | 'iamEndpoint'>,
  readSecret: (source: Exclude<SecretSource, { from: 'value' }>) => Promise<string>,
): Promise<ApigConfig> {
  const huaweiSecrets = Object.fromEntries(Object.entries(settings.secrets).filter(([name]) => name.startsWith('HUAWEICLOUD_')));
  return apigConfigFrom(await resolveSecretValues(huaweiSecrets, readSecret), settings);
}

/**
 * Resolves the secrets (reading references through `readSecret`) and builds the run-time config.
 *
 * @example
 * const config = await resolveRuntimeConfig(settings, readSecretReference);
 */
export async function resolveRuntimeConfig(
  settings: Pick<Settings, 'secrets' | 'apigEndpoint' | 'iamEndpoint'>,
  readSecret: (source: Exclude<SecretSource, { from: 'value' }>) => Promise<string>,
): Promise<RuntimeConfig> {
  const values = await resolveSecretValues(settings.secrets, readSecret);
  return {
    apig: apigConfigFrom(values, settings),
    // A bad entry throws NotifyConfigError, itself a ConfigError: passed on as it is.
    targets: parseNotifyUrls(values.NOTIFY_URLS ?? ''),
    webhookSecret: values.WEBHOOK_SECRET,
    webhookSecretPrevious: values.WEBHOOK_SECRET_PREVIOUS,
    stateKeys: stateKeysFrom(values),
  };
}

/**
 * Reads each configured secret (references through `readSecret`), trimmed; empty values are left out.
 * Throws `ConfigError` naming the variable (and the reference), never the value.
 *
 * @example
 * const { NOTIFY_URLS } = await resolveSecretValues(settings.secrets, readSecretReference);
 */
export async function resolveSecretValues(
  secrets: Settings['secrets'],
  readSecret: (source: Exclude<SecretSource, { from: 'value' }>) => Promise<string>,
): Promise<Partial<Record<SecretVariable, string>>> {
  const values: Partial<Record<SecretVariable, string>> = {};
  // One after another: a handful of cached reads at most, and the SDK clients load only once.
  for (const [name, source] of Object.entries(secrets)) {
    try {
      const value = source.from === 'value' ? source.value : await readSecret(source);
      if (value.trim() !== '') values[name as SecretVariable] = value.trim();
    } catch (error) {
      throw new ConfigError(
        `${name}: could not read ${source.from === 'value' ? 'it' : `${source.from} ${source.name}`} (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  return values;
}

/** The state signing keys, each at least `MIN_STATE_SIGNING_KEY_BYTES` long; `null` when none is set. */
function stateKeysFrom(values: Partial<Record<SecretVariable, string>>): StateSigningKeys | null {
  const { STATE_SIGNING_KEY: current, STATE_SIGNING_KEY_PREVIOUS: previous, STATE_SIGNING_KEY_NEXT: next } = values;
  for (const [name, key] of [
    ['STATE_SIGNING_KEY', current],
    ['STATE_SIGNING_KEY_PREVIOUS', previous],
    ['STATE_SIGNING_KEY_NEXT', next],
  ] as const) {
    if (key !== undefined && Buffer.byteLength(key) < MIN_STATE_SIGNING_KEY_BYTES) {
      throw new ConfigError(`${name} must be at least ${MIN_STATE_SIGNING_KEY_BYTES} bytes long`);
    }
  }
  if (current === undefined) return previous === undefined && next === undefined ? null : missingCurrentKey();
  return { current, previous: previous ?? null, next: next ?? null };
}

function missingCurrentKey(): never {
  throw new ConfigError('STATE_SIGNING_KEY is required when STATE_SIGNING_KEY_PREVIOUS or STATE_SIGNING_KEY_NEXT is set');
}

/** How long one call to Huawei (APIG or IAM) may take. */
export const APIG_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The APIG clients' config from resolved secret values and the endpoint settings.
 *
 * @example
 * const apig = apigConfigFrom(await resolveSecretValues(settings.secrets, readSecretReference), settings);
 */
export function apigConfigFrom(values: Partial<Record<SecretVariable, string>>, settings: Pick<Settings, 'apigEndpoint' | 'iamEndpoint'>): ApigConfig {
  return {
    credentials: credentialsFrom(values),
    apigEndpoint: settings.apigEndpoint,
    iamEndpoint: settings.iamEndpoint,
    requestTimeoutMs: APIG_REQUEST_TIMEOUT_MS,
  };
}

/** Picks the credential mode: AK/SK first, then an IAM password, then a ready token. */
export function credentialsFrom(values: Partial<Record<SecretVariable, string>>): ApigCredentials {
  const { HUAWEICLOUD_SDK_AK: ak, HUAWEICLOUD_SDK_SK: sk } = values;
  if (ak || sk) {
    if (!ak || !sk) throw new ConfigError('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK: set both, or neither');
    return { mode: 'aksk', accessKey: ak, secretKey: sk, securityToken: values.HUAWEICLOUD_SDK_SECURITY_TOKEN };
  }
  const { HUAWEICLOUD_IAM_USER: user, HUAWEICLOUD_IAM_PASSWORD: password, HUAWEICLOUD_IAM_DOMAIN: domain } = values;
  if (user || password) {
    if (!user || !password) throw new ConfigError('HUAWEICLOUD_IAM_USER and HUAWEICLOUD_IAM_PASSWORD: set both, or neither');
    return { mode: 'password', user, password, domain: domain ?? user };
  }
  if (values.HUAWEICLOUD_AUTH_TOKEN) return { mode: 'token', token: values.HUAWEICLOUD_AUTH_TOKEN };
  throw new ConfigError(
    'no Huawei Cloud credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEICLOUD_IAM_USER and HUAWEICLOUD_IAM_PASSWORD, or HUAWEICLOUD_AUTH_TOKEN',
  );
}
