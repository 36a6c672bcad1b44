import http from 'node:http';
import https from 'node:https';
import fetch from 'node-fetch';
import { SILENT_LOG, type Log } from '../logger.js';
import { errorFromFetchFailure, parseErrorBody } from './errors.js';
import { createIamTokenProvider, type IamTokenProvider } from './iam-token.js';
import { signRequest } from './signing.js';
import type { ApigConfig, ProgressTarget } from './types.js';

/** Huawei's answers to an expired (APIC.7101) or unresolvable (APIC.7102) token. */
const STALE_TOKEN_CODES = new Set(['APIC.7101', 'APIC.7102']);

/** Whose credentials scope a request: an IAM token is scoped to the project. */
export type ApigScope = Pick<ProgressTarget, 'projectId' | 'region'>;

/** An HTTP answer, read whole. */
export interface ApigAnswer {
  status: number;
  text: string;
}

/** Authenticated GETs to Huawei's APIG API: what the progress and the instance-list clients share. */
export interface ApigRequester {
  /**
   * GETs `url` with the configured credentials (AK/SK signature, IAM token or static token) and
   * the request timeout; after a 401 APIC.7101/7102 on a cached IAM token, asks once more with a
   * fresh one. Any answer is returned; a network failure or timeout throws `ApigRetryableError`.
   */
  get(url: string, scope: ApigScope, what: string): Promise<ApigAnswer>;
}

/**
 * The shared request layer of the APIG clients, one per container: keep-alive agents and, in
 * password mode, one IAM token cache for every client built on it.
 *
 * @example
 * const requester = createApigRequester(config.apig, { log, now: clock.now });
 * const answer = await requester.get(`${base}/v2/${projectId}/apigw/instances?limit=500`, { projectId, region }, 'APIG instance list');
 */
export function createApigRequester(config: ApigConfig, deps: { log?: Log; now?: () => number } = {}): ApigRequester {
  const log = deps.log ?? SILENT_LOG;
  const now = deps.now ?? Date.now;
  const { credentials } = config;
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const iam: IamTokenProvider | undefined =
    credentials.mode === 'password'
      ? createIamTokenProvider({
          credentials,
          iamEndpoint: config.iamEndpoint,
          requestTimeoutMs: config.requestTimeoutMs,
          log,
          now,
        })
      : undefined;

  async function authHeaders(url: string, scope: ApigScope): Promise<Record<string, string>> {
    const headers = { Accept: 'application/json' };
    switch (credentials.mode) {
      case 'aksk':
        return signRequest({
          method: 'GET',
          url,
          headers,
          accessKey: credentials.accessKey,
          secretKey: credentials.secretKey,
          securityToken: credentials.securityToken,
          date: new Date(now()),
        });
      case 'password':
        return { ...headers, 'X-Auth-Token': await (iam as IamTokenProvider).getToken(scope) };
      case 'token':
        return { ...headers, 'X-Auth-Token': credentials.token };
    }
  }

  async function send(url: string, headers: Record<string, string>, what: string, scope: ApigScope): Promise<ApigAnswer> {
    const startedMs = Date.now();
    try {
      const response = await fetch(url, {
        headers,
        agent: (parsed) => (parsed.protocol === 'http:' ? agents.http : agents.https),
        signal: AbortSignal.timeout(config.requestTimeoutMs),
      });
      const answer = { status: response.status, text: await response.text() };
      log.debug(`${what} answered`, { ...scope, httpStatus: answer.status, durationMs: Date.now() - startedMs });
      return answer;
    } catch (error) {
      throw errorFromFetchFailure(error, `${what} request`, config.requestTimeoutMs);
    }
  }

  return {
    async get(url, scope, what) {
      let headers = await authHeaders(url, scope);
      let answer = await send(url, headers, what, scope);
      if (iam && answer.status === 401 && STALE_TOKEN_CODES.has(parseErrorBody(answer.text).code ?? '')) {
        log.info('APIG refused the cached IAM token; retrying once with a fresh one', { ...scope });
        iam.invalidate(scope.projectId, headers['X-Auth-Token']);
        headers = await authHeaders(url, scope);
        answer = await send(url, headers, what, scope);
      }
      return answer;
    },
  };
}
