import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as z from 'zod/mini';
import { verifySignature } from '../apig/index.js';
import { parseJsonLeniently } from '../lenient-json.js';
import type { SimulatedAnswer } from './faults.js';

/**
 * Who the simulator lets in: static `X-Auth-Token`s, AK/SK signatures (checked as Huawei checks
 * them, the `X-Sdk-Date` against the simulated clock), and IAM password logins that issue tokens.
 */

export interface SimulatorCredentials {
  /** Static `X-Auth-Token` values that are always accepted. */
  tokens?: string[];
  /** With `securityToken`, requests must carry it as a signed `X-Security-Token` (temporary credentials). */
  aksk?: { accessKey: string; secretKey: string; securityToken?: string }[];
  /** IAM users that can log in by password. */
  users?: { name: string; password: string; domain: string }[];
}

/** The AK/SK pair the simulator accepts by default: a public test value, never a real key. */
export const SIMULATOR_AKSK = { accessKey: 'SIMULATORACCESSKEY00', secretKey: 'simulator-secret-key' } as const;

export const SIMULATOR_DEFAULT_CREDENTIALS: Required<SimulatorCredentials> = {
  tokens: ['simulator-token'],
  aksk: [SIMULATOR_AKSK],
  users: [{ name: 'simulator-user', password: 'simulator-password', domain: 'simulator-domain' }],
};

/** The credentials an APIG request presented, and whether they were good. */
export interface Presented {
  auth: 'token' | 'aksk' | 'none';
  valid: boolean;
}

/** An APIG request as the authority reads it. */
export interface PresentedRequest {
  method: string;
  /** The absolute URL, as signed. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Authority {
  authenticate(request: PresentedRequest): Presented;
  /** `POST /v3/auth/tokens`: a token for a known user (201 and `X-Subject-Token`), else 400 or 401. */
  login(body: string): { answer: SimulatedAnswer; refused: boolean };
  /** Invalidates every token issued by `login` (static tokens stay valid). */
  revokeTokens(): void;
}

const LoginSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()),
      password: z.object({
        user: z.object({ name: z.string(), password: z.string(), domain: z.object({ name: z.string() }) }),
      }),
    }),
    scope: z.optional(z.object({ project: z.object({ id: z.string() }) })),
  }),
});

/**
 * The simulator's authority over `credentials` (all of `SIMULATOR_DEFAULT_CREDENTIALS` when
 * absent; given ones default each list to empty), issuing tokens that live `tokenTtlMs` on `now`.
 *
 * @example
 * const authority = createAuthority(undefined, 24 * 3_600_000, Date.now);
 * authority.authenticate({ method: 'GET', url, headers: { 'x-auth-token': 'simulator-token' }, body: '' }) // { auth: 'token', valid: true }
 */
export function createAuthority(given: SimulatorCredentials | undefined, tokenTtlMs: number, now: () => number): Authority {
  const credentials: Required<SimulatorCredentials> = given
    ? { tokens: given.tokens ?? [], aksk: given.aksk ?? [], users: given.users ?? [] }
    : SIMULATOR_DEFAULT_CREDENTIALS;
  const issuedTokens = new Map<string, number>();

  return {
    authenticate({ method, url, headers, body }) {
      const token = headers['x-auth-token'];
      if (typeof token === 'string') {
        const expiresAtMs = issuedTokens.get(token);
        const issuedAndLive = expiresAtMs !== undefined && now() < expiresAtMs;
        return { auth: 'token', valid: credentials.tokens.includes(token) || issuedAndLive };
      }
      if (headers.authorization === undefined) return { auth: 'none', valid: false };
      const verdict = verifySignature({
        method,
        url,
        headers,
        body,
        findSecretKey: (accessKey) => credentials.aksk.find((pair) => pair.accessKey === accessKey)?.secretKey,
        nowMs: now(),
      });
      if (!verdict.valid) return { auth: 'aksk', valid: false };
      const pair = credentials.aksk.find((candidate) => candidate.accessKey === verdict.accessKey);
      const tokenOk =
        pair?.securityToken === undefined || (headers['x-security-token'] === pair.securityToken && verdict.signedHeaders.includes('x-security-token'));
      return { auth: 'aksk', valid: tokenOk };
    },

    login(body) {
      const parsed = LoginSchema.safeParse(parseJsonLeniently(body));
      if (!parsed.success) {
        return { refused: true, answer: { status: 400, body: { error: { code: 400, message: 'The request body is invalid.', title: 'Bad Request' } } } };
      }
      const { user } = parsed.data.auth.identity.password;
      const known = credentials.users.some(
        (candidate) => candidate.name === user.name && candidate.password === user.password && candidate.domain === user.domain.name,
      );
      if (!known) {
        return {
          refused: true,
          answer: { status: 401, body: { error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } } },
        };
      }
      const token = `MIIsimulated${randomBytes(24).toString('hex')}`;
      const issuedAtMs = now();
      issuedTokens.set(token, issuedAtMs + tokenTtlMs);
      const answerBody = {
        token: {
          expires_at: new Date(issuedAtMs + tokenTtlMs).toISOString(),
          issued_at: new Date(issuedAtMs).toISOString(),
          methods: ['password'],
          project: parsed.data.auth.scope ? { id: parsed.data.auth.scope.project.id } : undefined,
          user: { name: user.name, domain: { name: user.domain.name } },
        },
      };
      return { refused: false, answer: { status: 201, body: answerBody, headers: { 'X-Subject-Token': token } } };
    },

    revokeTokens() {
      issuedTokens.clear();
    },
  };
}
