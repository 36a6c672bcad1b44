/** The terminal outcomes of a watch (DESIGN §4). */
export const OUTCOMES = [
  'succeeded',
  'failed',
  'not_found',
  'unauthorized',
  'forbidden',
  'timed_out',
  'unavailable',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** `data` of the generic webhook event (DESIGN §5, a public contract). */
export interface OutcomeData {
  outcome: Outcome;
  project_id: string;
  instance_id: string;
  instance_name: string | null;
  region: string;
  status: string | null;
  progress: number | null;
  error_code: string | null;
  error_msg: string | null;
  hint: string | null;
  started_at: string | null;
  finished_at: string | null;
  elapsed_ms: number | null;
  elapsed: string | null;
  polls: number;
  context: Record<string, string>;
}

/** The generic webhook event (DESIGN §5). `id` is stable per watch and outcome. */
export interface WatchEvent {
  type: `apig.gateway.creation.${Outcome}`;
  id: string;
  timestamp: string;
  data: OutcomeData;
}
