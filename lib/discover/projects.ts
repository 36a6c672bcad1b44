import { ConfigError } from '../config-error.js';
import { watchRequestSchema } from '../watch/index.js';

const VARIABLE = 'DISCOVER_PROJECTS';
/** Entries are echoed in errors (project ids are not secrets), capped so a pasted blob stays readable. */
const MAX_ECHOED_ENTRY_CHARS = 80;

/** One project a discovery sweep lists: where its gateways live. */
export interface DiscoverProject {
  region: string;
  projectId: string;
}

/** `DISCOVER_PROJECTS` is unusable; the message names the variable and the bad entry. A `ConfigError`. */
export class DiscoverProjectsError extends ConfigError {
  override readonly name: string = 'DiscoverProjectsError';
}

/**
 * Parses `DISCOVER_PROJECTS`: comma-separated `REGION:PROJECT_ID`, each validated as a watch
 * request validates its `region` and `project_id`. Blank entries are skipped and repeats collapse;
 * an empty value means discovery is off (`[]`).
 *
 * @throws DiscoverProjectsError naming the variable, the entry and what is wrong with it.
 * @example
 * parseDiscoverProjects('ap-southeast-1:0123456789abcdef0123456789abcdef, cn-north-4:fedcba9876543210fedcba9876543210');
 * // → [{ region: 'ap-southeast-1', projectId: '0123…' }, { region: 'cn-north-4', projectId: 'fedc…' }]
 */
export function parseDiscoverProjects(value: string): DiscoverProject[] {
  const projects = new Map<string, DiscoverProject>();
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === '') return;
    const fail = (problem: string): never => {
      const echoed = entry.length > MAX_ECHOED_ENTRY_CHARS ? `${entry.slice(0, MAX_ECHOED_ENTRY_CHARS)}…` : entry;
      throw new DiscoverProjectsError(`${VARIABLE} entry ${index + 1} (${JSON.stringify(echoed)})${problem}`);
    };
    const colon = entry.indexOf(':');
    if (colon < 0) fail(': must be REGION:PROJECT_ID, e.g. ap-southeast-1:0123456789abcdef0123456789abcdef');
    const region = entry.slice(0, colon).trim();
    const projectId = entry.slice(colon + 1).trim();
    const regionCheck = watchRequestSchema.shape.region.safeParse(region);
    if (!regionCheck.success) fail(`: the region ${regionCheck.error.issues[0]?.message ?? 'is invalid'}`);
    const projectCheck = watchRequestSchema.shape.project_id.safeParse(projectId);
    if (!projectCheck.success) fail(`: the project id ${projectCheck.error.issues[0]?.message ?? 'is invalid'}`);
    projects.set(`${region}:${projectId}`, { region, projectId });
  });
  return [...projects.values()];
}
