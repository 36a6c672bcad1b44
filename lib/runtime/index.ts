/** The composition roots of the functions: the watcher, the discoverer, Powertools, secret references, the time scale. What the rest of the project imports from this folder. */
export { createDiscoverer, DiscoveryIncompleteError } from './discoverer.js';
export { logThrough } from './powertools-log.js';
export { metricsThrough } from './powertools-metrics.js';
export { readSecretReference } from './read-secret-reference.js';
export { scaledClock, scaledSleep } from './time-scale.js';
export { createWatcher } from './watcher.js';
