#!/usr/bin/env node
// The `apig-watch` command: the bundle that `npm ci` builds into dist/ (the `prepare` script,
// scripts/build-cli.mjs). Starting plain JavaScript takes a tenth of compiling TypeScript at run time.
// The AWS SDK warns on every run that its releases after January 2027 need Node 22; the CLI's
// users cannot act on that, so it is off unless they set the variable themselves.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let cli;
try {
  cli = await import('../dist/cli/apig-watch.mjs');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/apig-watch.mjs')) throw error;
  process.stderr.write('apig-watch: the command is not built (dist/cli/ is missing): run `npm run build` (npm ci runs it unless scripts are disabled)\n');
  process.exit(70);
}
process.exitCode = await cli.runCli(process.argv, cli.processIo());
