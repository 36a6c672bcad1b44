/** The step store over DynamoDB and in memory, the shared pace, the read model of `apig-watch list`. What the rest of the project imports from this folder. */
export { memoryStepStore } from './memory-step-store.js';
export { createDynamoPostSpacing } from './post-spacing.js';
export { createDynamoStepStore } from './step-store.js';
export { scanWatches, type WatchListing } from './watch-listing.js';
