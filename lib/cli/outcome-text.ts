import { composeMessage, formatTitle } from '../notify/compose-message.js';
import type { DeliveryResult, Target, OutcomeEvent } from '../watch/index.js';

/** Facts worth repeating in a terminal (the ids were on the command line). */
const TERMINAL_FACTS = new Set(['Status', 'Progress', 'Elapsed', 'Error code']);

/**
 * An outcome as terminal text, from the same message model every notification channel renders.
 *
 * @example
 * describeOutcome(event)
 * // ['❌ Gateway creation failed: payments-gw', '   Huawei Cloud reported …', '   Status failed · Progress 0% · Elapsed 3m 40s · Error code APIC.9218 · 9 polls', …]
 */
export function describeOutcome(event: OutcomeEvent): string[] {
  const message = composeMessage(event);
  const facts = message.facts.filter((fact) => TERMINAL_FACTS.has(fact.label)).map((fact) => `${fact.label} ${fact.value}`);
  const polls = event.data.polls === 1 ? '1 poll' : `${event.data.polls} polls`;
  return [
    formatTitle(message),
    `   ${message.detail}`,
    `   ${[...facts, polls].join(' · ')}`,
    ...(message.errorMessage === null ? [] : [`   Error: ${message.errorMessage}`]),
    ...(message.hint === null ? [] : [`   Hint: ${message.hint}`]),
  ];
}

/**
 * What one target answered, in plain words for a terminal: `✔ slack hooks.slack.com #3f2a9c: delivered (HTTP 200)`.
 *
 * @example
 * describeDelivery(target, { status: 'rejected', attempts: 1, reason: 'HTTP 404: channel_not_found', gone: true })
 * // '✖ slack hooks.slack.com #3f2a9c: rejected: HTTP 404: channel_not_found (the channel is gone)'
 * describeDelivery(target, { status: 'retry_later', attempts: 4, reason: 'network error ECONNREFUSED' })
 * // '✖ slack hooks.slack.com #3f2a9c: not delivered: network error ECONNREFUSED after 4 attempts'
 */
export function describeDelivery(target: Target, result: DeliveryResult): string {
  const attempts = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`;
  switch (result.status) {
    case 'delivered':
      return `✔ ${target.display}: delivered (HTTP ${result.httpStatus}${result.attempts === 1 ? '' : `, ${attempts}`})`;
    case 'rejected':
      return `✖ ${target.display}: rejected: ${result.reason}${result.gone ? ' (the channel is gone)' : ''}`;
    case 'retry_later':
      return `✖ ${target.display}: not delivered: ${result.reason}${result.attempts > 0 ? ` after ${attempts}` : ''}`;
  }
}
