import type { Screen } from './live-board.js';

/** What a command may touch of its process: passed in, so nothing else reads `process.*`. */
export interface CliIo {
  stdout: Screen;
  stderr: Screen;
  env: Record<string, string | undefined>;
  /** Calls `handler` on Ctrl-C (SIGINT) or SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Ends the process at once (after an interrupt). */
  exit(code: number): never;
}

/**
 * Whether to colour output on `screen`: a TTY, and no `NO_COLOR` (https://no-color.org).
 *
 * @example
 * createLiveBoard(io.stdout, { now, color: wantsColor(io.stdout, io.env) })
 */
export function wantsColor(screen: Screen, env: CliIo['env']): boolean {
  return screen.isTTY === true && !env.NO_COLOR;
}
