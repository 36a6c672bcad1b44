/** Huawei's APIG API: the progress and instance-detail clients, signing, endpoints, errors. What the rest of the project imports from this folder. */
export { type ApigAnswer, createApigRequester } from './apig-request.js';
export { DEFAULT_APIG_ENDPOINT, DEFAULT_IAM_ENDPOINT, resolveEndpoint } from './endpoints.js';
export { errorFromApigAnswer } from './errors.js';
export { createInstanceDetailSource } from './instance-detail-client.js';
export { instanceStatusCode } from './instance-statuses.js';
export { createProgressSource } from './progress-client.js';
export { verifySignature } from './signing.js';
export type { ApigConfig, ApigCredentials } from './types.js';
