import type { Clock, WatchQueue } from '../watch/index.js';

/**
 * A clock that runs `scale` times faster than real time from `originMs` on (the demo's
 * time-compressed creations). With `scale` 1 it is the system clock.
 *
 * @example
 * const clock = scaledClock(30, Date.now()); // a minute of real time reads as half an hour
 */
export function scaledClock(scale: number, originMs: number): Clock {
  if (scale === 1) return { now: () => Date.now() };
  return { now: () => Math.round(originMs + (Date.now() - originMs) * scale) };
}

/**
 * A queue whose delays are shortened by `scale`, to match `scaledClock` in the demo. Rounded up:
 * SQS counts whole seconds, and a delay must never become 0 (that would poll in a tight loop).
 *
 * @example
 * const queue = scaledDelays(createSqsWatchQueue(sqs, url, dlqUrl), 30);
 */
export function scaledDelays(queue: WatchQueue, scale: number): WatchQueue {
  if (scale === 1) return queue;
  return {
    sendBatch: (messages) => queue.sendBatch(messages.map((message) => ({ ...message, delaySeconds: Math.ceil(message.delaySeconds / scale) }))),
    sendToDeadLetter: (body, reason) => queue.sendToDeadLetter(body, reason),
    retryLater: (messages) => queue.retryLater(messages.map((message) => ({ ...message, visibilitySeconds: Math.ceil(message.visibilitySeconds / scale) }))),
  };
}

/**
 * Waits `ms` of scaled time (`ms / scale` of real time), to match `scaledClock` where nothing goes
 * through SQS (the CLI's direct watch). Never rounded to whole seconds.
 *
 * @example
 * await scaledSleep(20)(30_000); // 1.5 s of real time
 */
export function scaledSleep(scale: number): (ms: number) => Promise<void> {
  return (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / scale)));
}
