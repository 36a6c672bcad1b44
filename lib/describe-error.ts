/**
 * An error as one loggable line.
 *
 * @example
 * describeError(new TypeError('x')) // 'TypeError: x'
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
