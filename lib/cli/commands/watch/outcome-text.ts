import { composeMessage, formatTitle } from '../../../notify/index.js';
import type { OutcomeEvent } from '../../../watch/index.js';

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
