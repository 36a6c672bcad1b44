import { ApigError, isEuropeanSiteRegion, REGION_PATTERN } from '../watch/index.js';

/** Default `APIG_ENDPOINT` template (docs/configuration.md, "Configuration"); `{region}` is substituted. */
export const DEFAULT_APIG_ENDPOINT = 'https://apig.{region}.myhuaweicloud.com';
/** Default `IAM_ENDPOINT` template (docs/configuration.md, "Configuration"); `{region}` is substituted. */
export const DEFAULT_IAM_ENDPOINT = 'https://iam.{region}.myhuaweicloud.com';

/**
 * Substitutes `{region}` into an endpoint template and drops a trailing `/`. For a template on
 * `*.myhuaweicloud.com` with a `{region}` placeholder, regions starting with `eu-west-1` move to
 * `myhuaweicloud.eu`. The region is checked again here because it becomes part of the host that
 * receives the credentials.
 *
 * @example
 * resolveEndpoint(DEFAULT_APIG_ENDPOINT, 'ap-southeast-1') // 'https://apig.ap-southeast-1.myhuaweicloud.com'
 * resolveEndpoint(DEFAULT_IAM_ENDPOINT, 'eu-west-101')     // 'https://iam.eu-west-101.myhuaweicloud.eu'
 */
export function resolveEndpoint(template: string, region: string): string {
  if (!REGION_PATTERN.test(region)) throw new ApigError(`invalid region ${JSON.stringify(region)}`);
  const endpoint = template.replaceAll('{region}', region).replace(/\/+$/, '');
  if (template.includes('{region}') && isEuropeanSiteRegion(region)) {
    return endpoint.replace(/\.myhuaweicloud\.com$/, '.myhuaweicloud.eu');
  }
  return endpoint;
}
