import * as z from 'zod/mini';
import { boundEchoedText, ECHOED_WORD_MAX_CHARS } from '../echoed-text.js';
import { parseJsonLeniently } from '../lenient-json.js';
import {
  type ApigError,
  ApigRetryableError,
  type InstanceDetail,
  type InstanceDetailAnswer,
  type InstanceDetailSource,
  type Log,
  type ProgressTarget,
} from '../watch/index.js';
import { type ApigAnswer, type ApigRequester, createApigRequester } from './apig-request.js';
import { resolveEndpoint } from './endpoints.js';
import { errorFromApigAnswer, isInstanceNotFound, parseErrorBody, wrongEndpointError } from './errors.js';
import type { ApigConfig } from './types.js';

/** The IAM action ShowDetailsOfInstanceV2 needs (its alias: `apig:instances:get`). */
export const INSTANCE_DETAIL_PERMISSION = 'apig:instance:get';

/** An address Huawei may send as an empty string, null, or (in a newer answer) omit. */
const OptionalText = z.catch(z.nullish(z.string()), null);
const IpList = z.catch(z.nullish(z.array(z.object({ ip_address: OptionalText }))), null);

/** The 200 answer of ShowDetailsOfInstanceV2; unknown fields are ignored, only `status` is required. */
const InstanceDetailSchema = z.object({
  status: z.string(),
  instance_status: z.catch(z.nullish(z.number()), null),
  instance_name: OptionalText,
  spec: OptionalText,
  eip_address: OptionalText,
  publicips: IpList,
  ingress_ip: OptionalText,
  privateips: IpList,
  enterprise_project_id: OptionalText,
});

/**
 * The `InstanceDetailSource` over Huawei's ShowDetailsOfInstanceV2
 * (`GET /v2/{project_id}/apigw/instances/{instance_id}`), through the request layer the progress
 * client and the instance list share (`createApigRequester`: credentials, timeouts, one retry
 * after a 401 only when that can help, no redirects, answers up to 64 KiB). Transient failures are
 * thrown as `ApigRetryableError` without retrying here; echoed strings are cleaned and cut
 * (`boundEchoedText`).
 *
 * @example
 * const source = createInstanceDetailSource(config.apig, { log });
 * const answer = await source.fetchInstanceDetail({ projectId, instanceId, region: 'ap-southeast-1' });
 * if (answer.kind === 'gone') log.info('gateway deleted');
 * else log.info('gateway status', { status: answer.detail.status, address: answer.detail.publicIngressAddress });
 */
export function createInstanceDetailSource(config: ApigConfig, deps: { log?: Log; now?: () => number; requester?: ApigRequester } = {}): InstanceDetailSource {
  const requester = deps.requester ?? createApigRequester(config, deps);

  async function fetchInstanceDetail(target: ProgressTarget): Promise<InstanceDetailAnswer> {
    const url =
      `${resolveEndpoint(config.apigEndpoint, target.region)}/v2/${encodeURIComponent(target.projectId)}` +
      `/apigw/instances/${encodeURIComponent(target.instanceId)}`;
    const answer = await requester.get(url, target, 'APIG instance detail');
    if (answer.status === 200) return { kind: 'detail', detail: readDetail(answer.text) };
    if (isInstanceNotFound(answer.status, parseErrorBody(answer.text).code)) return { kind: 'gone' };
    throw errorFromAnswer(answer);
  }

  return { fetchInstanceDetail };
}

function readDetail(text: string): InstanceDetail {
  const parsed = InstanceDetailSchema.safeParse(parseJsonLeniently(text));
  if (!parsed.success) {
    throw new ApigRetryableError(
      'unexpected_response',
      `APIG instance detail answered 200 with an unreadable body (${text.length} bytes): ${z.prettifyError(parsed.error)}`,
      { httpStatus: 200 },
    );
  }
  const answer = parsed.data;
  return {
    status: boundEchoedText(answer.status, ECHOED_WORD_MAX_CHARS),
    instanceStatus: answer.instance_status ?? null,
    name: bounded(answer.instance_name),
    spec: bounded(answer.spec),
    publicIngressAddress: bounded(answer.eip_address) ?? bounded(answer.publicips?.[0]?.ip_address),
    privateIngressAddress: bounded(answer.ingress_ip) ?? bounded(answer.privateips?.[0]?.ip_address),
    enterpriseProjectId: bounded(answer.enterprise_project_id),
  };
}

/** Cleaned and cut; `null` for a missing or empty string (Huawei sends `""` for an address not bound). */
function bounded(text: string | null | undefined): string | null {
  const cut = text == null ? '' : boundEchoedText(text, ECHOED_WORD_MAX_CHARS);
  return cut === '' ? null : cut;
}

function errorFromAnswer(answer: ApigAnswer): ApigError {
  return errorFromApigAnswer(answer, 'APIG instance detail request', INSTANCE_DETAIL_PERMISSION, ({ options, detail }) =>
    answer.status === 404 ? wrongEndpointError('APIG instance detail request', detail, options) : undefined,
  );
}
