/** Secret resolution: which variables may hold a secret, their references, and reading them at run time. */
import type { ApigConfig } from '../apig/types.js';
import { ConfigError } from '../config-error.js';
import { parseNotifyUrls } from '../notify/targets.js';
import { type Target, MIN_STATE_SIGNING_KEY_BYTES, type StateSigningKeys } from '../watch/index.js';
import { apigConfigFrom } from './credentials.js';
import type { Settings } from './environment.js';

/** The environment variables that may hold a secret, or a reference to one (`ssm:/…`, `secretsmanager:…`). */
export const SECRET_VARIABLES = [
  'NOTIFY_URLS',
  'WEBHOOK_SECRET',
  'WEBHOOK_SECRET_PREVIOUS',
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'HUAWEICLOUD_IAM_USER',
  'HUAWEICLOUD_IAM_PASSWORD',
  'HUAWEICLOUD_IAM_DOMAIN',
  'HUAWEICLOUD_AUTH_TOKEN',
  'STATE_SIGNING_KEY',
  'STATE_SIGNING_KEY_PREVIOUS',
  'STATE_SIGNING_KEY_NEXT',
] as const;
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

/** A secret as configured: the value itself, or where to read it at run time. */
export type SecretSource = { from: 'value'; value: string } | { from: 'ssm'; name: string } | { from: 'secretsmanager'; name: string };

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

/** `ssm:/path` and `secretsmanager:name` are read at run time; anything else is the value itself. */
export function secretSource(raw: string | undefined): SecretSource | null {
  const value = raw?.trim();
  if (!value) return null;
  if (value.startsWith('ssm:')) return { from: 'ssm', name: value.slice('ssm:'.length) };
  if (value.startsWith('secretsmanager:')) return { from: 'secretsmanager', name: value.slice('secretsmanager:'.length) };
  return { from: 'value', value };
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
 * const config = await resolveRuntimeConfig(settings, readParameterOrSecret);
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
