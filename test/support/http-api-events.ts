import type { APIGatewayProxyEventV2WithIAMAuthorizer, Context } from 'aws-lambda';
import { lambdaContext } from '../../devkit/local-event-source.js';

const API_ID = 'a1b2c3d4e5';
const ACCOUNT_ID = '123456789012';
/** The IAM principal the authorizer reports, as SigV4 signing with a CI role would. */
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/provisioning-ci/session-1`;

let sequence = 0;

/**
 * A `POST /watches` event as API Gateway HTTP API (payload format 2.0) hands it to Lambda after the
 * IAM authorizer let it through. `body` is sent as is: a string (JSON or not), or JSON of anything else.
 *
 * @example
 * await handler(httpApiEventFactory({ project_id, instance_id, region }), lambdaContextFactory());
 */
export function httpApiEventFactory(body: unknown, overrides: Partial<APIGatewayProxyEventV2WithIAMAuthorizer> = {}): APIGatewayProxyEventV2WithIAMAuthorizer {
  sequence += 1;
  const domainName = `${API_ID}.execute-api.ap-southeast-1.amazonaws.com`;
  return {
    version: '2.0',
    routeKey: 'POST /watches',
    rawPath: '/watches',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: domainName, 'user-agent': 'awscurl/0.36', 'x-amz-date': '20261128T100000Z' },
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix: API_ID,
      http: { method: 'POST', path: '/watches', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'awscurl/0.36' },
      requestId: `request-${sequence}`,
      routeKey: 'POST /watches',
      stage: '$default',
      time: '28/Nov/2026:10:00:00 +0000',
      timeEpoch: Date.UTC(2026, 10, 28, 10),
      authorizer: {
        iam: {
          accessKey: 'ASIAEXAMPLEEXAMPLE00',
          accountId: ACCOUNT_ID,
          callerId: 'AROAEXAMPLEEXAMPLE000:session-1',
          cognitoIdentity: null,
          principalOrgId: 'o-example',
          userArn: CALLER_ARN,
          userId: 'AROAEXAMPLEEXAMPLE000:session-1',
        },
      },
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    ...overrides,
  };
}

/** The Lambda context of a short HTTP invocation. */
export function lambdaContextFactory(functionName = 'apig-watch-test-startWatch'): Context {
  return lambdaContext(10_000, functionName, '256');
}
