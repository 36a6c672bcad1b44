import { describeFilters } from '../notify/index.js';
import { selectTargets, unknownGroups, type Target, type EventKind, type WatchRequest } from '../watch/index.js';

/** The request fields routing reads. */
export type RoutedRequest = Pick<WatchRequest, 'context' | 'notify'>;

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
