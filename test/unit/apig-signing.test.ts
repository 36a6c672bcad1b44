import { buildCanonicalRequest, formatSdkDate, signRequest, verifySignature, type SignRequestInput } from '../../lib/apig/signing.js';

/** The published example of Huawei's signing guide. */
const PUBLISHED_EXAMPLE: SignRequestInput = {
  method: 'GET',
  url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
  headers: { 'Content-Type': 'application/json' },
  accessKey: 'QTWAOYTTINDUT2QVKYUC',
  secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
  date: new Date('2019-11-15T03:36:55Z'),
};
const SECRETS = new Map([[PUBLISHED_EXAMPLE.accessKey, PUBLISHED_EXAMPLE.secretKey]]);

function signedRequestFactory(overrides: Partial<SignRequestInput> = {}) {
  const input = { ...PUBLISHED_EXAMPLE, ...overrides };
  return { input, headers: signRequest(input) };
}

function verify(input: SignRequestInput, headers: Record<string, string>, overrides: Partial<Parameters<typeof verifySignature>[0]> = {}) {
  return verifySignature({
    method: input.method,
    url: input.url,
    headers,
    body: input.body,
    findSecretKey: (accessKey) => SECRETS.get(accessKey),
    nowMs: input.date.getTime(),
    ...overrides,
  });
}

describe('signRequest', () => {
  it('reproduces the signature of the published example', () => {
    // Act
    const { headers } = signedRequestFactory();

    // Assess
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    expect(headers['X-Sdk-Date']).toBe('20191115T033655Z');
    expect(headers.Host).toBe('service.region.example.com');
  });

  it('builds the canonical request of the published example line by line', () => {
    // Prepare
    const headers = {
      'content-type': 'application/json',
      host: 'service.region.example.com',
      'x-sdk-date': '20191115T033655Z',
    };

    // Act
    const canonical = buildCanonicalRequest('GET', new URL(PUBLISHED_EXAMPLE.url), headers, ['content-type', 'host', 'x-sdk-date'], '');

    // Assess
    expect(canonical.split('\n')).toEqual([
      'GET',
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
      'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      'content-type:application/json',
      'host:service.region.example.com',
      'x-sdk-date:20191115T033655Z',
      '',
      'content-type;host;x-sdk-date',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ]);
  });

  it('encodes path segments and sorts the query with only A-Za-z0-9-_.~ left as they are', () => {
    // Prepare
    const url = new URL("https://h.example/v1/a b/x*y'(z)!/caf%C3%A9?b=2&a=%2F%20&a=1&c~=-_.");

    // Act
    const [, uri, query] = buildCanonicalRequest('GET', url, {}, [], '').split('\n');

    // Assess
    expect(uri).toBe('/v1/a%20b/x%2Ay%27%28z%29%21/caf%C3%A9/');
    expect(query).toBe('a=%2F%20&a=1&b=2&c~=-_.');
  });

  it('adds the trailing slash for signing only, so both spellings of a path sign alike', () => {
    // Act
    const withoutSlash = signedRequestFactory({ url: 'https://h.example/v2/p/apigw/instances/i/progress' });
    const withSlash = signedRequestFactory({ url: 'https://h.example/v2/p/apigw/instances/i/progress/' });

    // Assess
    expect(withoutSlash.headers.Authorization).toBe(withSlash.headers.Authorization);
  });

  it('trims header values and ignores the case of header names', () => {
    // Act
    const plain = signedRequestFactory({ headers: { 'Content-Type': 'application/json' } });
    const padded = signedRequestFactory({ headers: { 'CONTENT-TYPE': '  application/json ' } });

    // Assess
    expect(padded.headers.Authorization).toBe(plain.headers.Authorization);
  });

  it('signs the hash of the body', () => {
    // Act
    const empty = signedRequestFactory({ method: 'POST' });
    const withBody = signedRequestFactory({ method: 'POST', body: '{"a":1}' });

    // Assess
    expect(withBody.headers.Authorization).not.toBe(empty.headers.Authorization);
    expect(verify(withBody.input, withBody.headers)).toMatchObject({ valid: true });
  });

  it('sends and signs the security token of temporary credentials', () => {
    // Act
    const { headers } = signedRequestFactory({ securityToken: 'sts-token' });

    // Assess
    expect(headers['X-Security-Token']).toBe('sts-token');
    expect(headers.Authorization).toContain('SignedHeaders=content-type;host;x-sdk-date;x-security-token,');
  });

  it('takes X-Sdk-Date from the date it is given, not from a stale header copy', () => {
    // Act
    const { headers } = signedRequestFactory({ headers: { 'x-sdk-date': '20000101T000000Z' } });

    // Assess
    expect(headers['X-Sdk-Date']).toBe('20191115T033655Z');
    expect(Object.keys(headers).filter((name) => name.toLowerCase() === 'x-sdk-date')).toHaveLength(1);
  });
});

describe('formatSdkDate', () => {
  it('formats as YYYYMMDDTHHMMSSZ in UTC', () => {
    // Act
    const formatted = formatSdkDate(new Date('2026-01-02T03:04:05.678+02:00'));

    // Assess
    expect(formatted).toBe('20260102T010405Z');
  });
});

describe('verifySignature', () => {
  it('accepts a request signed with the known secret', () => {
    // Prepare
    const { input, headers } = signedRequestFactory();

    // Act
    const verdict = verify(input, headers);

    // Assess
    expect(verdict).toEqual({
      valid: true,
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
    });
  });

  it('refuses a request signed with a tampered secret', () => {
    // Prepare
    const { input, headers } = signedRequestFactory({ secretKey: `${PUBLISHED_EXAMPLE.secretKey}x` });

    // Act
    const verdict = verify(input, headers);

    // Assess
    expect(verdict).toEqual({ valid: false, reason: 'signature does not match' });
  });

  it('refuses a request whose signed header was changed on the way', () => {
    // Prepare
    const { input, headers } = signedRequestFactory();

    // Act
    const verdict = verify(input, { ...headers, 'Content-Type': 'text/plain' });

    // Assess
    expect(verdict).toMatchObject({ valid: false });
  });

  it('refuses a request for another path than the one signed', () => {
    // Prepare
    const { input, headers } = signedRequestFactory();

    // Act
    const verdict = verify({ ...input, url: input.url.replace('limit=2', 'limit=3') }, headers);

    // Assess
    expect(verdict).toMatchObject({ valid: false });
  });

  it('refuses an unknown access key', () => {
    // Prepare
    const { input, headers } = signedRequestFactory({ accessKey: 'UNKNOWNACCESSKEY0000' });

    // Act
    const verdict = verify(input, headers);

    // Assess
    expect(verdict).toEqual({ valid: false, reason: 'unknown access key' });
  });

  it('accepts a clock 15 minutes off and refuses one a second further', () => {
    // Prepare
    const { input, headers } = signedRequestFactory();
    const fifteenMinutesMs = 15 * 60 * 1000;

    // Act
    const atLimit = verify(input, headers, { nowMs: input.date.getTime() + fifteenMinutesMs });
    const beyond = verify(input, headers, { nowMs: input.date.getTime() - fifteenMinutesMs - 1000 });

    // Assess
    expect(atLimit).toMatchObject({ valid: true });
    expect(beyond).toEqual({ valid: false, reason: 'X-Sdk-Date is more than 15 minutes off' });
  });

  it('refuses a request without an Authorization header', () => {
    // Prepare
    const { input, headers } = signedRequestFactory();
    const { Authorization: _, ...unsigned } = headers;

    // Act
    const verdict = verify(input, unsigned);

    // Assess
    expect(verdict).toEqual({ valid: false, reason: 'missing or malformed Authorization header' });
  });
});
