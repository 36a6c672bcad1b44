import fetch from 'node-fetch';
import { SILENT_LOG, type Log, type ProgressTarget, ApigRetryableError } from '../watch/index.js';
import { serverTimeIfSkewed } from './clock-skew.js';
import { errorFromFetchFailure, parseErrorBody } from './errors.js';
import { keepAliveAgents } from '../keep-alive-agents.js';
import { isAnswerTooLarge, MAX_ANSWER_BYTES } from '../bounded-answer.js';
import { answerTooLargeError, HUAWEI_FETCH_OPTIONS, isRedirect, redirectError } from './http-answer.js';
import { createIamTokenProvider, type IamTokenProvider } from './iam-token.js';
import { parseSdkDate, signRequest } from './signing.js';
import type { ApigConfig } from './types.js';

/**
 * Huawei's answers to a token it no longer takes: expired (APIC.7101), unresolvable (APIC.7102),
 * or refused by the gateway in front ("Incorrect IAM authentication information: decrypt token
 * fail", APIG.0301, spelled APIGW.0301 on some pages).
 */
const STALE_TOKEN_CODES = new Set(['APIC.7101', 'APIC.7102', 'APIG.0301', 'APIGW.0301']);

/** Whose credentials scope a request (an IAM token is scoped to the project); logged with it. */
export type ApigScope = Pick<ProgressTarget, 'projectId' | 'region'>;

/** An HTTP answer, read whole (up to Huawei's answer bound). */
export interface ApigAnswer {
  status: number;
  /** The `Date` header: Huawei's clock, which tells a skewed signature from a wrong one. */
  date: string | null;
  text: string;
}

/** Authenticated GETs to Huawei's APIG API: what the progress and the instance-list clients share. */
export interface ApigRequester {
  /**
   * GETs `url` with the configured credentials and the request timeout. A 401 is asked again
   * once, and only when that can help (see `createApigRequester`). Any other answer is returned;
   * a network failure, timeout, redirect or oversized answer throws `ApigRetryableError`.
   * `what` names the request in logs and errors, e.g. `APIG progress`; `maxAnswerBytes` bounds the
   * answer (default `MAX_ANSWER_BYTES`, for a single object; a list page needs more).
   */
  get(url: string, scope: ApigScope, what: string, maxAnswerBytes?: number): Promise<ApigAnswer>;
}

/**
 * The request layer of the APIG clients, one per container: AK/SK signature, an IAM password
 * login (token cached per project) or a static token; keep-alive agents; a timeout per request.
 * After a 401 it asks once more with a fresh IAM token (APIC.7101/7102/APIG.0301), or, with AK/SK,
 * signed on Huawei's clock when the answer shows ours more than 14 minutes off (the correction is
 * kept for later requests). Redirects are never followed (a transient error naming
 * `APIG_ENDPOINT`); answers are read up to a bound (64 KiB unless the caller says otherwise).
 *
 * @example
 * const requester = createApigRequester(config.apig, { log, now: clock.now });
 * const answer = await requester.get(`${base}/v2/${projectId}/apigw/instances?limit=500`, { projectId, region }, 'APIG instance list');
 */
export function createApigRequester(config: ApigConfig, deps: { log?: Log; now?: () => number } = {}): ApigRequester {
  const log = deps.log ?? SILENT_LOG;
  const now = deps.now ?? Date.now;
  const { credentials } = config;
  /** Added to our clock when signing, once Huawei's answer showed ours to be off. */
  let clockCorrectionMs = 0;
  const agent = keepAliveAgents();
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
          date: new Date(now() + clockCorrectionMs),
        });
      case 'password':
        return { ...headers, 'X-Auth-Token': await (iam as IamTokenProvider).getToken(scope) };
      case 'token':
        return { ...headers, 'X-Auth-Token': credentials.token };
    }
  }

  async function send(url: string, headers: Record<string, string>, scope: ApigScope, what: string, maxAnswerBytes: number): Promise<ApigAnswer> {
    const startedMs = Date.now();
    try {
      const response = await fetch(url, {
        headers,
        agent,
        signal: AbortSignal.timeout(config.requestTimeoutMs),
        ...HUAWEI_FETCH_OPTIONS,
        size: maxAnswerBytes,
      });
      const answer = { status: response.status, date: response.headers.get('date'), text: await response.text() };
      log.debug(`${what} answered`, { ...scope, httpStatus: answer.status, durationMs: Date.now() - startedMs });
      if (isRedirect(answer.status)) {
        throw redirectError(answer.status, response.headers.get('location'), `${what} request`, 'APIG_ENDPOINT');
      }
      return answer;
    } catch (error) {
      if (error instanceof ApigRetryableError) throw error;
      throw isAnswerTooLarge(error)
        ? answerTooLargeError(`${what} request`, maxAnswerBytes)
        : errorFromFetchFailure(error, `${what} request`, config.requestTimeoutMs, 'APIG_ENDPOINT and the region');
    }
  }

  /**
   * After a 401: whether asking once more can succeed. With an IAM token Huawei no longer takes,
   * the token is dropped here (the next `authHeaders` logs in again); with an AK/SK signature made
   * on a clock Huawei shows to be off, the clock is corrected here.
   */
  function prepareRetryAfter401(answer: ApigAnswer, headers: Record<string, string>, scope: ApigScope): boolean {
    const error = parseErrorBody(answer.text);
    switch (credentials.mode) {
      case 'password':
        if (!STALE_TOKEN_CODES.has(error.code ?? '')) return false;
        log.info('APIG refused the cached IAM token; retrying once with a fresh one', { ...scope, code: error.code });
        (iam as IamTokenProvider).invalidate(scope.projectId, headers['X-Auth-Token']);
        return true;
      case 'aksk': {
        const signedAtMs = parseSdkDate(headers['X-Sdk-Date'] ?? '') ?? Number.NaN;
        const serverMs = serverTimeIfSkewed(signedAtMs, answer.date, error.message);
        if (serverMs === undefined) return false;
        // Absolute, not cumulative: concurrent refusals of the same skew all set the same value.
        clockCorrectionMs = serverMs - now();
        log.warn("APIG refused the signature and its clock differs from ours; signing once more on Huawei's time", {
          ...scope,
          clockCorrectionMs,
        });
        return true;
      }
      case 'token':
        return false;
    }
  }

  return {
    async get(url, scope, what, maxAnswerBytes = MAX_ANSWER_BYTES) {
      const headers = await authHeaders(url, scope);
      const answer = await send(url, headers, scope, what, maxAnswerBytes);
      if (answer.status === 401 && prepareRetryAfter401(answer, headers, scope)) {
        return send(url, await authHeaders(url, scope), scope, what, maxAnswerBytes);
      }
      return answer;
    },
  };
}
