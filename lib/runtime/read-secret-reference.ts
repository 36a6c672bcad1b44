import type { SecretSource } from '../config/index.js';

/** How long a secret read from SSM or Secrets Manager is reused before it is read again (rotation). */
const SECRET_CACHE_SECONDS = 300;

/**
 * Reads a secret reference at run time through Powertools Parameters (cached for
 * `SECRET_CACHE_SECONDS`). The AWS clients are loaded only when a reference is configured, so a
 * deployment without references pays nothing for them at cold start.
 *
 * @example
 * const urls = await readSecretReference({ from: 'ssm', name: '/apig-watch/prod/notify-urls' });
 */
export async function readSecretReference(source: Exclude<SecretSource, { from: 'value' }>): Promise<string> {
  if (source.from === 'ssm') {
    const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
    const value = await getParameter(source.name, { decrypt: true, maxAge: SECRET_CACHE_SECONDS });
    if (typeof value !== 'string') throw new Error('parameter not found');
    return value;
  }
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const value = await getSecret(source.name, { maxAge: SECRET_CACHE_SECONDS });
  if (typeof value !== 'string') throw new Error('secret not found or not a string');
  return value;
}
