import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The bench runs each measurement that loads the handler in a fresh process (`bench/child.ts`):
 * the handler reads its environment once, at import, and a fresh process also gives each item its
 * own peak RSS. Parent and child exchange typed JSON messages over the IPC channel.
 */

export interface Message {
  type: string;
  [key: string]: unknown;
}

/** Messages in arrival order, handed out by type, whether they come before or after they are awaited. */
export interface Channel {
  send(message: Message): void;
  next<T extends Message>(type: string, timeoutMs?: number): Promise<T>;
}

export interface Child extends Channel {
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  kill(): void;
}

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));
const DEFAULT_TIMEOUT_MS = 240_000;

/**
 * Starts `bench/child.ts <task>` with `input`, in this process's environment plus `env`. The
 * child's stdout (the handler's log lines) is dropped unless `BENCH_CHILD_STDOUT` is set; its
 * stderr is kept to explain a failure.
 *
 * @example
 * const child = startChild('concurrency', { runs: 5 });
 * const { figures } = await child.next<{ type: 'result'; figures: Figures }>('result');
 */
export function startChild(task: string, input: unknown, env: Record<string, string> = {}): Child {
  const { NODE_OPTIONS: _ownFlags, ...inherited } = process.env;
  const child = fork(CHILD_ENTRY, [task, JSON.stringify(input)], {
    execArgv: ['--import', 'tsx', '--no-warnings'],
    stdio: ['ignore', process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'ignore', 'pipe', 'ipc'],
    env: { ...inherited, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    if (process.env.BENCH_CHILD_STDOUT) process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const channel = createChannel(
    (message) => {
      if (child.connected) child.send(message);
    },
    (listener) => child.on('message', listener),
    () => `bench child "${task}"${child.exitCode === null ? '' : ` exited with ${child.exitCode}`}: ${stderr.trim().split('\n').slice(-8).join('\n')}`,
  );
  void exited.then(() => channel.fail());
  return { ...channel, exited, kill: () => child.kill('SIGKILL') };
}

/**
 * The child's side of the channel to the bench.
 *
 * @example
 * const parent = parentChannel();
 * parent.send({ type: 'ready', env });
 */
export function parentChannel(): Channel {
  if (process.send === undefined) throw new Error('bench/child.ts runs under the bench (npm run bench), not on its own');
  const channel = createChannel(
    (message) => process.send?.(message),
    (listener) => process.on('message', listener),
    () => 'the bench went away',
  );
  process.once('disconnect', () => channel.fail());
  return channel;
}

function createChannel(
  send: (message: Message) => void,
  subscribe: (listener: (message: Message) => void) => void,
  describeFailure: () => string,
): Channel & { fail(): void } {
  const arrived: Message[] = [];
  const waiting: { type: string; resolve: (message: Message) => void; reject: (error: Error) => void }[] = [];
  subscribe((message) => {
    const waiter = waiting.findIndex((candidate) => candidate.type === message.type);
    if (waiter < 0) arrived.push(message);
    else waiting.splice(waiter, 1)[0]?.resolve(message);
  });
  return {
    send,
    next<T extends Message>(type: string, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const index = arrived.findIndex((message) => message.type === type);
      if (index >= 0) return Promise.resolve(arrived.splice(index, 1)[0] as T);
      if (type !== 'error') {
        const failure = arrived.find((message) => message.type === 'error');
        if (failure) return Promise.reject(new Error(String(failure.message)));
      }
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms (${describeFailure()})`)), timeoutMs);
        const settle =
          <V>(fn: (value: V) => void) =>
          (value: V) => {
            clearTimeout(timer);
            fn(value);
          };
        waiting.push({ type, resolve: settle((message) => resolve(message as T)), reject: settle(reject) });
      });
    },
    fail() {
      const failure = arrived.find((message) => message.type === 'error');
      for (const waiter of waiting.splice(0)) waiter.reject(new Error(failure ? String(failure.message) : describeFailure()));
    },
  };
}
