/** The clock the use case reads; the demo runs it faster than real time. */
export interface Clock {
  now(): number;
}

/** The metrics port (Powertools Metrics in Lambda: CloudWatch EMF). */
export interface Metrics {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
  milliseconds(name: string, value: number, dimensions?: Record<string, string>): void;
}

export const NO_METRICS: Metrics = { count() {}, milliseconds() {} };
