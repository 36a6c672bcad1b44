/** The watch queue the use case sends its successors through (lib/queue implements it over SQS). */

/** One message to (re-)enqueue. `id` is the caller's correlation id, unique within one call. */
export interface OutgoingMessage {
  id: string;
  body: string;
  delaySeconds: number;
}

/** A received message to bring back after `visibilitySeconds`. */
export interface MessageRetry {
  receiptHandle: string;
  visibilitySeconds: number;
}

export interface WatchQueue {
  /**
   * Sends all messages in as few `SendMessageBatch` calls as SQS allows (10 entries and 256 KiB
   * per call). Never throws: returns the ids that were not sent, each with the reason.
   */
  sendBatch(messages: OutgoingMessage[]): Promise<Map<string, string>>;
  /** Sends a message straight to the dead-letter queue, with the reason as a message attribute. */
  sendToDeadLetter(body: string, reason: string): Promise<void>;
  /** Makes received messages visible again after `visibilitySeconds` (sooner than the queue's timeout). */
  retryLater(messages: MessageRetry[]): Promise<void>;
}
