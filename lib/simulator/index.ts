/** The Huawei APIG simulator of `apig-watch simulate`, the demo, local runs and the integration tests. */
export { SIMULATOR_AKSK, SIMULATOR_DEFAULT_CREDENTIALS, type SimulatorCredentials } from './auth.js';
export type { SimulatedFault } from './faults.js';
export { SCRIPTED_GATEWAYS, SCRIPTED_PROJECT_ID, SCRIPTED_REGION, type ScriptedGateway } from './scripted-gateways.js';
export {
  startApigSimulator,
  type ApigSimulator,
  type FaultedEndpoint,
  type SimulatedRequest,
  type SimulatorOptions,
  type SimulatorStats,
} from './server.js';
export { GONE, type SimulatedGateway, type SimulatedOperation, type StatusPhase, type StatusScript } from './timeline.js';
