import * as z from 'zod/mini';
import { boundEchoedText, ECHOED_TEXT_MAX_CHARS, ECHOED_WORD_MAX_CHARS } from '../echoed-text.js';
import {
  type Log,
  type ProgressReport,
  type ProgressSource,
  type ProgressTarget,
  ApigRetryableError,
  ApigTerminalError,
  type ApigError,
} from '../watch/index.js';
import { type ApigAnswer, type ApigRequester, createApigRequester } from './apig-request.js';
import { resolveEndpoint } from './endpoints.js';
import { errorFromApigAnswer, isInstanceNotFound, wrongEndpointError } from './errors.js';
import { parseJsonLeniently } from '../lenient-json.js';
import type { ApigConfig } from './types.js';

/** Unix timestamps below this are seconds, at or above it milliseconds (docs/contracts.md, Outcomes). */
const SECONDS_TIMESTAMP_LIMIT = 1e12;
/** `start_time`/`end_time` outside [2000, 2100) are not dates Huawei could mean: read as missing. */
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
const LATEST_PLAUSIBLE_MS = Date.UTC(2100, 0, 1);

/** The 200 answer; unknown fields are ignored, every documented one may be null; `progress` is read clamped to 0–100. */
const ProgressAnswerSchema = z.object({
  progress: z.nullish(z.number()),
  status: z.string(),
  error_code: z.nullish(z.string()),
  error_msg: z.nullish(z.string()),
  start_time: z.nullish(z.number()),
  end_time: z.nullish(z.number()),
});

/**
 * The `ProgressSource` over Huawei's `GET /v2/{project_id}/apigw/instances/{instance_id}/progress`,
 * authenticated by AK/SK signature, an IAM password login (token cached per project) or a static
 * token, through the request layer it shares with the instance list (`createApigRequester`: one
 * retry after a 401 only when that can help, no redirects, answers up to 64 KiB). Transient
 * failures are thrown as `ApigRetryableError` without retrying here (the caller's schedule
 * decides); echoed strings are cleaned and cut (`boundEchoedText`).
 *
 * @example
 * const source = createProgressSource({
 *   credentials: { mode: 'aksk', accessKey, secretKey },
 *   apigEndpoint: DEFAULT_APIG_ENDPOINT, iamEndpoint: DEFAULT_IAM_ENDPOINT, requestTimeoutMs: 5000,
 * }, { log });
 * const report = await source.fetchProgress({ projectId, instanceId, region: 'ap-southeast-1' });
 * if (report.status === 'success') log.info('gateway created', { endTimeMs: report.endTimeMs });
 */
export function createProgressSource(config: ApigConfig, deps: { log?: Log; now?: () => number; requester?: ApigRequester } = {}): ProgressSource {
  // Shared with the instance detail client when given: one IAM token, one memory of a refused login.
  const requester = deps.requester ?? createApigRequester(config, deps);

  async function fetchProgress(target: ProgressTarget): Promise<ProgressReport> {
    const url =
      `${resolveEndpoint(config.apigEndpoint, target.region)}/v2/${encodeURIComponent(target.projectId)}` +
      `/apigw/instances/${encodeURIComponent(target.instanceId)}/progress`;
    const answer = await requester.get(url, target, 'APIG progress');
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
    progress: answer.progress == null ? null : Math.min(100, Math.max(0, answer.progress)),
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

function errorFromAnswer(answer: ApigAnswer): ApigError {
  return errorFromApigAnswer(answer, 'APIG progress request', 'apig:instance:getCreateProgress', ({ error, options, detail }) => {
    if (answer.status !== 404) return undefined;
    if (isInstanceNotFound(answer.status, error.code)) {
      return new ApigTerminalError('not_found', `APIG does not know this gateway (${detail})`, options);
    }
    return wrongEndpointError('APIG progress request', detail, options);
  });
}
