import { EXIT_CODES } from './exit-codes.js';

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
