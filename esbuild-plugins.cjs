const path = require('node:path');

/**
 * esbuild plugins for the Lambda bundles (serverless.yml, custom.esbuild.plugins). CommonJS:
 * serverless-esbuild loads this file with `require`.
 *
 * chunks-named-after-entry: with `splitting`, every function's chunks land in one directory
 * (serverless-esbuild builds each handler into its directory), and each function's zip would
 * carry the others' chunks too. Named `<entry>.<chunk>-<hash>.mjs`, a function's chunks are
 * left out of the other zips by serverless-esbuild's own rule (it excludes `<other entry>.*`).
 *
 * require-node-http: an ES module's `import … from 'node:http'` makes Node build the module's ES
 * facade, which reads every export, getters included; on Node 22+ `http.WebSocket`,
 * `http.CloseEvent` and `http.MessageEvent` are getters that load undici (≈ 40 ms in an empty
 * process, ≈ 16 ms of the handler's cold start on Node 24) for a client we never use: the AWS
 * SDK, node-fetch and the APIG client only need `http.Agent` and `http.request`. Through `require` (the banner's `createRequire`), the
 * CommonJS module is used as is and its getters are only run if read.
 */
module.exports = [
  {
    name: 'chunks-named-after-entry',
    setup(build) {
      const [entry] = [build.initialOptions.entryPoints ?? []].flat();
      const entryPath = typeof entry === 'string' ? entry : entry?.in;
      if (entryPath) build.initialOptions.chunkNames = `${path.parse(entryPath).name}.[name]-[hash]`;
    },
  },
  {
    name: 'require-node-http',
    setup(build) {
      build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
        args.kind === 'require-call' ? undefined : { path: 'node:http', namespace: 'require-node-http' },
      );
      build.onLoad({ filter: /.*/, namespace: 'require-node-http' }, () => ({
        contents: 'module.exports = require("node:http");',
        loader: 'js',
      }));
    },
  },
];
