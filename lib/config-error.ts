/**
 * A setting that is wrong or missing; the message names the variable (never its value). The one
 * error of configuration: the settings' own checks throw it, and so do the parsers of settings
 * that live with their area (`NotifyConfigError` for `NOTIFY_URLS`, `DiscoverProjectsError` for
 * `DISCOVER_PROJECTS`), which extend it instead of being wrapped.
 */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}
