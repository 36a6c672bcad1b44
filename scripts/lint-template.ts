/**
 * `npm run lint:template`: packages the stack offline twice — with the default stage parameters
 * and with every optional one set — and lints each CloudFormation template with `cfn-lint`.
 * Exits 0 when both are clean, 1 when cfn-lint finds something, 3 when cfn-lint is not installed
 * (saying so: nothing was linted). test/deploy lints its own packaged templates through
 * `lintTemplate` with the same rules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

/**
 * Every optional stage parameter, set (values are placeholders: references, not secrets).
 * test/deploy packages with these too.
 */
export const ALL_OPTIONAL_PARAMS: Readonly<Record<string, string>> = {
  'alarm-topic-arn': 'arn:aws:sns:ap-southeast-1:123456789012:ops',
  'watch-events-source': 'com.example.provisioning',
  'watch-events-bus': 'provisioning',
  'watch-events-detail-type': 'APIG Gateway Creation Started',
  'apig-endpoint': 'https://apig.{region}.example.com',
  'iam-endpoint': 'https://iam.{region}.example.com',
  'webhook-secret': 'ssm:/apig-watch/ci/webhook-secret',
  'webhook-secret-previous': 'ssm:/apig-watch/ci/webhook-secret-previous',
  'huaweicloud-sdk-security-token': 'ssm:/apig-watch/ci/huaweicloud-sdk-security-token',
  'huaweicloud-iam-user': 'ssm:/apig-watch/ci/huaweicloud-iam-user',
  'huaweicloud-iam-password': 'ssm:/apig-watch/ci/huaweicloud-iam-password',
  'huaweicloud-iam-domain': 'ssm:/apig-watch/ci/huaweicloud-iam-domain',
  'huaweicloud-auth-token': 'secretsmanager:apig-watch/ci/huaweicloud-auth-token',
  'state-signing-key-previous': 'ssm:/apig-watch/ci/state-signing-key-previous',
  'state-signing-key-next': 'ssm:/apig-watch/ci/state-signing-key-next',
  'discover-projects': 'ap-southeast-1:0123456789abcdef0123456789abcdef,eu-west-101:fedcba9876543210fedcba9876543210',
  'discover-rate': 'rate(5 minutes)',
};

/**
 * Checks left out, each because the framework generates what it flags (docs/deploy.md, "Template lint"):
 * W3005 — osls adds a `DependsOn` on the start function's role and on the HTTP API integration,
 * which a `GetAtt`/`Ref` already implies. Harmless; not ours to change.
 */
export const IGNORED_CHECKS = ['W3005'] as const;

const NOT_INSTALLED = 'cfn-lint is not installed (pip install cfn-lint, or pipx install cfn-lint), so the template was not linted';

export type LintResult = { linted: false; why: string } | { linted: true; clean: boolean; output: string };

/**
 * Lints one template with `cfn-lint` (errors and warnings both count, except `IGNORED_CHECKS`).
 *
 * @example
 * const result = lintTemplate('.serverless/cloudformation-template-update-stack.json');
 * if (result.linted && !result.clean) console.error(result.output);
 */
export function lintTemplate(templatePath: string): LintResult {
  const run = spawnSync('cfn-lint', ['--ignore-checks', ...IGNORED_CHECKS, '--', templatePath], { encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return { linted: false, why: NOT_INSTALLED };
  }
  return { linted: true, clean: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

/**
 * Packages the stack into `dir` and returns its template's path. The project's own `.serverless/`
 * (an earlier `serverless package` or deploy) is set aside meanwhile and put back as it was:
 * packaging elsewhere still empties it.
 *
 * @example
 * lintTemplate(packageTemplate(mkdtempSync(path.join(tmpdir(), 'lint-')), {}));
 */
export function packageTemplate(dir: string, params: Readonly<Record<string, string>>): string {
  const args = ['serverless', 'package', '--stage', 'ci', '--package', dir, ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)];
  const earlier = path.join(PROJECT_DIR, '.serverless');
  const setAside = path.join(PROJECT_DIR, `.serverless-before-lint-${process.pid}`);
  const hadEarlier = existsSync(earlier);
  if (hadEarlier) renameSync(earlier, setAside);
  try {
    const run = spawnSync('npx', args, { cwd: PROJECT_DIR, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    if (run.status !== 0) throw new Error(`serverless package failed:\n${run.stdout}${run.stderr}`);
    return path.join(dir, TEMPLATE_FILE);
  } finally {
    if (hadEarlier) {
      rmSync(earlier, { recursive: true, force: true });
      renameSync(setAside, earlier);
    }
  }
}

function main(): number {
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (version.error) {
    console.error(`lint:template: ${NOT_INSTALLED}.`);
    return 3;
  }
  console.log(`lint:template: ${version.stdout.trim()}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'apig-watch-lint-'));
  try {
    let clean = true;
    for (const [name, params] of [
      ['default stage parameters', {}],
      ['every optional parameter set', ALL_OPTIONAL_PARAMS],
    ] as const) {
      const result = lintTemplate(packageTemplate(path.join(dir, name.replace(/\W+/g, '-')), params));
      if (!result.linted) throw new Error(result.why);
      clean &&= result.clean;
      console.log(
        `${result.clean ? '✔' : '✖'} cfn-lint, ${name}${result.clean ? `: clean (ignoring ${IGNORED_CHECKS.join(', ')}, see docs/deploy.md, "Template lint")` : `:\n${result.output}`}`,
      );
    }
    return clean ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
