const { existsSync } = require('node:fs');
const path = require('node:path');

/**
 * The stage parameters of serverless.yml (`params: ${file(./stage-params.cjs)}`; docs/deploy.md,
 * "Deploy parameters"). From lowest to highest precedence: `custom.params.default`,
 * `custom.params.<stage>`, then the stage's own file `params/<stage>.yml` when there is one;
 * `--param="name=value"` on the command line still wins over all of them (osls does that).
 * A name in the file that serverless.yml does not define is refused, naming it: a misspelt
 * setting never silently falls back to its default. CommonJS: osls loads this with `require`.
 */
module.exports = async ({ options, resolveConfigurationProperty, resolveVariable }) => {
  const stage = String(options.stage ?? (await resolveConfigurationProperty(['provider', 'stage'])) ?? 'dev');
  const defaults = await resolveConfigurationProperty(['custom', 'params', 'default']);
  const stageDefaults = (await resolveConfigurationProperty(['custom', 'params', stage])) ?? {};
  const file = `params/${stage}.yml`;
  const fromFile = existsSync(path.join(__dirname, file)) ? ((await resolveVariable(`file(./${file})`)) ?? {}) : {};
  const unknown = Object.keys(fromFile).filter((name) => !Object.hasOwn(defaults, name));
  if (unknown.length > 0) throw new Error(`${file}: no such stage parameter: ${unknown.join(', ')} (serverless.yml, custom.params.default, lists them)`);
  return { default: { ...defaults, ...stageDefaults, ...fromFile } };
};
