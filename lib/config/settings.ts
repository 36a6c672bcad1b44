/**
 * The environment readers: each function's variables, read and checked once at cold start.
 * Secrets stay references here (lib/config/resolve.ts resolves them). Imports nothing else of lib/config.
 */
import { DEFAULT_APIG_ENDPOINT, DEFAULT_IAM_ENDPOINT } from '../apig/index.js';
import { ConfigError } from '../config-error.js';
import { parseDiscoverProjects, type DiscoverProject } from '../discover/index.js';
import { MAX_WATCH_LIFETIME_SECONDS, POLL_PROFILES, type PollProfile } from '../watch/index.js';

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

/** `ssm:/path` and `secretsmanager:name` are read at run time; anything else is the value itself. */
export function secretSource(raw: string | undefined): SecretSource | null {
  const value = raw?.trim();
  if (!value) return null;
  if (value.startsWith('ssm:')) return { from: 'ssm', name: value.slice('ssm:'.length) };
  if (value.startsWith('secretsmanager:')) return { from: 'secretsmanager', name: value.slice('secretsmanager:'.length) };
  return { from: 'value', value };
}

const DEFAULT_WATCH_TIMEOUT_SECONDS = 7200;
const DEFAULT_DELIVERY_RETRY_HOURS = 24;

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
  /** `POLL_PROFILE`: how eagerly a creation is polled (`balanced` unless set). */
  pollProfile: PollProfile;
  /** Demo only: how much faster than real time the watcher's clock and delays run. */
  timeScale: number;
  /** `APIG_WATCH_TIME_ORIGIN_MS`: where a scaled clock starts (shared with a simulator); `null` = now. */
  timeOriginMs: number | null;
  /** True when `AWS_ENDPOINT_URL_SQS` (or `AWS_ENDPOINT_URL`) points the SDK at a local SQS. */
  sqsEndpointOverridden: boolean;
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
        "records must outlive a watch, its delivery budget and the dead-letter queue's 14 days",
    );
  }
  return settings;
}

type CommonSettings = Pick<
  Settings,
  'secrets' | 'apigEndpoint' | 'iamEndpoint' | 'watchTimeoutSeconds' | 'pollProfile' | 'timeScale' | 'timeOriginMs' | 'sqsEndpointOverridden'
>;

/** The settings the poller and the CLI read alike. */
function readCommonSettings(env: Environment): CommonSettings {
  return {
    secrets: secretSources(env),
    apigEndpoint: endpointTemplate(env, 'APIG_ENDPOINT', DEFAULT_APIG_ENDPOINT),
    iamEndpoint: endpointTemplate(env, 'IAM_ENDPOINT', DEFAULT_IAM_ENDPOINT),
    watchTimeoutSeconds: positiveNumber(env, 'WATCH_TIMEOUT_SECONDS', DEFAULT_WATCH_TIMEOUT_SECONDS),
    pollProfile: pollProfile(env),
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
 * Reads the environment of the `apig-watch` CLI: the same variables as the poller (docs/configuration.md, "Configuration"), but
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
 * Throws `DiscoverProjectsError` (a `ConfigError`) naming the variable and the bad entry.
 *
 * @example
 * readDiscoverProjects({ DISCOVER_PROJECTS: 'ap-southeast-1:0123456789abcdef0123456789abcdef' });
 */
export function readDiscoverProjects(env: Environment): DiscoverProject[] {
  return parseDiscoverProjects(env.DISCOVER_PROJECTS ?? '');
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

function pollProfile(env: Environment): PollProfile {
  const raw = env.POLL_PROFILE?.trim();
  if (!raw) return 'balanced';
  const profile = POLL_PROFILES.find((name) => name === raw);
  if (profile === undefined) throw new ConfigError(`POLL_PROFILE must be one of ${POLL_PROFILES.join(', ')}, got ${JSON.stringify(raw)}`);
  return profile;
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
