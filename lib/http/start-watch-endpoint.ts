import { describeError } from '../describe-error.js';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseJsonLeniently } from '../lenient-json.js';
import { type Log, InvalidMessageError, parseWatchRequest, type FieldProblem, type WatchRequest } from '../watch/index.js';
import type { WatchRequestSender } from '../queue/index.js';

/** A watch request is a few hundred bytes; anything much larger is refused before parsing. */
const MAX_BODY_BYTES = 64 * 1024;

/** Field of the problems that concern the body as a whole rather than one of its fields. */
const BODY_FIELD = '(body)';

const JSON_HEADERS = { 'content-type': 'application/json' };

export interface StartRequestPorts {
  sender: WatchRequestSender;
  log: Log;
}

/**
 * `POST /watches` (API Gateway HTTP API, IAM-authorised, payload format 2.0): validates the body
 * with the watch request schema (docs/contracts.md, "Watch request — contract", EventBridge envelope included), sends it to the watch
 * queue and answers `202 {"watch_id", "joined"}` (`joined`: a watch of that gateway was already
 * active, and this request joined it). Bad input of any kind is a `400 {"errors": [{field, message}]}`;
 * only a queue that refuses the message is a 5xx.
 *
 * @example
 * const response = await answerStartRequest(event, { sender, log });
 * // { statusCode: 202, body: '{"watch_id":"w_5d1c0e…","joined":false}' }
 */
export async function answerStartRequest(event: APIGatewayProxyEventV2WithIAMAuthorizer, ports: StartRequestPorts): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = event.requestContext.authorizer?.iam?.userArn;
  const parsed = readWatchRequest(event);
  if ('errors' in parsed) {
    ports.log.info('watch request refused', { caller, errors: parsed.errors });
    return answer(parsed.status, { errors: parsed.errors });
  }
  const { request } = parsed;
  try {
    const { watchId, joined, messageId } = await ports.sender.send(request);
    ports.log.info(joined ? 'watch requested; it joins the active watch of that gateway' : 'watch requested', {
      caller,
      watch_id: watchId,
      joined,
      messageId,
      project_id: request.project_id,
      instance_id: request.instance_id,
      region: request.region,
    });
    return answer(202, { watch_id: watchId, joined });
  } catch (error) {
    ports.log.error('the watch queue did not take the request', { caller, error: describeError(error) });
    return answer(503, { errors: [{ field: BODY_FIELD, message: 'the watch queue did not take the request; try again' }] });
  }
}

type ReadResult = { request: WatchRequest } | { status: 400 | 413; errors: FieldProblem[] };

function readWatchRequest(event: APIGatewayProxyEventV2WithIAMAuthorizer): ReadResult {
  const text = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    return { status: 413, errors: [{ field: BODY_FIELD, message: `must be at most ${MAX_BODY_BYTES} bytes` }] };
  }
  const input = parseJsonLeniently(text);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return refuse('must be a JSON object (the watch request)');
  try {
    return { request: parseWatchRequest(input) };
  } catch (error) {
    if (error instanceof InvalidMessageError) return { status: 400, errors: error.fields };
    throw error;
  }
}

function refuse(message: string): ReadResult {
  return { status: 400, errors: [{ field: BODY_FIELD, message }] };
}

function answer(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(body) };
}
