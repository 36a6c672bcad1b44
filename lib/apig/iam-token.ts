import fetch from 'node-fetch';
import * as z from 'zod/mini';
import { SILENT_LOG, type Log } from '../logger.js';
import { resolveEndpoint } from './endpoints.js';
import {
  ApigRetryableError,
  IamAuthError,
  errorFromFetchFailure,
  parseErrorBody,
  parseJsonLeniently,
  retryableErrorFromAnswer,
} from './errors.js';
import type { ApigCredentials, ProgressTarget } from './types.js';

/** A cached token is replaced this long before its `expires_at`. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** IAM answers that mean "these credentials are refused" (never retried: see `createIamTokenProvider`). */
const REFUSED_LOGIN_STATUSES = new Set([400, 401, 403]);

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
 * A refused login (400/401/403) is remembered for the life of the provider and every later call
 * fails at once with the same `IamAuthError`, without asking IAM again: Huawei locks an account
 * after repeated wrong passwords, so a poller that retried a wrong password on every poll of
 * every watch would lock out the very user it runs as (and any human sharing it). The
 * credentials come from configuration that is fixed for the container, so asking again could
 * not succeed anyway; a corrected password takes effect with the next container.
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
  let refusal: IamAuthError | undefined;

  function getToken(target: Pick<ProgressTarget, 'projectId' | 'region'>): Promise<string> {
    if (refusal) return Promise.reject(refusal);
    const cached = cache.get(target.projectId);
    if (cached && (cached.resolved === undefined || now() < cached.resolved.refreshAtMs)) return cached.token;

    const entry: CacheEntry = {
      token: login(target).then(
        ({ token, expiresAtMs }) => {
          entry.resolved = { token, refreshAtMs: expiresAtMs - TOKEN_REFRESH_MARGIN_MS };
          return token;
        },
        (error: unknown) => {
          if (cache.get(target.projectId) === entry) cache.delete(target.projectId);
          if (error instanceof IamAuthError) refusal = error;
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
    let text: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json;charset=utf8' },
        body,
        signal: AbortSignal.timeout(options.requestTimeoutMs),
      });
      status = response.status;
      subjectToken = response.headers.get('x-subject-token');
      text = await response.text();
    } catch (error) {
      throw errorFromFetchFailure(error, 'IAM login', options.requestTimeoutMs, 'IAM_ENDPOINT and the region');
    }

    if (status === 201) return readTokenAnswer(subjectToken, text);
    const error = parseErrorBody(text);
    if (REFUSED_LOGIN_STATUSES.has(status)) {
      log.error('IAM refused the login; not trying again in this container', {
        user,
        domain,
        projectId: target.projectId,
        httpStatus: status,
        code: error.code,
      });
      throw new IamAuthError(
        `IAM refused the login of user ${user} (domain ${domain}) with HTTP ${status}` +
          `${error.message ? `: ${error.message}` : ''}; check HUAWEICLOUD_IAM_USER/PASSWORD/DOMAIN`,
        { httpStatus: status, code: error.code },
      );
    }
    throw retryableErrorFromAnswer(status, error, 'IAM login');
  }

  return { getToken, invalidate };
}

function readTokenAnswer(subjectToken: string | null, text: string): { token: string; expiresAtMs: number } {
  const parsed = TokenAnswerSchema.safeParse(parseJsonLeniently(text));
  const expiresAtMs = parsed.success ? Date.parse(parsed.data.token.expires_at) : Number.NaN;
  if (!subjectToken || Number.isNaN(expiresAtMs)) {
    throw new ApigRetryableError(
      'unexpected_response',
      'IAM login answered 201 without an X-Subject-Token header or a valid token.expires_at',
      { httpStatus: 201 },
    );
  }
  return { token: subjectToken, expiresAtMs };
}
