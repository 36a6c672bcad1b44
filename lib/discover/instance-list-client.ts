import * as z from 'zod/mini';
import { createApigRequester, type ApigAnswer } from '../apig/index.js';
import { resolveEndpoint } from '../apig/index.js';
import { errorFromApigAnswer } from '../apig/index.js';
import { parseJsonLeniently } from '../lenient-json.js';
import { ApigRetryableError, type ApigError, SILENT_LOG, type Log } from '../watch/index.js';
import type { ApigConfig } from '../apig/index.js';
import { boundEchoedText, ECHOED_WORD_MAX_CHARS } from '../echoed-text.js';
import type { DiscoverProject } from './projects.js';

/** ListInstancesV2 takes `limit` 1–500: the largest page means the fewest requests. */
const LIST_PAGE_LIMIT = 500;
/**
 * A page of 500 instances is read up to this many bytes: about 8 KiB per instance, several times
 * what an instance's fields take (a larger answer is a transient error, like any unreadable one).
 */
const LIST_PAGE_MAX_BYTES = 4 * 1024 * 1024;
/** A bound on pages per project (100 000 gateways), so an answer that never ends cannot loop forever. */
const MAX_PAGES = 200;

/** One page of `GET /v2/{project_id}/apigw/instances`; unknown fields are ignored. */
const InstanceListSchema = z.object({
  size: z.nullish(z.number()),
  total: z.nullish(z.number()),
  instances: z.nullish(
    z.array(
      z.object({
        id: z.string(),
        instance_name: z.nullish(z.string()),
        status: z.nullish(z.string()),
      }),
    ),
  ),
});

/** A gateway as the instance list shows it. */
export interface ListedInstance {
  id: string;
  name: string | null;
  status: string | null;
}

/** The port a discovery sweep lists gateways through. Throws `ApigError` subclasses only. */
export interface GatewayLister {
  /** Every gateway of the project, whatever its status, all pages read (each listed once). */
  listGateways(project: DiscoverProject): Promise<ListedInstance[]>;
}

/**
 * The `GatewayLister` over Huawei's ListInstancesV2 (`GET /v2/{project_id}/apigw/instances?limit=500&offset=…`),
 * with the same credentials, endpoints and request layer as the progress client. Reads every page
 * (up to 200), every status; the caller keeps what it wants (`operationShownBy`). Without the
 * permission `apig:instance:list` Huawei answers an empty list, not an error, so "none" may also
 * mean "not allowed to see".
 *
 * @example
 * const lister = createInstanceLister(config.apig, { log });
 * const gateways = await lister.listGateways({ region: 'ap-southeast-1', projectId: '0123…' });
 * const resizing = gateways.filter((gateway) => gateway.status === 'Resizing');
 */
export function createInstanceLister(config: ApigConfig, deps: { log?: Log; now?: () => number } = {}): GatewayLister {
  const log = deps.log ?? SILENT_LOG;
  const requester = createApigRequester(config, deps);

  return {
    async listGateways(project) {
      const base = `${resolveEndpoint(config.apigEndpoint, project.region)}/v2/${encodeURIComponent(project.projectId)}/apigw/instances`;
      const found = new Map<string, ListedInstance>();
      for (let page = 0, offset = 0; page < MAX_PAGES; page += 1) {
        const url = `${base}?limit=${LIST_PAGE_LIMIT}&offset=${offset}`;
        const answer = await requester.get(url, project, 'APIG instance list', LIST_PAGE_MAX_BYTES);
        if (answer.status !== 200) throw errorFromAnswer(answer);
        const { instances, total } = readPage(answer.text);
        for (const instance of instances) found.set(instance.id, instance);
        offset += instances.length;
        if (instances.length < LIST_PAGE_LIMIT || (total !== null && offset >= total)) return [...found.values()];
      }
      log.warn('APIG instance list did not end; using what was read', { ...project, pages: MAX_PAGES });
      return [...found.values()];
    },
  };
}

function readPage(text: string): { instances: ListedInstance[]; total: number | null } {
  const parsed = InstanceListSchema.safeParse(parseJsonLeniently(text));
  if (!parsed.success) {
    throw new ApigRetryableError(
      'unexpected_response',
      `APIG instance list answered 200 with an unreadable body (${text.length} bytes): ${z.prettifyError(parsed.error)}`,
      { httpStatus: 200 },
    );
  }
  // Names and statuses are echoed (logs, the CLI, notifications): cleaned and cut like any answer from Huawei.
  const bound = (text: string | null | undefined) => (text == null ? null : boundEchoedText(text, ECHOED_WORD_MAX_CHARS));
  const instances = (parsed.data.instances ?? []).map((item) => ({ id: item.id, name: bound(item.instance_name), status: bound(item.status) }));
  return { instances, total: parsed.data.total ?? null };
}

function errorFromAnswer(answer: ApigAnswer): ApigError {
  return errorFromApigAnswer(answer, 'APIG instance list', 'apig:instance:list');
}
