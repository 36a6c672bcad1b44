import { DEFAULT_EVENT_KINDS, type EventKind } from './events.js';
import type { Target } from './ports/index.js';
import type { Operation, WatchRequest } from './request.js';

/**
 * The targets that want `event` of the watch asked for by `request` (docs/configuration.md, "Routing and
 * filters"): a target's `on` (default: every outcome but `cancelled`, and the health notices; not `started`) must include the event, its `op` (default: every operation) the event's operation, each
 * of its `when` labels must be in the request's `context` with one of the listed values, and a
 * target with `groups` is used only when the request's `notify` names one of them. Pure: the
 * poller calls it before each delivery, `apig-watch test-notify` and `discover` to show the routing.
 *
 * @example
 * const targets = parseNotifyUrls('https://a.example/all,https://b.example/pay#on=failed&when=team:payments');
 * selectTargets(targets, failedEvent, { context: { team: 'payments' } }); // → both targets
 * selectTargets(targets, succeededEvent, { context: { team: 'payments' } }); // → the first only
 */
export function selectTargets(
  targets: readonly Target[],
  event: { data: { outcome: EventKind; operation?: Operation } },
  request: Pick<WatchRequest, 'context' | 'notify'>,
): Target[] {
  const kind = event.data.outcome;
  const named = new Set(request.notify ?? []);
  return targets.filter(
    (target) =>
      (target.on ?? DEFAULT_EVENT_KINDS).includes(kind) &&
      (target.operations === undefined || target.operations.includes(event.data.operation ?? 'creation')) &&
      Object.entries(target.when ?? {}).every(([label, values]) => {
        const value = Object.hasOwn(request.context, label) ? request.context[label] : undefined;
        return value !== undefined && values.includes(value);
      }) &&
      (target.groups === undefined || target.groups.some((group) => named.has(group))),
  );
}

/**
 * The groups a request names that no target belongs to (a typo, or a group not configured yet):
 * worth a warning, never an error, because `NOTIFY_URLS` may change while a watch runs.
 *
 * @example
 * unknownGroups(parseNotifyUrls('https://a.example/x#group=payments'), { notify: ['paymnets'] }); // → ['paymnets']
 */
export function unknownGroups(targets: readonly Target[], request: Pick<WatchRequest, 'notify'>): string[] {
  const known = new Set(targets.flatMap((target) => target.groups ?? []));
  return (request.notify ?? []).filter((group) => !known.has(group));
}
