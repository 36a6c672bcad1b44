import type { ApigConfig, ApigCredentials } from './apig/types.js';
import { DEFAULT_APIG_ENDPOINT, DEFAULT_IAM_ENDPOINT } from './apig/endpoints.js';
import { DiscoverProjectsError, parseDiscoverProjects, type DiscoverProject } from './discover/projects.js';
import { parseNotifyUrls } from './notify/targets.js';
import type { Target } from './watch/ports.js';
import { MAX_WATCH_LIFETIME_SECONDS } from './watch/watch-lifetime.js';
import { MIN_STATE_SIGNING_KEY_BYTES, type StateSigningKeys } from './watch/state-message.js';

/** A setting that is wrong or missing; the message names the variable (never its value). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The environment variables that may hold a secret, or a reference to one (`ssm:/…`, `secretsmanager:…`). */
export const SECRET_VARIABLES = [
  'NOTIFY_URLS',
  'WEBHOOK_SECRET',
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'HUAWEICLOUD_IAM_USER',
  'HUAWEICLOUD_IAM_PASSWORD',
  'HUAWEICLOUD_IAM_DOMAIN',
  'HUAWEICLOUD_AUTH_TOKEN',
  'STATE_SIGNING_KEY',
  'STATE_SIGNING_KEY_PREVIOUS',
] as const;
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

export const DEFAULT_WATCH_TIMEOUT_SECONDS = 7200;
export const DEFAULT_DELIVERY_RETRY_HOURS = 24;
export const APIG_REQUEST_TIMEOUT_MS = 10_000;

/** A secret as configured: the value itself, or where to read it at run time. */
export type SecretSource =
  | { from: 'value'; value: string }
  | { from: 'ssm'; name: string }
  | { from: 'secretsmanager'; name: string };

/** What the environment says, checked at cold start; secrets may still be references. */
export interface Settings {
  watchQueueUrl: string;
  deadLetterQueueUrl: string;
  tableName: string;
  secrets: Partial<Record<SecretVariable, SecretSource>>;
  apigEndpoint: string;
  iamEndpoint: string;
  watchTimeoutSeconds: number;
  deliveryBudgetSeconds: number;
  /** Demo only: how much faster than real time the watcher's clock and delays run. */
  timeScale: number;
  /** `APIG_WATCH_TIME_ORIGIN_MS`: where a scaled clock starts (shared with a simulator); `null` = now. */
  timeOriginMs: number | null;
  /** True when `AWS_ENDPOINT_URL_SQS` (or `AWS_ENDPOINT_URL`) points the SDK at a local SQS. */
  sqsEndpointOverridden: boolean;
}

/** Everything the poller needs at run time, secrets resolved. */
export interface RuntimeConfig {
  apig: ApigConfig;
  targets: Target[];
  webhookSecret: string | undefined;
  /** `STATE_SIGNING_KEY` (and `STATE_SIGNING_KEY_PREVIOUS`); `null` where none is configured (the CLI). */
  stateKeys: StateSigningKeys | null;
}

type Environment = Record<string, string | undefined>;

/**
 * Reads and checks the environment once, at cold start. Throws `ConfigError` naming the variable.
 *
 * @example
 * const settings = readSettings(process.env);
 */
export function readSettings(env: Environment): Settings {
  required(env, 'STATE_SIGNING_KEY');
  const settings = {
    ...readCommonSettings(env),
    watchQueueUrl: required(env, 'WATCH_QUEUE_URL'),
    deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL'),
    tableName: required(env, 'WATCH_TABLE_NAME'),
    deliveryBudgetSeconds: positiveNumber(env, 'DELIVERY_RETRY_HOURS', DEFAULT_DELIVERY_RETRY_HOURS) * 3600,
  };
  if (settings.watchTimeoutSeconds + settings.deliveryBudgetSeconds > MAX_WATCH_LIFETIME_SECONDS) {
    throw new ConfigError(
      `WATCH_TIMEOUT_SECONDS plus DELIVERY_RETRY_HOURS may add up to at most ${MAX_WATCH_LIFETIME_SECONDS / 3600} hours: ` +
        'records must outlive a watch, its delivery budget and the dead-letter queue\'s 14 days',
    );
  }
  return settings;
}

type CommonSettings = Pick<
  Settings,
  'secrets' | 'apigEndpoint' | 'iamEndpoint' | 'watchTimeoutSeconds' | 'timeScale' | 'timeOriginMs' | 'sqsEndpointOverridden'
>;

/** The settings the poller and the CLI read alike. */
function readCommonSettings(env: Environment): CommonSettings {
  return {
    secrets: secretSources(env),
    apigEndpoint: endpointTemplate(env, 'APIG_ENDPOINT', DEFAULT_APIG_ENDPOINT),
    iamEndpoint: endpointTemplate(env, 'IAM_ENDPOINT', DEFAULT_IAM_ENDPOINT),
    watchTimeoutSeconds: positiveNumber(env, 'WATCH_TIMEOUT_SECONDS', DEFAULT_WATCH_TIMEOUT_SECONDS),
    timeScale: positiveNumber(env, 'APIG_WATCH_TIME_SCALE', 1),
    timeOriginMs: env.APIG_WATCH_TIME_ORIGIN_MS?.trim() ? positiveNumber(env, 'APIG_WATCH_TIME_ORIGIN_MS', 1) : null,
    sqsEndpointOverridden: sqsEndpointOverridden(env),
  };
}

/** What the `apig-watch` CLI reads: the poller's settings without the queue, dead-letter queue and table. */
export interface CliSettings extends CommonSettings {
  /** `WATCH_QUEUE_URL`, optional here: `apig-watch start` may be given the queue another way. */
  watchQueueUrl: string | null;
}

/**
 * Reads the environment of the `apig-watch` CLI: the same variables as the poller (README, "Configuration"), but
 * nothing it needs only in AWS is required. Throws `ConfigError` naming the variable.
 *
 * @example
 * const settings = readCliSettings(process.env);
 */
export function readCliSettings(env: Environment): CliSettings {
  return { ...readCommonSettings(env), watchQueueUrl: env.WATCH_QUEUE_URL?.trim() || null };
}

/** What the HTTP start endpoint (`handlers/start-watch.ts`) reads: where to send requests, and the step table. */
export interface StartWatchSettings {
  watchQueueUrl: string;
  /** The step table, read to tell whether a request joins an active watch. */
  tableName: string;
  sqsEndpointOverridden: boolean;
}

/**
 * Reads the start endpoint's environment at cold start. Throws `ConfigError` naming the variable.
 *
 * @example
 * const { watchQueueUrl } = readStartWatchSettings(process.env);
 */
export function readStartWatchSettings(env: Environment): StartWatchSettings {
  return {
    watchQueueUrl: required(env, 'WATCH_QUEUE_URL'),
    tableName: required(env, 'WATCH_TABLE_NAME'),
    sqsEndpointOverridden: sqsEndpointOverridden(env),
  };
}

/** What the discover function (`handlers/discover.ts`) reads: where to send requests and what to list. */
export interface DiscoverSettings extends CommonSettings {
  watchQueueUrl: string;
  /** `DISCOVER_PROJECTS`; empty: discovery is off. */
  projects: DiscoverProject[];
}

/**
 * Reads the discover function's environment at cold start. Throws `ConfigError` naming the variable.
 *
 * @example
 * const { projects } = readDiscoverSettings(process.env); // DISCOVER_PROJECTS=ap-southeast-1:0123…
 */
export function readDiscoverSettings(env: Environment): DiscoverSettings {
  return { ...readCommonSettings(env), watchQueueUrl: required(env, 'WATCH_QUEUE_URL'), projects: readDiscoverProjects(env) };
}

/**
 * `DISCOVER_PROJECTS` (comma-separated `REGION:PROJECT_ID`; empty or unset: `[]`, discovery off).
 * Throws `ConfigError` naming the variable and the bad entry.
 *
 * @example
 * readDiscoverProjects({ DISCOVER_PROJECTS: 'ap-southeast-1:0123456789abcdef0123456789abcdef' });
 */
export function readDiscoverProjects(env: Environment): DiscoverProject[] {
  try {
    return parseDiscoverProjects(env.DISCOVER_PROJECTS ?? '');
  } catch (error) {
    if (error instanceof DiscoverProjectsError) throw new ConfigError(error.message);
    throw error;
  }
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
  let targets: Target[];
  try {
    targets = parseNotifyUrls(values.NOTIFY_URLS ?? '');
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  return { apig: apigConfigFrom(values, settings), targets, webhookSecret: values.WEBHOOK_SECRET, stateKeys: stateKeysFrom(values) };
}

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

/** The state signing keys, each at least `MIN_STATE_SIGNING_KEY_BYTES` long; `null` when none is set. */
function stateKeysFrom(values: Partial<Record<SecretVariable, string>>): StateSigningKeys | null {
  const { STATE_SIGNING_KEY: current, STATE_SIGNING_KEY_PREVIOUS: previous } = values;
  for (const [name, key] of [['STATE_SIGNING_KEY', current], ['STATE_SIGNING_KEY_PREVIOUS', previous]] as const) {
    if (key !== undefined && Buffer.byteLength(key) < MIN_STATE_SIGNING_KEY_BYTES) {
      throw new ConfigError(`${name} must be at least ${MIN_STATE_SIGNING_KEY_BYTES} bytes long`);
    }
  }
  if (current === undefined) return previous === undefined ? null : missingCurrentKey();
  return { current, previous: previous ?? null };
}

function missingCurrentKey(): never {
  throw new ConfigError('STATE_SIGNING_KEY is required when STATE_SIGNING_KEY_PREVIOUS is set');
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
      throw new ConfigError(`${name}: could not read ${source.from === 'value' ? 'it' : `${source.from} ${source.name}`} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return values;
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

/** `ssm:/path` and `secretsmanager:name` are read at run time; anything else is the value itself. */
export function secretSource(raw: string | undefined): SecretSource | null {
  const value = raw?.trim();
  if (!value) return null;
  if (value.startsWith('ssm:')) return { from: 'ssm', name: value.slice('ssm:'.length) };
  if (value.startsWith('secretsmanager:')) return { from: 'secretsmanager', name: value.slice('secretsmanager:'.length) };
  return { from: 'value', value };
}

function secretSources(env: Environment): Settings['secrets'] {
  const secrets: Settings['secrets'] = {};
  for (const name of SECRET_VARIABLES) {
    const source = secretSource(env[name]);
    if (source) secrets[name] = source;
  }
  return secrets;
}

function sqsEndpointOverridden(env: Environment): boolean {
  return Boolean(env.AWS_ENDPOINT_URL_SQS?.trim() || env.AWS_ENDPOINT_URL?.trim());
}

function required(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is required`);
  return value;
}

function positiveNumber(env: Environment, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

function endpointTemplate(env: Environment, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let url: URL;
  try {
    url = new URL(raw.replaceAll('{region}', 'region'));
  } catch {
    throw new ConfigError(`${name} must be a URL (with an optional {region}), got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${name} must be an http(s) URL`);
  return raw.replace(/\/+$/, '');
}
