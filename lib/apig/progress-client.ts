import http from 'node:http';
import https from 'node:https';
import fetch from 'node-fetch';
import * as z from 'zod/mini';
import { boundEchoedText, ECHOED_TEXT_MAX_CHARS, ECHOED_WORD_MAX_CHARS } from '../echoed-text.js';
import { SILENT_LOG, type Log } from '../logger.js';
import { serverTimeIfSkewed } from './clock-skew.js';
import { resolveEndpoint } from './endpoints.js';
import {
  ApigRetryableError,
  ApigTerminalError,
  errorFromFetchFailure,
  parseErrorBody,
  parseJsonLeniently,
  retryableErrorFromAnswer,
  type ApigError,
} from './errors.js';
import { answerTooLargeError, HUAWEI_FETCH_OPTIONS, isAnswerTooLarge, isRedirect, redirectError } from './http-answer.js';
import { createIamTokenProvider, type IamTokenProvider } from './iam-token.js';
import { parseSdkDate, signRequest } from './signing.js';
import type { ApigConfig, ProgressReport, ProgressSource, ProgressTarget } from './types.js';

/**
 * Huawei's answers to a token it no longer takes: expired (APIC.7101), unresolvable (APIC.7102),
 * or refused by the gateway in front ("Incorrect IAM authentication information: decrypt token
 * fail", APIG.0301, spelled APIGW.0301 on some pages).
 */
const STALE_TOKEN_CODES = new Set(['APIC.7101', 'APIC.7102', 'APIG.0301', 'APIGW.0301']);
/** Unix timestamps below this are seconds, at or above it milliseconds (README, Outcomes). */
const SECONDS_TIMESTAMP_LIMIT = 1e12;
/** `start_time`/`end_time` outside [2000, 2100) are not dates Huawei could mean: read as missing. */
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
const LATEST_PLAUSIBLE_MS = Date.UTC(2100, 0, 1);

/** The 200 answer; unknown fields are ignored, every documented one may be null. */
const ProgressAnswerSchema = z.object({
  progress: z.nullish(z.number()),
  status: z.string(),
  error_code: z.nullish(z.string()),
  error_msg: z.nullish(z.string()),
  start_time: z.nullish(z.number()),
  end_time: z.nullish(z.number()),
});

interface Answer {
  status: number;
  /** The `Date` header: Huawei's clock, which tells a skewed signature from a wrong one. */
  date: string | null;
  text: string;
}

/**
 * The `ProgressSource` over Huawei's `GET /v2/{project_id}/apigw/instances/{instance_id}/progress`,
 * authenticated by AK/SK signature, an IAM password login (token cached per project) or a static
 * token. Each request has its own timeout; connections are kept alive between polls. Transient
 * failures are thrown as `ApigRetryableError` without retrying here (the caller's schedule
 * decides). A 401 is asked again once, and only when that can help: with a fresh IAM token after
 * APIC.7101/7102/APIG.0301, or, with AK/SK, signed on Huawei's clock when the answer shows ours
 * more than 14 minutes off (the correction is kept for later requests). Redirects are never
 * followed (a transient error naming `APIG_ENDPOINT`); answers are read up to 64 KiB; echoed
 * strings are cleaned and cut (`boundEchoedText`).
 *
 * @example
 * const source = createProgressSource({
 *   credentials: { mode: 'aksk', accessKey, secretKey },
 *   apigEndpoint: DEFAULT_APIG_ENDPOINT, iamEndpoint: DEFAULT_IAM_ENDPOINT, requestTimeoutMs: 5000,
 * }, { log });
 * const report = await source.fetchProgress({ projectId, instanceId, region: 'ap-southeast-1' });
 * if (report.status === 'success') notify(report);
 */
export function createProgressSource(
  config: ApigConfig,
  deps: { log?: Log; now?: () => number } = {},
): ProgressSource {
  const log = deps.log ?? SILENT_LOG;
  const now = deps.now ?? Date.now;
  const { credentials } = config;
  /** Added to our clock when signing, once Huawei's answer showed ours to be off. */
  let clockCorrectionMs = 0;
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

  async function authHeaders(url: string, target: ProgressTarget): Promise<Record<string, string>> {
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
        return { ...headers, 'X-Auth-Token': await (iam as IamTokenProvider).getToken(target) };
      case 'token':
        return { ...headers, 'X-Auth-Token': credentials.token };
    }
  }

  async function send(url: string, headers: Record<string, string>, target: ProgressTarget): Promise<Answer> {
    const startedMs = Date.now();
    try {
      const response = await fetch(url, {
        headers,
        agent: (parsed) => (parsed.protocol === 'http:' ? agents.http : agents.https),
        signal: AbortSignal.timeout(config.requestTimeoutMs),
        ...HUAWEI_FETCH_OPTIONS,
      });
      const answer = { status: response.status, date: response.headers.get('date'), text: await response.text() };
      log.debug('APIG progress answered', { ...target, httpStatus: answer.status, durationMs: Date.now() - startedMs });
      if (isRedirect(answer.status)) {
        throw redirectError(answer.status, response.headers.get('location'), 'APIG progress request', 'APIG_ENDPOINT');
      }
      return answer;
    } catch (error) {
      if (error instanceof ApigRetryableError) throw error;
      throw isAnswerTooLarge(error)
        ? answerTooLargeError('APIG progress request')
        : errorFromFetchFailure(error, 'APIG progress request', config.requestTimeoutMs);
    }
  }

  /**
   * After a 401: whether asking once more can succeed. With an IAM token Huawei no longer takes,
   * the token is dropped here (the next `authHeaders` logs in again); with an AK/SK signature made
   * on a clock Huawei shows to be off, the clock is corrected here.
   */
  function prepareRetryAfter401(answer: Answer, headers: Record<string, string>, target: ProgressTarget): boolean {
    const error = parseErrorBody(answer.text);
    switch (credentials.mode) {
      case 'password':
        if (!STALE_TOKEN_CODES.has(error.code ?? '')) return false;
        log.info('APIG refused the cached IAM token; retrying once with a fresh one', { ...target, code: error.code });
        (iam as IamTokenProvider).invalidate(target.projectId, headers['X-Auth-Token']);
        return true;
      case 'aksk': {
        const signedAtMs = parseSdkDate(headers['X-Sdk-Date'] ?? '') ?? Number.NaN;
        const serverMs = serverTimeIfSkewed(signedAtMs, answer.date, error.message);
        if (serverMs === undefined) return false;
        // Absolute, not cumulative: concurrent refusals of the same skew all set the same value.
        clockCorrectionMs = serverMs - now();
        log.warn("APIG refused the signature and its clock differs from ours; signing once more on Huawei's time", {
          ...target,
          clockCorrectionMs,
        });
        return true;
      }
      case 'token':
        return false;
    }
  }

  async function fetchProgress(target: ProgressTarget): Promise<ProgressReport> {
    const url =
      `${resolveEndpoint(config.apigEndpoint, target.region)}/v2/${encodeURIComponent(target.projectId)}` +
      `/apigw/instances/${encodeURIComponent(target.instanceId)}/progress`;
    const headers = await authHeaders(url, target);
    let answer = await send(url, headers, target);
    if (answer.status === 401 && prepareRetryAfter401(answer, headers, target)) {
      answer = await send(url, await authHeaders(url, target), target);
    }
    if (answer.status === 200) return readProgress(answer.text);
    throw errorFromAnswer(answer);
  }

  return { fetchProgress };
}

function readProgress(text: string): ProgressReport {
  const parsed = ProgressAnswerSchema.safeParse(parseJsonLeniently(text));
  if (!parsed.success) {
    throw new ApigRetryableError(
      'unexpected_response',
      `APIG progress answered 200 with an unreadable body (${text.length} bytes): ${z.prettifyError(parsed.error)}`,
      { httpStatus: 200 },
    );
  }
  const answer = parsed.data;
  const bound = (text: string | null | undefined, maxChars: number) => (text == null ? null : boundEchoedText(text, maxChars));
  return {
    status: boundEchoedText(answer.status, ECHOED_WORD_MAX_CHARS).toLowerCase(),
    progress: answer.progress ?? null,
    errorCode: bound(answer.error_code, ECHOED_WORD_MAX_CHARS),
    errorMsg: bound(answer.error_msg, ECHOED_TEXT_MAX_CHARS),
    startTimeMs: toMilliseconds(answer.start_time),
    endTimeMs: toMilliseconds(answer.end_time),
  };
}

/** Seconds or milliseconds to milliseconds; `null` for a time that is not a date in [2000, 2100). */
function toMilliseconds(timestamp: number | null | undefined): number | null {
  if (timestamp === null || timestamp === undefined) return null;
  const ms = timestamp < SECONDS_TIMESTAMP_LIMIT ? timestamp * 1000 : timestamp;
  return ms >= EARLIEST_PLAUSIBLE_MS && ms < LATEST_PLAUSIBLE_MS ? ms : null;
}

function errorFromAnswer(answer: Answer): ApigError {
  const error = parseErrorBody(answer.text);
  const options = { httpStatus: answer.status, code: error.code };
  const detail = `${error.code ?? `HTTP ${answer.status}`}${error.message ? `: ${error.message}` : ''}`;
  switch (answer.status) {
    case 401:
      return new ApigTerminalError('unauthorized', `APIG refused the credentials (${detail})`, options);
    case 403:
      return new ApigTerminalError(
        'forbidden',
        `APIG denied access (${detail}); the IAM user needs the permission apig:instance:getCreateProgress`,
        options,
      );
    case 404:
      // APIG.0101 means the path itself is unknown: a wrong APIG_ENDPOINT, not a missing gateway.
      if (error.code === 'APIG.0101') {
        return new ApigRetryableError('unexpected_response', `APIG does not serve the progress API here; check APIG_ENDPOINT (${detail})`, options);
      }
      return new ApigTerminalError('not_found', `APIG does not know this gateway (${detail})`, options);
    default:
      return retryableErrorFromAnswer(answer.status, error, 'APIG progress request');
  }
}
