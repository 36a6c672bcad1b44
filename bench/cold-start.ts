/**
 * Item 4, cold start: the handler exactly as `serverless package` zips it, against a bundle that only
 * constructs an `SQSClient`, built by esbuild with the options serverless-esbuild gets
 * (`serverless print --path custom.esbuild`). Sizes raw and gzip (what is loaded at init, and the
 * chunks loaded only on demand), and module init time: `await import()` of the module in fresh
 * processes, alternating the two bundles, under the function's environment (its `NODE_OPTIONS`
 * included), never with `NODE_EXTRA_CA_CERTS` (the template sets none).
 */
import * as esbuild from 'esbuild';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { median, round } from './stats.js';
import { readZip } from '../devkit/zip.js';

const run = promisify(execFile);
const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SERVERLESS_BIN = path.join(PROJECT_DIR, 'node_modules/osls/bin/serverless.js');
const SQS_ONLY_ENTRY = fileURLToPath(new URL('./sqs-client-only.ts', import.meta.url));
const STAGE = 'bench';
const FUNCTION = 'poll';
const SERVERLESS_TIMEOUT_MS = 180_000;
/** osls ends an error report with this line, then waits forever on esbuild (floydspace/serverless-esbuild#532). */
const OSLS_ERROR_FOOTER = /^Docs: +github\.com\/oss-serverless\/osls/m;
/** serverless-esbuild's own options, which it keeps from esbuild. */
const PLUGIN_ONLY_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

export interface BundleSize extends Record<string, number> {
  /** The module and the chunks it imports statically: what is read and compiled at init. */
  initRawKiB: number;
  initGzipKiB: number;
  /** Chunks imported only on demand (secret references, other credential sources). */
  lazyRawKiB: number;
  lazyGzipKiB: number;
}

export interface ColdStartFigures extends Record<string, number | string | BundleSize | Record<string, number>> {
  node: string;
  handler: BundleSize;
  sqsOnly: BundleSize;
  zipKiB: number;
  handlerInitMs: number;
  sqsOnlyInitMs: number;
  /** Handler init over SQS-only init. */
  initRatio: number;
  runs: number;
  /** Minified bytes in the init-loaded handler by package, the largest first. */
  largestPackagesKiB: Record<string, number>;
  /** Init of the SQS-only bundle with the handler's dependencies added one by one, then the handler. */
  layersInitMs: Record<string, number>;
}

interface Bundle {
  dir: string;
  entry: string;
  size: BundleSize;
}

/**
 * The handler's dependencies, added one by one to the SQS-only bundle (each constructed as the
 * handler does at init): what each costs at cold start. The handler adds zod and its own code.
 */
const LAYERS: readonly { name: string; source: string }[] = [
  { name: '+ DynamoDB client', source: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const dynamodb = new DynamoDBClient({});" },
  {
    name: '+ Powertools Logger, Metrics, middy',
    source: [
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
      "import { Metrics } from '@aws-lambda-powertools/metrics';",
      "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
      "import middy from '@middy/core';",
      "const logger = new Logger({ serviceName: 'bench' });",
      "export const wrapped = middy(async () => 0).use(injectLambdaContext(logger)).use(logMetrics(new Metrics({ namespace: 'Bench', logger })));",
    ].join('\n'),
  },
  { name: '+ node-fetch', source: "export { default as fetch } from 'node-fetch';" },
  { name: '+ standardwebhooks', source: "export { Webhook } from 'standardwebhooks';" },
];

/**
 * Packages the service, builds the SQS-only bundle, and times both under each Node binary.
 *
 * @example
 * const figures = await measureColdStart({ runs: 15, nodeBinaries: [process.execPath] });
 */
export async function measureColdStart(options: { runs: number; nodeBinaries: string[] }): Promise<ColdStartFigures[]> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'apig-watch-bench-'));
  try {
    const packaged = await packageFunction(workDir);
    const buildOptions = await serverlessEsbuildOptions(workDir);
    const sqsOnly = await buildBundle(workDir, 'sqs-only', buildOptions, { entryPoints: [SQS_ONLY_ENTRY] });
    const layers: Bundle[] = [];
    let source = await readFile(SQS_ONLY_ENTRY, 'utf8');
    for (const [index, layer] of LAYERS.entries()) {
      source += `\n${layer.source}`;
      layers.push(
        await buildBundle(workDir, `layer-${index + 1}`, buildOptions, {
          stdin: { contents: source, resolveDir: path.dirname(SQS_ONLY_ENTRY), sourcefile: `layer-${index + 1}.ts`, loader: 'ts' },
        }),
      );
    }
    const largestPackagesKiB = await largestPackages(buildOptions, packaged.handler);
    const loader = path.join(workDir, 'load.mjs');
    await writeFile(loader, 'const started = performance.now();\nawait import(process.argv[2]);\nprocess.stdout.write(String(performance.now() - started));\n');
    const bundles = [packaged.handler, sqsOnly, ...layers];
    const results: ColdStartFigures[] = [];
    for (const node of options.nodeBinaries) {
      const times = bundles.map(() => [] as number[]);
      for (let index = 0; index < options.runs; index += 1) {
        // A different bundle goes first each round, so none is always timed right after another.
        for (let step = 0; step < bundles.length; step += 1) {
          const which = (index + step) % bundles.length;
          times[which]?.push(await timeImport(node, loader, bundles[which] as Bundle, packaged.environment));
        }
      }
      const [handlerInitMs = Number.NaN, sqsOnlyInitMs = Number.NaN, ...layerInitMs] = times.map((values) => median(values));
      results.push({
        node: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
        handler: packaged.handler.size,
        sqsOnly: sqsOnly.size,
        zipKiB: round(packaged.zipBytes / 1024, 0),
        handlerInitMs: round(handlerInitMs, 1),
        sqsOnlyInitMs: round(sqsOnlyInitMs, 1),
        initRatio: round(handlerInitMs / sqsOnlyInitMs, 2),
        runs: options.runs,
        largestPackagesKiB,
        layersInitMs: Object.fromEntries([
          ['SQS client only', round(sqsOnlyInitMs, 1)],
          ...LAYERS.map((layer, index) => [layer.name, round(layerInitMs[index] ?? Number.NaN, 1)]),
          ["handler (+ zod, the project's code)", round(handlerInitMs, 1)],
        ]),
      });
    }
    return results;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** `serverless package`, offline and without AWS credentials; the function's zip unpacked as Lambda's task root. */
async function packageFunction(workDir: string): Promise<{ handler: Bundle; zipBytes: number; environment: Record<string, string> }> {
  const packageDir = path.join(workDir, 'package');
  await runServerless(['package', '--stage', STAGE, '--package', packageDir], workDir);
  const template = JSON.parse(await readFile(path.join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: { Code: { S3Key: string }; Handler: string; Environment?: { Variables?: Record<string, unknown> } } }
    >;
  };
  const logicalId = `${FUNCTION[0]?.toUpperCase()}${FUNCTION.slice(1)}LambdaFunction`;
  const properties = template.Resources[logicalId]?.Properties;
  if (properties === undefined) throw new Error(`no ${logicalId} in the packaged template`);
  const zip = await readFile(path.join(packageDir, path.basename(properties.Code.S3Key)));
  const taskRoot = path.join(workDir, 'task-root');
  for (const entry of readZip(zip)) {
    await mkdir(path.join(taskRoot, path.dirname(entry.name)), { recursive: true });
    await writeFile(path.join(taskRoot, entry.name), entry.data);
  }
  const handlerPath = properties.Handler;
  const entry = `${handlerPath.slice(0, handlerPath.lastIndexOf('.'))}.mjs`;
  const environment = Object.fromEntries(
    Object.entries(properties.Environment?.Variables ?? {}).filter((pair): pair is [string, string] => typeof pair[1] === 'string'),
  );
  return { handler: { dir: taskRoot, entry, size: await bundleSize(taskRoot, entry) }, zipBytes: zip.length, environment };
}

/** The options serverless-esbuild passes to esbuild, from the service's own configuration. */
async function serverlessEsbuildOptions(workDir: string): Promise<esbuild.BuildOptions> {
  const printed = JSON.parse(await runServerless(['print', '--path', 'custom.esbuild', '--format', 'json', '--stage', STAGE], workDir)) as Record<
    string,
    unknown
  >;
  const options: Record<string, unknown> = Object.fromEntries(Object.entries(printed).filter(([key]) => !PLUGIN_ONLY_OPTIONS.includes(key)));
  const exclude = (printed.exclude ?? []) as string[];
  options.external = [...((printed.external ?? []) as string[]), ...(exclude.includes('*') ? [] : exclude)];
  if (typeof printed.outputFileExtension === 'string' && printed.outputFileExtension !== '.js') options.outExtension = { '.js': printed.outputFileExtension };
  if (typeof printed.plugins === 'string') options.plugins = createRequire(import.meta.url)(path.join(PROJECT_DIR, printed.plugins)) as esbuild.Plugin[];
  return options as esbuild.BuildOptions;
}

/** Builds a bundle with the service's esbuild options into `workDir/name/handlers`. */
async function buildBundle(
  workDir: string,
  name: string,
  buildOptions: esbuild.BuildOptions,
  input: Pick<esbuild.BuildOptions, 'entryPoints' | 'stdin'>,
): Promise<Bundle> {
  const dir = path.join(workDir, name);
  await esbuild.build({ ...buildOptions, ...input, outdir: path.join(dir, 'handlers'), absWorkingDir: PROJECT_DIR, logLevel: 'silent' });
  const entry = `handlers/${input.stdin ? 'stdin' : path.parse(SQS_ONLY_ENTRY).name}.mjs`;
  return { dir, entry, size: await bundleSize(dir, entry) };
}

/** What the init-loaded handler is made of, by package (esbuild's metafile of the same build). */
async function largestPackages(buildOptions: esbuild.BuildOptions, handler: Bundle): Promise<Record<string, number>> {
  const entryPoint = handler.entry.replace(/\.mjs$/, '.ts');
  const result = await esbuild.build({
    ...buildOptions,
    entryPoints: [entryPoint],
    outdir: path.join(tmpdir(), 'apig-watch-bench-metafile'),
    absWorkingDir: PROJECT_DIR,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const entryOutput = Object.keys(outputs).find((name) => outputs[name]?.entryPoint === entryPoint);
  const loaded = new Set<string>();
  const visit = (name: string) => {
    if (loaded.has(name)) return;
    loaded.add(name);
    for (const imported of outputs[name]?.imports ?? []) if (imported.kind === 'import-statement' && outputs[imported.path]) visit(imported.path);
  };
  if (entryOutput) visit(entryOutput);
  const byPackage = new Map<string, number>();
  for (const name of loaded) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[name]?.inputs ?? {})) {
      const key = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return Object.fromEntries(
    [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([key, bytes]) => [key, round(bytes / 1024, 1)]),
  );
}

/** Sizes of a bundle's module and the chunks it imports statically, and of the chunks it leaves for later. */
async function bundleSize(dir: string, entry: string): Promise<BundleSize> {
  const files = new Map<string, Buffer>();
  const read = async (name: string) => {
    if (!files.has(name)) files.set(name, await readFile(path.join(dir, name)));
    return files.get(name) as Buffer;
  };
  const loaded = new Set<string>();
  const visit = async (name: string) => {
    if (loaded.has(name)) return;
    loaded.add(name);
    const text = (await read(name)).toString('utf8');
    for (const [, imported] of text.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.mjs)"/g))
      await visit(path.posix.join(path.posix.dirname(name), imported as string));
  };
  await visit(entry);
  const { readdir } = await import('node:fs/promises');
  const all = (await readdir(path.join(dir, path.dirname(entry))))
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => path.posix.join(path.posix.dirname(entry), name));
  const sizeOf = async (names: string[]) => {
    let raw = 0;
    let gzip = 0;
    for (const name of names) {
      const data = await read(name);
      raw += data.length;
      gzip += gzipSync(data, { level: 9 }).length;
    }
    return { raw: round(raw / 1024, 1), gzip: round(gzip / 1024, 1) };
  };
  const init = await sizeOf([...loaded]);
  const lazy = await sizeOf(all.filter((name) => !loaded.has(name)));
  return { initRawKiB: init.raw, initGzipKiB: init.gzip, lazyRawKiB: lazy.raw, lazyGzipKiB: lazy.gzip };
}

/** Milliseconds `await import()` of the bundle takes in a fresh process, as the Lambda runtime loads it. */
async function timeImport(node: string, loader: string, bundle: Bundle, environment: Record<string, string>): Promise<number> {
  const { stdout } = await run(node, [loader, path.join(bundle.dir, bundle.entry)], {
    cwd: bundle.dir,
    env: lambdaEnvironment(bundle.dir, environment),
    timeout: 30_000,
  });
  const milliseconds = Number(stdout);
  if (!Number.isFinite(milliseconds)) throw new Error(`could not time ${bundle.entry}: ${stdout}`);
  return milliseconds;
}

/**
 * The function's environment as Lambda gives it: the template's variables (its `NODE_OPTIONS`
 * included), references it cannot resolve here replaced by plausible values, the runtime's own;
 * never `NODE_EXTRA_CA_CERTS`.
 */
function lambdaEnvironment(taskRoot: string, fromTemplate: Record<string, string>): NodeJS.ProcessEnv {
  const usable = Object.fromEntries(Object.entries(fromTemplate).filter(([, value]) => !/^(ssm|secretsmanager):/.test(value)));
  return {
    ...usable,
    WATCH_QUEUE_URL: 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-bench-watch',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-bench-dead-letter',
    WATCH_TABLE_NAME: 'apig-watch-bench-watch',
    NOTIFY_URLS: 'webhook+http://127.0.0.1:9/hook',
    HUAWEICLOUD_SDK_AK: 'AKBENCHBENCHBENCH000',
    HUAWEICLOUD_SDK_SK: 'bench-secret-key',
    // In AWS a `secretsmanager:` reference read at the first batch, not at load: a value here.
    STATE_SIGNING_KEY: 'a-bench-state-signing-key-of-32-bytes-or-more',
    PATH: process.env.PATH,
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: 'ap-southeast-1',
    AWS_DEFAULT_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench-aws-secret',
    AWS_SESSION_TOKEN: 'bench-aws-session-token',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs the osls CLI offline, with no AWS credentials or profiles, and resolves with its stdout. */
function runServerless(args: string[], workDir: string): Promise<string> {
  const { NODE_OPTIONS: _flags, NODE_EXTRA_CA_CERTS: _certs, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(inherited).filter(([name]) => !name.startsWith('AWS_')));
  const nowhere = path.join(workDir, 'no-such-aws-file');
  Object.assign(env, { AWS_SHARED_CREDENTIALS_FILE: nowhere, AWS_CONFIG_FILE: nowhere, AWS_EC2_METADATA_DISABLED: 'true' });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVERLESS_BIN, ...args], { cwd: PROJECT_DIR, env, stdio: 'pipe' });
    let stdout = '';
    let output = '';
    let stopping: NodeJS.Timeout | undefined;
    const stop = (afterMs: number) => setTimeout(() => child.kill('SIGTERM'), afterMs);
    const timeout = stop(SERVERLESS_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!stopping && OSLS_ERROR_FOOTER.test(output)) stopping = stop(2000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(stopping);
      if (code === 0) resolve(stdout);
      else reject(new Error(`serverless ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.slice(-3000)}`));
    });
  });
}
