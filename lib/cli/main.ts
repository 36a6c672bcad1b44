import { createRequire } from 'node:module';
import { EXIT_CODES, reportError, type CliIo } from './process.js';
import { buildProgram } from './program.js';

/** bin/apig-watch.js takes both `runCli` and `processIo` from this entry of the bundle. */
export { processIo } from './process.js';

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
    return reportError(error, io);
  }
}

function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
