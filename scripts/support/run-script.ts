/**
 * Runs a script's `main` and exits with its code; an error is printed and exits 1.
 *
 * @example
 * runScript(main);
 */
export function runScript(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * What `read` returns, or `undefined` if it throws (a record that is not a watch message, say).
 *
 * @example
 * const message = safely(() => parseMessageBody(record.body, keys));
 */
export function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
