/** The SQS side: the watch queue, the request sender, the dead-letter redrive. What the rest of the project imports from this folder. */
export { type DeadLetter, findRedriveQueues, MAX_PEEKED_MESSAGES, moveBack, type MoveProgress, peekDeadLetters } from './dead-letter-redrive.js';
export { sqsClientFor } from './sqs-client.js';
export { createSqsWatchQueue } from './watch-queue.js';
export { createWatchRequestSender, type WatchLookup, type WatchRequestSender } from './watch-request-sender.js';
