/**
 * Reading a gateway's creation progress (lib/apig implements it over Huawei's progress API), and
 * the errors a source throws: callers branch on the class — `ApigRetryableError` (back off and poll
 * again) or `ApigTerminalError` (notify the outcome) — never on the message.
 */

/** Which gateway's creation progress to read. IDs are already validated (lib/watch/request.ts). */
export interface ProgressTarget {
  projectId: string;
  instanceId: string;
  region: string;
}

/** One answer of `GET /v2/{project_id}/apigw/instances/{instance_id}/progress`, normalised. */
export interface ProgressReport {
  /** Lower-cased status: `creating`, `success`, `failed`, or whatever else Huawei sends. */
  status: string;
  progress: number | null;
  errorCode: string | null;
  errorMsg: string | null;
  /** Unix time in milliseconds (Huawei's seconds are converted: a value below 10^12 is seconds). */
  startTimeMs: number | null;
  endTimeMs: number | null;
}

/** The port the use case reads progress through. Throws `ApigError` subclasses only. */
export interface ProgressSource {
  fetchProgress(target: ProgressTarget): Promise<ProgressReport>;
}

/** What the watcher needs of a gateway's detail; every echoed string cleaned and cut to 64 characters. */
export interface InstanceDetail {
  /** Huawei's instance status as sent, e.g. `Running`, `CreateSuccess`, `Resizing` (lib/apig/instance-statuses.ts). */
  status: string;
  /** Huawei's numeric `instance_status`, e.g. 6 for `Running`. */
  instanceStatus: number | null;
  /** `instance_name`. */
  name: string | null;
  /** `spec`, e.g. `PROFESSIONAL`. */
  spec: string | null;
  /** The EIP bound to the gateway (`eip_address`, else the first of `publicips`): its public ingress. */
  publicIngressAddress: string | null;
  /** The VPC ingress address (`ingress_ip`, else the first of `privateips`). */
  privateIngressAddress: string | null;
  /** `enterprise_project_id`; `0` is the default enterprise project. */
  enterpriseProjectId: string | null;
}

/**
 * What the instance detail says: the gateway as it is, or `gone` — Huawei's own "instance not
 * found" (APIC.7302, APIG.3030), which ends a deletion well and is no error.
 */
export type InstanceDetailAnswer = { kind: 'detail'; detail: InstanceDetail } | { kind: 'gone' };

/**
 * The port the watcher reads a gateway's instance detail through (lib/apig/instance-detail-client.ts).
 * Throws the errors below: `ApigTerminalError` `forbidden` when the
 * credentials lack `apig:instance:get` (the caller falls back), `unauthorized` for refused
 * credentials; `ApigRetryableError` for everything transient, a 404 that is not Huawei's included.
 */
export interface InstanceDetailSource {
  fetchInstanceDetail(target: ProgressTarget): Promise<InstanceDetailAnswer>;
}

export interface ApigErrorOptions {
  httpStatus?: number;
  /** Huawei's `error_code`, e.g. `APIC.9000`. */
  code?: string;
  cause?: unknown;
}

/** Base class of every error the APIG client throws. */
export class ApigError extends Error {
  override name = 'ApigError';
  readonly httpStatus?: number;
  readonly code?: string;

  constructor(message: string, options: ApigErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.httpStatus = options.httpStatus;
    this.code = options.code;
  }
}

/**
 * `unreachable`: the connection was refused or the host name does not resolve — nothing answered
 * at that address, which a wrong endpoint or region explains far more often than an outage.
 * `wrong_endpoint`: something answered, but not APIG's API (a 404 without Huawei's "instance not
 * found" code): a wrong endpoint as well.
 */
export type RetryableReason = 'throttled' | 'server_error' | 'timeout' | 'network' | 'unreachable' | 'wrong_endpoint' | 'login_refused' | 'unexpected_response';

/** A transient failure: the caller's retry policy decides when to try again (lib/watch/schedule.ts). */
export class ApigRetryableError extends ApigError {
  override name = 'ApigRetryableError';
  readonly reason: RetryableReason;

  constructor(reason: RetryableReason, message: string, options: ApigErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }
}

export type TerminalOutcome = 'not_found' | 'unauthorized' | 'forbidden';

/** A failure that will not go away by asking again; it ends the watch with `outcome`. */
export class ApigTerminalError extends ApigError {
  override name = 'ApigTerminalError';
  readonly outcome: TerminalOutcome;

  constructor(outcome: TerminalOutcome, message: string, options: ApigErrorOptions = {}) {
    super(message, options);
    this.outcome = outcome;
  }
}

/**
 * IAM refused the password login (400/401/403). Not an outcome by itself: one refusal may be IAM's
 * hiccup, and a refusal answered from memory says nothing new. It ends a watch as `unauthorized`
 * only once confirmed, by a second refusal minutes after the first (lib/watch/decide-poll.ts).
 */
export class IamLoginRefusedError extends ApigRetryableError {
  override name = 'IamLoginRefusedError';
  /** When a second refusal, minutes after the first, confirmed it; `null` while only one was seen. */
  readonly confirmedAtMs: number | null;
  /** Whether IAM answered this very call (`false`: the refusal was answered from memory). */
  readonly fresh: boolean;

  constructor(message: string, options: ApigErrorOptions & { confirmedAtMs: number | null; fresh: boolean }) {
    super('login_refused', message, options);
    this.confirmedAtMs = options.confirmedAtMs;
    this.fresh = options.fresh;
  }
}
