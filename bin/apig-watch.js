#!/usr/bin/env node
// The `apig-watch` command. The sources are TypeScript and run through tsx (a runtime dependency):
// no build step, so a clone works right after `npm ci`, and the CLI can never run stale output.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run that its releases after January 2027 need Node 22; the CLI's
// users cannot act on that, so it is off unless they set the variable themselves.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { runCli, processIo } = await import('../lib/cli/main.ts');
process.exitCode = await runCli(process.argv, processIo());
