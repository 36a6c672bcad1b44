import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { ProgressReport } from '../../lib/watch/ports/progress-source.js';
import type { WatchRequest } from '../../lib/watch/request.js';
import { type WatchState, initialState } from '../../lib/watch/state.js';

export const PROJECT_ID = '0123456789abcdef0123456789abcdef';
export const INSTANCE_ID = 'fedcba9876543210fedcba9876543210';
export const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);

/** A valid watch request body (docs/contracts.md, "Watch request — contract"), with overrides. */
export function watchRequestBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project_id: PROJECT_ID,
    instance_id: INSTANCE_ID,
    region: 'ap-southeast-1',
    instance_name: 'orders-gw-prod',
    context: { ticket: 'OPS-1234', env: 'prod' },
    ...overrides,
  };
}

export function watchRequest(overrides: Partial<WatchRequest> = {}): WatchRequest {
  return {
    project_id: PROJECT_ID,
    instance_id: INSTANCE_ID,
    region: 'ap-southeast-1',
    instance_name: 'orders-gw-prod',
    context: { ticket: 'OPS-1234' },
    operation: 'creation',
    ...overrides,
  };
}

/** A watch state at step 0, started at `T0` with the default 2 h timeout. */
export function watchState(overrides: Partial<WatchState> = {}): WatchState {
  return { ...initialState(watchRequest(), T0, 7200), ...overrides };
}

export function progressReport(overrides: Partial<ProgressReport> = {}): ProgressReport {
  return {
    status: 'creating',
    progress: 30,
    errorCode: null,
    errorMsg: null,
    startTimeMs: T0,
    endTimeMs: T0 + 60_000,
    ...overrides,
  };
}

let sequence = 0;
/** An SQS record as Lambda delivers it. */
export function sqsRecordFactory(body: string, overrides: Partial<SQSRecord> = {}): SQSRecord {
  sequence += 1;
  return {
    messageId: `message-${sequence}`,
    receiptHandle: `receipt-${sequence}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(T0),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(T0),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:apig-watch',
    awsRegion: 'us-east-1',
    ...overrides,
  };
}

export function sqsEventFactory(bodies: string[]): SQSEvent {
  return { Records: bodies.map((body) => sqsRecordFactory(body)) };
}
