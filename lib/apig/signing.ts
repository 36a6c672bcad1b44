import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Huawei Cloud AK/SK request signing, `SDK-HMAC-SHA256` (the scheme of Huawei's API Gateway
 * SDKs). Pure functions over plain data: the client signs with them, the simulator verifies.
 */

const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
/** Huawei refuses an `X-Sdk-Date` further than this from its clock. */
export const MAX_SIGNATURE_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SignRequestInput {
  method: string;
  /** Absolute URL, query included. */
  url: string;
  /** Headers to send and sign; `Host` is added from the URL when missing. */
  headers?: Record<string, string>;
  body?: string;
  accessKey: string;
  secretKey: string;
  /** For temporary credentials: sent (and signed) as `X-Security-Token`. */
  securityToken?: string;
  date: Date;
}

/** Headers `signRequest` sets itself; a caller's copies are dropped. */
const OWN_HEADERS = new Set(['x-sdk-date', 'x-security-token', 'authorization']);

/**
 * Signs a request and returns every header to send: the given ones plus `Host`, `X-Sdk-Date`,
 * `X-Security-Token` (temporary credentials) and `Authorization`. All of them are signed.
 *
 * @example
 * const headers = signRequest({
 *   method: 'GET',
 *   url: 'https://apig.ap-southeast-1.myhuaweicloud.com/v2/0123…/apigw/instances/fedc…/progress',
 *   headers: { Accept: 'application/json' },
 *   accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: '…', date: new Date(),
 * });
 * await fetch(url, { headers });
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const url = new URL(input.url);
  const headers = Object.fromEntries(Object.entries(input.headers ?? {}).filter(([name]) => !OWN_HEADERS.has(name.toLowerCase())));
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'host')) headers.Host = url.host;
  headers['X-Sdk-Date'] = formatSdkDate(input.date);
  if (input.securityToken !== undefined) headers['X-Security-Token'] = input.securityToken;

  const lowerCased = lowerCaseHeaders(headers);
  const signedHeaders = Object.keys(lowerCased).sort();
  const signature = computeSignature(input.method, url, lowerCased, signedHeaders, input.body ?? '', input.secretKey);
  headers.Authorization = `${SIGNING_ALGORITHM} Access=${input.accessKey}, ` + `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return headers;
}

export interface VerifySignatureInput {
  method: string;
  /** Absolute URL as the client addressed it (`http://{Host}{path?query}`). */
  url: string;
  /** Received headers, e.g. Node's `IncomingMessage.headers`. */
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  /** The secret key of an access key, or undefined for an unknown one. */
  findSecretKey: (accessKey: string) => string | undefined;
  nowMs: number;
}

export type SignatureVerdict = { valid: true; accessKey: string; signedHeaders: string[] } | { valid: false; reason: string };

const AUTHORIZATION_PATTERN = new RegExp(`^${SIGNING_ALGORITHM} Access=([^,\\s]+), ?SignedHeaders=([^,\\s]+), ?Signature=([0-9a-f]{64})$`);

/**
 * Checks a received request's `Authorization` header the way Huawei's gateway does: known
 * access key, `X-Sdk-Date` signed and within 15 minutes of `nowMs`, signature recomputed
 * over the headers the client says it signed.
 *
 * @example
 * const verdict = verifySignature({
 *   method: req.method, url: `http://${req.headers.host}${req.url}`, headers: req.headers,
 *   body, findSecretKey: (ak) => secrets.get(ak), nowMs: Date.now(),
 * });
 * if (!verdict.valid) res.writeHead(401).end(verdict.reason);
 */
export function verifySignature(input: VerifySignatureInput): SignatureVerdict {
  const headers = lowerCaseHeaders(input.headers);
  const match = AUTHORIZATION_PATTERN.exec(headers.authorization ?? '');
  if (!match) return { valid: false, reason: 'missing or malformed Authorization header' };
  const [, accessKey = '', signedHeaderList = '', signature = ''] = match;

  const secretKey = input.findSecretKey(accessKey);
  if (secretKey === undefined) return { valid: false, reason: 'unknown access key' };
  const signedHeaders = signedHeaderList.split(';');
  const missing = signedHeaders.find((name) => headers[name] === undefined);
  if (missing !== undefined) return { valid: false, reason: `signed header ${missing} is missing` };
  if (!signedHeaders.includes('x-sdk-date')) return { valid: false, reason: 'X-Sdk-Date is not signed' };
  const dateMs = parseSdkDate(headers['x-sdk-date'] ?? '');
  if (dateMs === undefined) return { valid: false, reason: 'malformed X-Sdk-Date' };
  if (Math.abs(input.nowMs - dateMs) > MAX_SIGNATURE_CLOCK_SKEW_MS) {
    return { valid: false, reason: 'X-Sdk-Date is more than 15 minutes off' };
  }

  const expected = computeSignature(input.method, new URL(input.url), headers, signedHeaders, input.body ?? '', secretKey);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    return { valid: false, reason: 'signature does not match' };
  }
  return { valid: true, accessKey, signedHeaders };
}

/**
 * The canonical request: method, canonical URI, canonical query, canonical headers,
 * signed header names and the hex SHA-256 of the body, joined by `\n`.
 *
 * @example
 * buildCanonicalRequest('GET', new URL('https://h.example/v1/p/vpcs?limit=2'),
 *   { host: 'h.example', 'x-sdk-date': '20191115T033655Z' }, ['host', 'x-sdk-date'], '')
 * // 'GET\n/v1/p/vpcs/\nlimit=2\nhost:h.example\nx-sdk-date:20191115T033655Z\n\nhost;x-sdk-date\ne3b0…b855'
 */
export function buildCanonicalRequest(method: string, url: URL, lowerCasedHeaders: Record<string, string>, signedHeaders: string[], body: string): string {
  const segments = url.pathname.split('/').map((segment) => encodeSigningComponent(decodeSegment(segment)));
  const path = segments.join('/');
  const canonicalUri = path.endsWith('/') ? path : `${path}/`;
  const canonicalQuery = [...url.searchParams]
    .sort(([keyA, valueA], [keyB, valueB]) => compare(keyA, keyB) || compare(valueA, valueB))
    .map(([key, value]) => `${encodeSigningComponent(key)}=${encodeSigningComponent(value)}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(lowerCasedHeaders[name] ?? '').trim()}\n`).join('');
  return [method.toUpperCase(), canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), sha256Hex(body)].join('\n');
}

/**
 * `X-Sdk-Date` format: `YYYYMMDDTHHMMSSZ`, UTC.
 *
 * @example
 * formatSdkDate(new Date('2019-11-15T03:36:55Z')) // '20191115T033655Z'
 */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function computeSignature(
  method: string,
  url: URL,
  lowerCasedHeaders: Record<string, string>,
  signedHeaders: string[],
  body: string,
  secretKey: string,
): string {
  const canonicalRequest = buildCanonicalRequest(method, url, lowerCasedHeaders, signedHeaders, body);
  const stringToSign = [SIGNING_ALGORITHM, lowerCasedHeaders['x-sdk-date'] ?? '', sha256Hex(canonicalRequest)].join('\n');
  return createHmac('sha256', secretKey).update(stringToSign).digest('hex');
}

/**
 * Reads an `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`) as Unix milliseconds; `undefined` if malformed.
 *
 * @example
 * parseSdkDate('20191115T033655Z') // Date.parse('2019-11-15T03:36:55Z')
 */
export function parseSdkDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hours, minutes, seconds);
}

/** Percent-encodes everything but the unreserved `A-Za-z0-9-_.~` (upper-case hex). */
function encodeSigningComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function lowerCaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return result;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}
