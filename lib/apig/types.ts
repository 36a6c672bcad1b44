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
