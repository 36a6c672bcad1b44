import http from 'node:http';
import https from 'node:https';
import fetch from 'node-fetch';
import * as z from 'zod/mini';
import { SILENT_LOG, type Log } from '../logger.js';
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
import { createIamTokenProvider, type IamTokenProvider } from './iam-token.js';
import { signRequest } from './signing.js';
import type { ApigConfig, ProgressReport, ProgressSource, ProgressTarget } from './types.js';

/** Huawei's answers to an expired (APIC.7101) or unresolvable (APIC.7102) token. */
const STALE_TOKEN_CODES = new Set(['APIC.7101', 'APIC.7102']);
/** Unix timestamps below this are seconds, at or above it milliseconds (DESIGN §4). */
const SECONDS_TIMESTAMP_LIMIT = 1e12;

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
  text: string;
}

/**
 * The `ProgressSource` over Huawei's `GET /v2/{project_id}/apigw/instances/{instance_id}/progress`,
 * authenticated by AK/SK signature, an IAM password login (token cached per project) or a static
 * token. Each request has its own timeout; connections are kept alive between polls. Transient
 * failures are thrown as `ApigRetryableError` without retrying here (the caller's schedule
 * decides); the only retry is one fresh IAM token after a 401 APIC.7101/7102.
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
          date: new Date(now()),
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
      });
      const answer = { status: response.status, text: await response.text() };
      log.debug('APIG progress answered', { ...target, httpStatus: answer.status, durationMs: Date.now() - startedMs });
      return answer;
    } catch (error) {
      throw errorFromFetchFailure(error, 'APIG progress request', config.requestTimeoutMs, 'APIG_ENDPOINT and the region');
    }
  }

  async function fetchProgress(target: ProgressTarget): Promise<ProgressReport> {
    const url =
      `${resolveEndpoint(config.apigEndpoint, target.region)}/v2/${encodeURIComponent(target.projectId)}` +
      `/apigw/instances/${encodeURIComponent(target.instanceId)}/progress`;
    let headers = await authHeaders(url, target);
    let answer = await send(url, headers, target);
    if (iam && answer.status === 401 && STALE_TOKEN_CODES.has(parseErrorBody(answer.text).code ?? '')) {
      log.info('APIG refused the cached IAM token; retrying once with a fresh one', { ...target });
      iam.invalidate(target.projectId, headers['X-Auth-Token']);
      headers = await authHeaders(url, target);
      answer = await send(url, headers, target);
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
  return {
    status: answer.status.toLowerCase(),
    progress: answer.progress ?? null,
    errorCode: answer.error_code ?? null,
    errorMsg: answer.error_msg ?? null,
    startTimeMs: toMilliseconds(answer.start_time),
    endTimeMs: toMilliseconds(answer.end_time),
  };
}

function toMilliseconds(timestamp: number | null | undefined): number | null {
  if (timestamp === null || timestamp === undefined) return null;
  return timestamp < SECONDS_TIMESTAMP_LIMIT ? timestamp * 1000 : timestamp;
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
