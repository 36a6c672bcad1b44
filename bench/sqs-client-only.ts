/**
 * The cold-start baseline (bench item 4): a Lambda module that only constructs an `SQSClient`,
 * as the handler does at init. Built by the bench with the handler's esbuild options; never deployed.
 */
import { SQSClient } from '@aws-sdk/client-sqs';

const client = new SQSClient({});

export const handler = async (): Promise<string> => client.config.serviceId;
