import { describeFilters } from '../notify/targets.js';
import { selectTargets, unknownGroups, type Target, type EventKind, watchRequestSchema, type WatchRequest } from '../watch/index.js';
import { CliUsageError } from './errors.js';

/** `--context key=value` and `--group name` (repeatable): the request a routing preview is about. */
export interface RoutingOptions {
  context?: string[];
  group?: string[];
}

/** The request fields routing reads. */
export type RoutedRequest = Pick<WatchRequest, 'context' | 'notify'>;

/**
 * The `context` and `notify` a request with these options would carry, validated by the request
 * schema. Throws `CliUsageError` naming the option.
 *
 * @example
 * routedRequestFrom({ context: ['team=payments'], group: ['payments'] }); // → { context: { team: 'payments' }, notify: ['payments'] }
 */
export function routedRequestFrom(options: RoutingOptions, baseContext: Record<string, string> = {}): RoutedRequest {
  const context = { ...baseContext };
  for (const entry of options.context ?? []) {
    const separator = entry.indexOf('=');
    if (separator <= 0) throw new CliUsageError(`--context must be key=value, got ${JSON.stringify(entry)}`);
    context[entry.slice(0, separator)] = entry.slice(separator + 1);
  }
  const checkedContext = watchRequestSchema.shape.context.safeParse(context);
  if (!checkedContext.success) throw new CliUsageError(`--context ${checkedContext.error.issues[0]?.message ?? 'is invalid'}`);
  const groups = options.group ?? [];
  const checkedGroups = watchRequestSchema.shape.notify.safeParse(groups);
  if (!checkedGroups.success) throw new CliUsageError(`--group ${checkedGroups.error.issues[0]?.message ?? 'is invalid'}`);
  return { context, ...(groups.length > 0 ? { notify: [...new Set(groups)] } : {}) };
}

/**
 * For people: which target would receive which event of a watch with `request`, one line per
 * event kind, then each target's filters; warns about groups no target has.
 *
 * @example
 * describeRouting(targets, ['failed'], { context: { team: 'payments' } });
 * // → ['  failed → slack hooks.slack.com #3f2a9c', '', '  slack hooks.slack.com #3f2a9c: every outcome, every watch']
 */
export function describeRouting(targets: readonly Target[], kinds: readonly EventKind[], request: RoutedRequest): string[] {
  const routes = kinds.map((kind) => {
    const chosen = selectTargets(targets, { data: { outcome: kind } }, request);
    return `  ${kind} → ${chosen.length === 0 ? 'nobody' : chosen.map((target) => target.display).join(', ')}`;
  });
  const filters = targets.map((target) => `  ${target.display}: ${describeFilters(target)}`);
  const unknown = unknownGroups(targets, request);
  const warning = unknown.length === 0 ? [] : [`  (no target is in group ${unknown.join(', ')})`];
  return [...routes, ...warning, '', ...filters];
}
