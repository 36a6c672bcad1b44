import * as z from 'zod/mini';
import { cleanEchoedText } from '../echoed-text.js';

/** Huawei project and instance ids: 32 lowercase hex characters, so nothing can bend the request path. */
const HUAWEI_ID_PATTERN = /^[0-9a-f]{32}$/;
/** A Huawei Cloud region, e.g. `ap-southeast-1`: nothing that could leave the host name it becomes part of. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z0-9]+)+$/;
/** Huawei Cloud's European sovereign regions (`eu-west-101`…), served from its European site (`myhuaweicloud.eu`, `console.eu.huaweicloud.com`). */
const EUROPEAN_SITE_REGION_PREFIX = 'eu-west-1';
const MAX_REGION_LENGTH = 32;
const MAX_INSTANCE_NAME_LENGTH = 64;
const MAX_CONTEXT_ENTRIES = 10;
const MAX_CONTEXT_KEY_LENGTH = 64;
const MAX_CONTEXT_VALUE_LENGTH = 256;
/** `notify` group names: what a `NOTIFY_URLS` entry's `group=` may say (lib/notify/targets.ts). */
export const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const MAX_NOTIFY_GROUPS = 10;
/**
 * The long operations of a gateway a watch follows (docs/contracts.md, "Watch request — contract"):
 * `creation` through the progress API and then the instance detail until `Running`, the others
 * through the instance detail alone. `health` watches an `Unhealthy` or `Frozen` gateway until it
 * is `Running` again (the discovery sweep nominates it).
 */
export const OPERATIONS = ['creation', 'resize', 'update', 'deletion', 'restart', 'health'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** The one `origin` a producer may state: the request comes from a discovery sweep. */
export const DISCOVERY_ORIGIN = 'discovery';
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const huaweiId = z.string('must be a string').check(z.regex(HUAWEI_ID_PATTERN, 'must be 32 lowercase hexadecimal characters (a Huawei Cloud id)'));
const printable = (max: number) =>
  z.string('must be a string').check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters'),
  );

/** The watch request a producer sends (docs/contracts.md, "Watch request — contract", a public contract). Unknown fields are ignored. */
export const watchRequestSchema = z.object({
  project_id: huaweiId,
  instance_id: huaweiId,
  region: z
    .string('must be a string')
    .check(
      z.maxLength(MAX_REGION_LENGTH, `must be at most ${MAX_REGION_LENGTH} characters`),
      z.regex(REGION_PATTERN, 'must look like a Huawei Cloud region, e.g. ap-southeast-1'),
    ),
  instance_name: z.optional(z.nullable(printable(MAX_INSTANCE_NAME_LENGTH))),
  context: z.optional(
    z.nullable(
      z
        .record(printable(MAX_CONTEXT_KEY_LENGTH), printable(MAX_CONTEXT_VALUE_LENGTH))
        .check(z.refine((entries) => Object.keys(entries).length <= MAX_CONTEXT_ENTRIES, `must have at most ${MAX_CONTEXT_ENTRIES} entries`)),
    ),
  ),
  notify: z.optional(
    z.nullable(
      z
        .array(z.string('must be a string').check(z.regex(GROUP_NAME_PATTERN, 'must be a group name: 1–32 lowercase letters, digits, "-" or "_"')))
        .check(z.maxLength(MAX_NOTIFY_GROUPS, `must name at most ${MAX_NOTIFY_GROUPS} groups`)),
    ),
  ),
  /** `discovery`: sent by the discovery sweep; such a request never restarts a watch that ended. */
  origin: z.optional(z.enum([DISCOVERY_ORIGIN], `must be "${DISCOVERY_ORIGIN}" when set`)),
  operation: z.optional(z.enum(OPERATIONS, `must be one of ${OPERATIONS.join(', ')} when set`)),
});

/**
 * A watch request as the watcher keeps it (in its state, from step to step): validated and
 * normalised — absent optional fields are `null` / `{}`, the echoed `instance_name` and `context`
 * cleaned (`cleanEchoedText`: no bidi override, zero-width or C1 control character; C0 controls
 * are refused), a name that was only such characters reads as no name.
 */
export const normalisedRequestSchema = z.pipe(
  watchRequestSchema,
  z.transform(({ project_id, instance_id, region, instance_name, context, notify, origin, operation }) => {
    const name = instance_name ? cleanEchoedText(instance_name) : '';
    const labels = Object.entries(context ?? {}).map(([key, value]) => [cleanEchoedText(key), cleanEchoedText(value)] as const);
    return {
      project_id,
      instance_id,
      region,
      instance_name: name === '' ? null : name,
      context: Object.fromEntries(labels.filter(([key]) => key !== '')),
      operation: operation ?? 'creation',
      // `notify`: groups of targets besides the ungrouped ones (`group=` in NOTIFY_URLS), absent when none.
      ...(notify && notify.length > 0 ? { notify: [...new Set(notify)] } : {}),
      // `origin`: set by the discovery sweep, whose requests start a watch only for a gateway with none on record.
      ...(origin ? { origin } : {}),
    };
  }),
);

/** A validated, normalised watch request. */
export type WatchRequest = z.infer<typeof normalisedRequestSchema>;

/** One problem of one field, e.g. `{ field: 'instance_id', message: 'must be 32 lowercase …' }`. */
export interface FieldProblem {
  /** Dotted path of the field (`context.ticket`), or `(message)` for the whole message. */
  field: string;
  message: string;
}

/** Raised for a message that can never be processed; the reason is safe to log. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  constructor(
    message: string,
    readonly problems: string[] = [],
    /** The same problems by field, for callers that answer them (the HTTP start endpoint, the CLI). */
    readonly fields: FieldProblem[] = [],
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message);
  }
}

/**
 * The problems of a failed zod parse by field (at most 10).
 *
 * @example
 * fieldProblemsOf(parsed.error.issues) // [{ field: 'instance_id', message: 'must be 32 lowercase …' }]
 */
function fieldProblemsOf(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.slice(0, 10).map((issue) => ({
    field: issue.path.map(String).join('.') || '(message)',
    message:
      issue.code === 'invalid_type' && issue.message === 'Invalid input'
        ? `expected ${(issue as { expected?: string }).expected ?? 'another type'}`
        : issue.message,
  }));
}

/** Human-readable problems of a failed zod parse, e.g. `instance_id: must be 32 lowercase …`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return fieldProblemsOf(issues).map(({ field, message }) => `${field}: ${message}`);
}

/**
 * Validates a watch request (`normalisedRequestSchema`), unwrapping the EventBridge envelope
 * (`{"detail-type", "source", "detail"}`) that an event rule delivers to an SQS target.
 *
 * @example
 * const request = parseWatchRequest(JSON.parse(record.body));
 * // { project_id: '0123…', instance_id: 'fedc…', region: 'ap-southeast-1', instance_name: null, context: {} }
 */
export function parseWatchRequest(input: unknown): WatchRequest {
  const candidate = isEventBridgeEnvelope(input) ? input.detail : input;
  const parsed = normalisedRequestSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const fields = fieldProblemsOf(parsed.error.issues);
  throw new InvalidMessageError(
    'invalid watch request',
    fields.map(({ field, message }) => `${field}: ${message}`),
    fields,
  );
}

/** True for an EventBridge event as it arrives on an SQS target. */
function isEventBridgeEnvelope(input: unknown): input is { detail: unknown } {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'detail' in input && 'detail-type' in input && 'source' in input;
}

/**
 * Whether a region is served from Huawei Cloud's European site, whose API and console hosts differ.
 *
 * @example
 * isEuropeanSiteRegion('eu-west-101') // true
 * isEuropeanSiteRegion('ap-southeast-1') // false
 */
export function isEuropeanSiteRegion(region: string): boolean {
  return region.startsWith(EUROPEAN_SITE_REGION_PREFIX);
}
