import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WAIT_MS } from './budgets.js';

/** The `bin` of package.json: what `npx apig-watch` runs (the bundle in dist/, which jest's globalSetup builds). */
export const APIG_WATCH_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/apig-watch.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment with nothing of the test runner's in it (no NOTIFY_URLS, AWS_*, NODE_OPTIONS…):
 * only what a process needs to start, plus `env`.
 */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = process.env;
  return { ...(PATH && { PATH }), ...(HOME && { HOME }), ...(TMPDIR && { TMPDIR }), ...env };
}

/** Starts `apig-watch args…` as a user would (its stdout and stderr are pipes, not a TTY). */
export function spawnApigWatch(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [APIG_WATCH_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Runs `apig-watch args…` to its end and resolves with its exit code and output; kills it after
 * `timeoutMs` (the result then has `signal: 'SIGKILL'`).
 *
 * @example
 * const { code, stdout } = await runApigWatch(['watch', '--help'], cleanEnv());
 */
export function runApigWatch(args: string[], env: NodeJS.ProcessEnv, timeoutMs = DEFAULT_WAIT_MS): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnApigWatch(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The last non-empty line of an output. */
export function lastLine(output: string): string {
  return output.trimEnd().split('\n').at(-1) ?? '';
}
