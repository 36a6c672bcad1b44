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

export type ApigCredentials =
  | { mode: 'aksk'; accessKey: string; secretKey: string; securityToken?: string }
  | { mode: 'password'; user: string; password: string; domain: string }
  | { mode: 'token'; token: string };

export interface ApigConfig {
  credentials: ApigCredentials;
  /** Endpoint template, `{region}` substituted, e.g. `https://apig.{region}.myhuaweicloud.com`. */
  apigEndpoint: string;
  iamEndpoint: string;
  requestTimeoutMs: number;
}
