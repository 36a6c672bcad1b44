/** Configuration: the settings read once from the environment, and secrets resolved into configs. What the rest of the project imports from this folder. */
export { apigConfigFrom, resolveApigConfig, resolveRuntimeConfig, resolveSecretValues, type RuntimeConfig } from './resolve.js';
export { readCliSettings, readDiscoverProjects, readDiscoverSettings, readSettings, readStartWatchSettings, type SecretSource } from './settings.js';
