import fetch from 'node-fetch';
import * as z from 'zod/mini';
import { SILENT_LOG, type Log, type ProgressTarget, ApigRetryableError, IamLoginRefusedError, type ApigErrorOptions } from '../watch/index.js';
import { resolveEndpoint } from './endpoints.js';
import { keepAliveAgents } from '../keep-alive-agents.js';
import { errorFromFetchFailure, parseErrorBody, retryableErrorFromAnswer } from './errors.js';
import { parseJsonLeniently } from '../lenient-json.js';
import { isAnswerTooLarge } from '../bounded-answer.js';
import { answerTooLargeError, HUAWEI_FETCH_OPTIONS, isRedirect, redirectError } from './http-answer.js';
import type { ApigCredentials } from './types.js';

/** A cached token is replaced this long before its `expires_at`. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** IAM answers that mean "these credentials are refused" (not retried for a while: see `createIamTokenProvider`). */
const REFUSED_LOGIN_STATUSES = new Set([400, 401, 403]);
/** After a refused login, IAM is asked again for that project no sooner than this: the refusal is answered from memory meanwhile. */
export const REFUSED_LOGIN_RETRY_MS = 5 * 60 * 1000;
/** A refusal confirms an earlier one of the same project up to this long after it. */
export const REFUSAL_CONFIRMS_WITHIN_MS = 15 * 60 * 1000;
/** Replaces the IAM user name, password and domain if Huawei's message ever echoes them. */
const REDACTED = '***';

const TokenAnswerSchema = z.object({ token: z.object({ expires_at: z.string() }) });

export interface IamTokenProvider {
  /** A token scoped to `target.projectId`, from cache or one shared login. */
  getToken(target: Pick<ProgressTarget, 'projectId' | 'region'>): Promise<string>;
  /**
   * Drops the cached token of a project (APIG answered 401 APIC.7101/7102). With `staleToken`,
   * only if that is still the cached one, so concurrent callers refresh once, not once each.
   */
  invalidate(projectId: string, staleToken?: string): void;
}

export interface IamTokenProviderOptions {
  credentials: Extract<ApigCredentials, { mode: 'password' }>;
  /** Endpoint template, `{region}` substituted. */
  iamEndpoint: string;
  requestTimeoutMs: number;
  log?: Log;
  now?: () => number;
}

/** The latest refused login of a project: what IAM said, when, and whether it confirmed an earlier refusal. */
interface Refusal {
  message: string;
  options: ApigErrorOptions;
  refusedAtMs: number;
  confirmedAtMs: number | null;
}

interface CacheEntry {
  token: Promise<string>;
  /** Set once the login has answered. */
  resolved?: { token: string; refreshAtMs: number };
}

/**
 * Obtains IAM user tokens by password (`POST /v3/auth/tokens`, scoped to the project by id)
 * and caches them per project for the life of the provider (one per Lambda container) until
 * 5 minutes before `expires_at`. Concurrent callers share one in-flight login.
 *
 * A refused login (400/401/403) throws `IamLoginRefusedError`, and is remembered for its project
 * scope: for 5 minutes every call for that project fails at once with it (`fresh: false`), without
 * asking IAM. Huawei locks an account after repeated wrong passwords, so a poller that retried a
 * wrong password on every poll of every watch would lock out the very user it runs as (and any
 * human sharing it): IAM hears at most one login per project every 5 minutes while it refuses. The
 * first call after that asks again; a second refusal within 15 minutes of the first is confirmed
 * (`confirmedAtMs`), which is what ends watches (lib/watch/decide-poll.ts), while a success forgets
 * the refusal: one hiccup of IAM ends nothing. The memory is bounded in time (a password fixed
 * in Secrets Manager takes effect without a new container) and in scope (another project's login
 * may still succeed). Neither the user nor the domain name appears in a log line or an error
 * message: both are secret settings.
 *
 * @example
 * const iam = createIamTokenProvider({ credentials, iamEndpoint: DEFAULT_IAM_ENDPOINT, requestTimeoutMs: 5000 });
 * const token = await iam.getToken({ projectId, region: 'ap-southeast-1' });
 * await fetch(url, { headers: { 'X-Auth-Token': token } });
 */
export function createIamTokenProvider(options: IamTokenProviderOptions): IamTokenProvider {
  const log = options.log ?? SILENT_LOG;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  const agent = keepAliveAgents();
  const refusals = new Map<string, Refusal>();

  function getToken(target: Pick<ProgressTarget, 'projectId' | 'region'>): Promise<string> {
    const refusal = refusals.get(target.projectId);
    if (refusal && now() < refusal.refusedAtMs + REFUSED_LOGIN_RETRY_MS) return Promise.reject(refusedError(refusal, false));
    const cached = cache.get(target.projectId);
    if (cached && (cached.resolved === undefined || now() < cached.resolved.refreshAtMs)) return cached.token;

    const entry: CacheEntry = {
      token: login(target).then(
        ({ token, expiresAtMs }) => {
          refusals.delete(target.projectId);
          entry.resolved = { token, refreshAtMs: expiresAtMs - TOKEN_REFRESH_MARGIN_MS };
          return token;
        },
        (error: unknown) => {
          if (cache.get(target.projectId) === entry) cache.delete(target.projectId);
          throw error;
        },
      ),
    };
    cache.set(target.projectId, entry);
    return entry.token;
  }

  function invalidate(projectId: string, staleToken?: string): void {
    const cached = cache.get(projectId);
    if (cached?.resolved && (staleToken === undefined || cached.resolved.token === staleToken)) {
      cache.delete(projectId);
    }
  }

  async function login(target: Pick<ProgressTarget, 'projectId' | 'region'>): Promise<{
    token: string;
    expiresAtMs: number;
  }> {
    const { user, password, domain } = options.credentials;
    const url = `${resolveEndpoint(options.iamEndpoint, target.region)}/v3/auth/tokens?nocatalog=true`;
    const body = JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: domain } } } },
        scope: { project: { id: target.projectId } },
      },
    });
    let status: number;
    let subjectToken: string | null;
    let location: string | null;
    let text: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json;charset=utf8' },
        body,
        signal: AbortSignal.timeout(options.requestTimeoutMs),
        agent,
        ...HUAWEI_FETCH_OPTIONS,
      });
      status = response.status;
      subjectToken = response.headers.get('x-subject-token');
      location = response.headers.get('location');
      text = await response.text();
    } catch (error) {
      throw isAnswerTooLarge(error)
        ? answerTooLargeError('IAM login')
        : errorFromFetchFailure(error, 'IAM login', options.requestTimeoutMs, 'IAM_ENDPOINT and the region');
    }

    if (status === 201) return readTokenAnswer(subjectToken, text);
    if (isRedirect(status)) throw redirectError(status, location, 'IAM login', 'IAM_ENDPOINT');
    const error = redactSecrets(parseErrorBody(text), [user, password, domain]);
    if (REFUSED_LOGIN_STATUSES.has(status)) {
      const refusedAtMs = now();
      const previous = refusals.get(target.projectId);
      const confirmed = previous !== undefined && refusedAtMs - previous.refusedAtMs <= REFUSAL_CONFIRMS_WITHIN_MS;
      const refusal: Refusal = {
        message: `IAM refused the login with HTTP ${status}${error.message ? `: ${error.message}` : ''}`,
        options: { httpStatus: status, code: error.code },
        refusedAtMs,
        confirmedAtMs: confirmed ? refusedAtMs : null,
      };
      refusals.set(target.projectId, refusal);
      log.error(`IAM refused the login${confirmed ? ' again' : ''}; not asking again for this project for 5 minutes`, {
        projectId: target.projectId,
        httpStatus: status,
        code: error.code,
        confirmed,
      });
      throw refusedError(refusal, true);
    }
    throw retryableErrorFromAnswer(status, error, 'IAM login');
  }

  return { getToken, invalidate };
}

/** The error of a refused login, confirmed or not, from IAM (`fresh`) or from memory. */
function refusedError(refusal: Refusal, fresh: boolean): IamLoginRefusedError {
  const when =
    refusal.confirmedAtMs === null
      ? `; IAM is asked once more from ${new Date(refusal.refusedAtMs + REFUSED_LOGIN_RETRY_MS).toISOString()} before a watch ends on it`
      : ', a second time minutes after the first';
  return new IamLoginRefusedError(`${refusal.message}${when}; check HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD and HUAWEICLOUD_IAM_DOMAIN`, {
    ...refusal.options,
    confirmedAtMs: refusal.confirmedAtMs,
    fresh,
  });
}

/** Huawei's words with the (secret) user name, password and domain masked, should IAM ever echo them. */
function redactSecrets(error: { code?: string; message?: string }, secrets: string[]): { code?: string; message?: string } {
  const longestFirst = secrets.filter((secret) => secret !== '').sort((a, b) => b.length - a.length);
  const redact = (text: string | undefined) =>
    text === undefined ? undefined : longestFirst.reduce((result, secret) => result.replaceAll(secret, REDACTED), text);
  return { code: redact(error.code), message: redact(error.message) };
}

function readTokenAnswer(subjectToken: string | null, text: string): { token: string; expiresAtMs: number } {
  const parsed = TokenAnswerSchema.safeParse(parseJsonLeniently(text));
  const expiresAtMs = parsed.success ? Date.parse(parsed.data.token.expires_at) : Number.NaN;
  if (!subjectToken || Number.isNaN(expiresAtMs)) {
    throw new ApigRetryableError('unexpected_response', 'IAM login answered 201 without an X-Subject-Token header or a valid token.expires_at', {
      httpStatus: 201,
    });
  }
  return { token: subjectToken, expiresAtMs };
}
