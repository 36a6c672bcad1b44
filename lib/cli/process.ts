import { CommanderError } from 'commander';
import { ConfigError } from '../config-error.js';
import type { Outcome, Log } from '../watch/index.js';

/**
 * What a command has of its process: the streams, the environment, the signals, and how it ends
 * (the exit codes, the errors that carry one, the message each becomes).
 */

/** The exit codes of `apig-watch` (documented in docs/operating.md and `apig-watch --help`). */
export const EXIT_CODES = {
  /** `watch`: the gateway was created; other commands: done. */
  ok: 0,
  /** `watch`: the operation failed, or never started; `test-notify`: a target did not take the sample. */
  failed: 1,
  /** Invalid usage or input: a bad argument or setting, named in the message. */
  usage: 2,
  /** `watch`: still creating at the deadline (`--timeout`). */
  timedOut: 3,
  /** Could not watch or start: not found, unauthorized, forbidden, Huawei or AWS unavailable. */
  couldNotWatch: 4,
  /** `watch --require-notify`: the watch ended, but a target did not take the notification. */
  notNotified: 5,
  /** An internal error: a bug, please report it. */
  internal: 70,
  /** Stopped with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

const OUTCOME_EXIT_CODES: Readonly<Record<Outcome, number>> = {
  succeeded: EXIT_CODES.ok,
  failed: EXIT_CODES.failed,
  timed_out: EXIT_CODES.timedOut,
  not_found: EXIT_CODES.couldNotWatch,
  unauthorized: EXIT_CODES.couldNotWatch,
  forbidden: EXIT_CODES.couldNotWatch,
  unavailable: EXIT_CODES.couldNotWatch,
  cancelled: EXIT_CODES.couldNotWatch,
  not_started: EXIT_CODES.failed,
  recovered: EXIT_CODES.ok,
};

/**
 * The exit code of `apig-watch watch` for a watch's outcome.
 *
 * @example
 * exitCodeForOutcome('timed_out') // 3
 */
export function exitCodeForOutcome(outcome: Outcome): number {
  return OUTCOME_EXIT_CODES[outcome];
}

/** An error that ends the command with a message (on stderr) and an exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Invalid usage or input (exit 2). The message names the argument or variable, e.g. `--instance-id must be …`. */
export class CliUsageError extends CliError {
  override name = 'CliUsageError';
  constructor(message: string) {
    super(message, EXIT_CODES.usage);
  }
}

/** The stream a command writes to (`process.stdout` or `process.stderr`). */
export interface Screen {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

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
 * The real process's streams, environment and signals.
 *
 * @example
 * await runCli(process.argv, processIo());
 */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    exit: (code) => process.exit(code),
  };
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

/**
 * Writes what ended a command on stderr and returns its exit code: a `CliError`'s own, 2 for a bad
 * setting (`ConfigError`) or a usage error commander has already printed, 70 for anything else (a bug).
 *
 * @example
 * return reportError(new CliUsageError('--region is required'), io); // 2, after "apig-watch: --region is required"
 */
export function reportError(error: unknown, io: CliIo): number {
  // Commander has already printed its own message (`error: required option '--region <region>' not specified`).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  if (error instanceof CliError) {
    io.stderr.write(`apig-watch: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`apig-watch: ${error.message}\n`);
    return EXIT_CODES.usage;
  }
  io.stderr.write(`apig-watch: internal error, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_CODES.internal;
}
