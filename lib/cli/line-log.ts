import type { Log } from '../watch/index.js';

/**
 * A `Log` that writes one human line per entry (`--verbose`): `[warn] notification attempt failed {"target":…}`.
 *
 * @example
 * const log = lineLog((line) => process.stderr.write(`${line}\n`));
 */
export function lineLog(write: (line: string) => void): Log {
  const at =
    (level: keyof Log) =>
    (message: string, extra: Record<string, unknown> = {}) =>
      write(`[${level}] ${message}${Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ''}`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
