import { DEFAULT_APIG_ENDPOINT, DEFAULT_IAM_ENDPOINT, resolveEndpoint } from '../../lib/apig/endpoints.js';
import { ApigError } from '../../lib/watch/ports/progress-source.js';

describe('resolveEndpoint', () => {
  it('substitutes the region into the default APIG and IAM templates', () => {
    // Act
    const apig = resolveEndpoint(DEFAULT_APIG_ENDPOINT, 'ap-southeast-1');
    const iam = resolveEndpoint(DEFAULT_IAM_ENDPOINT, 'cn-north-4');

    // Assess
    expect(apig).toBe('https://apig.ap-southeast-1.myhuaweicloud.com');
    expect(iam).toBe('https://iam.cn-north-4.myhuaweicloud.com');
  });

  it.each(['eu-west-101', 'eu-west-102'])('moves the European region %s to myhuaweicloud.eu', (region) => {
    // Act
    const apig = resolveEndpoint(DEFAULT_APIG_ENDPOINT, region);
    const iam = resolveEndpoint(DEFAULT_IAM_ENDPOINT, region);

    // Assess
    expect(apig).toBe(`https://apig.${region}.myhuaweicloud.eu`);
    expect(iam).toBe(`https://iam.${region}.myhuaweicloud.eu`);
  });

  it('keeps eu-west-0 (Paris) on myhuaweicloud.com', () => {
    // Act
    const apig = resolveEndpoint(DEFAULT_APIG_ENDPOINT, 'eu-west-0');

    // Assess
    expect(apig).toBe('https://apig.eu-west-0.myhuaweicloud.com');
  });

  it('uses an overriding template as given and drops its trailing slash', () => {
    // Act
    const local = resolveEndpoint('http://127.0.0.1:9000/', 'eu-west-101');
    const proxied = resolveEndpoint('https://proxy.example.org/{region}/apig/', 'ap-southeast-3');

    // Assess
    expect(local).toBe('http://127.0.0.1:9000');
    expect(proxied).toBe('https://proxy.example.org/ap-southeast-3/apig');
  });

  it.each(['evil.example.com#', 'ap-southeast-1.evil.example', 'AP-SOUTHEAST-1', 'ap southeast', ''])(
    'refuses the region %j, which could change the host that receives the credentials',
    (region) => {
      // Act
      const resolve = () => resolveEndpoint(DEFAULT_APIG_ENDPOINT, region);

      // Assess
      expect(resolve).toThrow(ApigError);
    },
  );
});
