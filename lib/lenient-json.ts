/**
 * `JSON.parse` that answers `undefined` for text that is not JSON (a proxy's HTML page…),
 * leaving the verdict to the schema the value goes through next.
 *
 * @example
 * parseJsonLeniently('<html>') // undefined
 */
export function parseJsonLeniently(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
