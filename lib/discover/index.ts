/** The discovery sweep: DISCOVER_PROJECTS, the instance list, the nominations. What the rest of the project imports from this folder. */
export { discoverGateways, type DiscoverySummary, findNominatedGateways, type ProjectSweep } from './discover-gateways.js';
export { createInstanceLister, type GatewayLister } from './instance-list-client.js';
export { type DiscoverProject, DiscoverProjectsError, parseDiscoverProjects } from './projects.js';
