import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqsHandler } from '../../devkit/local-event-source.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS } from './budgets.js';

/**
 * The packaged handler in a process of its own, as Lambda runs it, driven over IPC: the local
 * event source (in the test's process) calls `handler`, which forwards each event to the child
 * and resolves with the child's answer. Nothing is mocked: the child is the zip's module, loaded
 * from an ES-module entry, reading its own environment at load.
 */
export interface PackagedHandler {
  handler: SqsHandler;
  stop(): Promise<void>;
}

const DRIVER = `
import { pathToFileURL } from 'node:url';
const [moduleFile, exportName] = process.argv.slice(2);
const handler = (await import(pathToFileURL(moduleFile).href))[exportName];
process.on('message', async ({ id, event, timeoutMs }) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName: 'apig-watch-ci-poll', functionVersion: '$LATEST', awsRequestId: 'local-' + id,
    invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:123456789012:function:apig-watch-ci-poll',
    memoryLimitInMB: '512', logGroupName: '/aws/lambda/apig-watch-ci-poll', logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    process.send({ id, response: await handler(event, context) });
  } catch (error) {
    process.send({ id, error: String(error && error.stack || error) });
  }
});
process.send({ ready: true });
`;

/**
 * Starts `moduleFile`'s `exportName` in a child of `nodeBin` with `env`.
 *
 * @example
 * const packaged = await startPackagedHandler({ taskRoot, moduleFile, exportName: 'handler', env, nodeBin: process.execPath });
 * startLocalEventSource({ sqs, queueUrl, handler: packaged.handler });
 */
export async function startPackagedHandler(options: {
  taskRoot: string;
  moduleFile: string;
  exportName: string;
  env: NodeJS.ProcessEnv;
  nodeBin: string;
  timeoutMs?: number;
}): Promise<PackagedHandler> {
  const driver = path.join(options.taskRoot, 'local-driver.mjs');
  await writeFile(driver, DRIVER);
  const child: ChildProcess = fork(driver, [path.join(options.taskRoot, options.moduleFile), options.exportName], {
    cwd: options.taskRoot,
    env: options.env,
    execPath: options.nodeBin,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let sequence = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the packaged handler exited at load (${code})`)));
    child.on('message', (message: { ready?: boolean; id?: number; response?: unknown; error?: string }) => {
      if (message.ready) return resolve();
      const waiting = pending.get(message.id ?? -1);
      pending.delete(message.id ?? -1);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.response);
    });
  });
  const timeoutMs = options.timeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;
  return {
    handler: (event) =>
      new Promise((resolve, reject) => {
        sequence += 1;
        pending.set(sequence, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id: sequence, event, timeoutMs });
      }),
    async stop() {
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
