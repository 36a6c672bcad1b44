import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readStartWatchSettings } from '../lib/config/index.js';
import { answerStartRequest } from '../lib/http/index.js';
import { createWatchRequestSender } from '../lib/queue/index.js';
import { sqsClientFor } from '../lib/queue/index.js';
import { logThrough } from '../lib/runtime/index.js';
import { createDynamoStepStore } from '../lib/store/index.js';

const logger = new Logger({ serviceName: 'apig-watch' });
const settings = readStartWatchSettings(process.env);
const ports = {
  sender: createWatchRequestSender(sqsClientFor(settings), settings.watchQueueUrl, createDynamoStepStore(new DynamoDBClient({}), settings.tableName)),
  log: logThrough(logger),
};

/** `POST /watches` → the watch queue; answers 202 with the watch id (and whether it joined an active one), 400 with field errors. */
export const handler = middy(
  (event: APIGatewayProxyEventV2WithIAMAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => answerStartRequest(event, ports),
).use(injectLambdaContext(logger));
