import { CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { ConfigError } from '../config-error.js';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import type { CliIo } from './io.js';
import { buildProgram } from './program.js';

/** Exit code of an error that is none of the above: a bug. */
const INTERNAL_ERROR_EXIT_CODE = EXIT_CODES.internal;

/**
 * Runs `apig-watch` with `argv` (as `process.argv`: node, script, arguments…) and resolves with
 * the exit code; every error becomes a message on stderr and its code (see `EXIT_CODES`).
 *
 * @example
 * process.exitCode = await runCli(process.argv, processIo());
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;
  try {
    await buildProgram(io, (code) => (exitCode = code), packageVersion()).parseAsync(argv);
    return exitCode;
  } catch (error) {
    return await reportError(error, io);
  }
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

async function reportError(error: unknown, io: CliIo): Promise<number> {
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
  return INTERNAL_ERROR_EXIT_CODE;
}

function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
