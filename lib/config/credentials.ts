/** The credential choice: which Huawei Cloud login the resolved secrets make. */
import type { ApigConfig, ApigCredentials } from '../apig/types.js';
import { ConfigError } from '../config-error.js';
import type { Settings } from './environment.js';
import type { SecretVariable } from './secrets.js';

/** How long one call to Huawei (APIG or IAM) may take. */
export const APIG_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The APIG clients' config from resolved secret values and the endpoint settings.
 *
 * @example
 * const apig = apigConfigFrom(await resolveSecretValues(settings.secrets, readSecretReference), settings);
 */
export function apigConfigFrom(values: Partial<Record<SecretVariable, string>>, settings: Pick<Settings, 'apigEndpoint' | 'iamEndpoint'>): ApigConfig {
  return {
    credentials: credentialsFrom(values),
    apigEndpoint: settings.apigEndpoint,
    iamEndpoint: settings.iamEndpoint,
    requestTimeoutMs: APIG_REQUEST_TIMEOUT_MS,
  };
}

/** Picks the credential mode: AK/SK first, then an IAM password, then a ready token. */
export function credentialsFrom(values: Partial<Record<SecretVariable, string>>): ApigCredentials {
  const { HUAWEICLOUD_SDK_AK: ak, HUAWEICLOUD_SDK_SK: sk } = values;
  if (ak || sk) {
    if (!ak || !sk) throw new ConfigError('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK: set both, or neither');
    return { mode: 'aksk', accessKey: ak, secretKey: sk, securityToken: values.HUAWEICLOUD_SDK_SECURITY_TOKEN };
  }
  const { HUAWEICLOUD_IAM_USER: user, HUAWEICLOUD_IAM_PASSWORD: password, HUAWEICLOUD_IAM_DOMAIN: domain } = values;
  if (user || password) {
    if (!user || !password) throw new ConfigError('HUAWEICLOUD_IAM_USER and HUAWEICLOUD_IAM_PASSWORD: set both, or neither');
    return { mode: 'password', user, password, domain: domain ?? user };
  }
  if (values.HUAWEICLOUD_AUTH_TOKEN) return { mode: 'token', token: values.HUAWEICLOUD_AUTH_TOKEN };
  throw new ConfigError(
    'no Huawei Cloud credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEICLOUD_IAM_USER and HUAWEICLOUD_IAM_PASSWORD, or HUAWEICLOUD_AUTH_TOKEN',
  );
}
