/**
 * The core's ports: the interfaces the watch use case works through, one file per port. Adapters
 * (lib/apig, lib/queue, lib/store, lib/notify, lib/runtime) implement them; nothing in lib/watch
 * imports an adapter (test/unit/dependency-rules.test.ts).
 */
export * from './notifier.js';
export * from './observability.js';
export * from './progress-source.js';
export * from './step-store.js';
export * from './watch-queue.js';
