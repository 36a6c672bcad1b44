import { type EventKind, formatElapsed, isEuropeanSiteRegion, type NotificationEvent, type Operation } from '../watch/index.js';
import { fitInto } from './fit.js';

/** Caps on echoed values, so every channel's limit can be met by shortening the error message alone. */
const GATEWAY_NAME_MAX_CHARS = 100;
const FACT_VALUE_MAX_CHARS = 200;
const LABEL_KEY_MAX_CHARS = 50;
const LABEL_VALUE_MAX_CHARS = 200;
const MAX_LABELS = 10;
const ERROR_MESSAGE_MAX_CHARS = 4000;

const CONSOLE_ORIGIN = 'https://console.huaweicloud.com';
const EU_CONSOLE_ORIGIN = 'https://console.eu.huaweicloud.com';

/** How an outcome should feel; each channel maps it onto its own palette. */
export type Tone = 'good' | 'warning' | 'attention' | 'neutral';

/** Hex colour per tone (Slack's palette), for channels that take any colour. */
const TONE_COLOURS: Readonly<Record<Tone, string>> = {
  good: '#2EB67D',
  warning: '#ECB22E',
  attention: '#E01E5A',
  neutral: '#1D9BD1',
};

interface OutcomeText {
  tone: Tone;
  emoji: string;
  headline: string;
  detail: string;
}

const OUTCOME_TEXT: Readonly<Record<EventKind, OutcomeText>> = {
  succeeded: {
    tone: 'good',
    emoji: '✅',
    headline: 'Gateway created',
    detail: 'The dedicated gateway was created and is ready to use.',
  },
  failed: {
    tone: 'attention',
    emoji: '❌',
    headline: 'Gateway creation failed',
    detail: 'Huawei Cloud reported that creating the dedicated gateway failed.',
  },
  not_found: {
    tone: 'attention',
    emoji: '❓',
    headline: 'Gateway not found',
    detail: 'Huawei Cloud does not know this instance: the instance id is wrong or the gateway was deleted.',
  },
  unauthorized: {
    tone: 'attention',
    emoji: '🔑',
    headline: 'Credentials rejected',
    detail: 'Huawei Cloud rejected the credentials of apig-watch, even with a fresh token: check its AK/SK or IAM settings.',
  },
  forbidden: {
    tone: 'attention',
    emoji: '⛔',
    headline: 'Permission missing',
    detail: 'The credentials of apig-watch lack the permission apig:instance:getCreateProgress.',
  },
  timed_out: {
    tone: 'warning',
    emoji: '⏱️',
    headline: 'Gateway still creating at the deadline',
    detail: 'The gateway was still being created when the watch reached its deadline; apig-watch stopped watching.',
  },
  unavailable: {
    tone: 'warning',
    emoji: '⚠️',
    headline: 'Creation progress unavailable',
    detail: 'The Huawei Cloud API stayed unavailable for longer than the retry budget; the outcome is unknown.',
  },
  not_started: {
    tone: 'warning',
    emoji: '💤',
    headline: 'Operation never started',
    detail: "Huawei Cloud's instance status never showed the operation within its grace: it may not have been requested, or Huawei refused it.",
  },
  cancelled: {
    tone: 'neutral',
    emoji: '🛑',
    headline: 'Watch cancelled',
    detail: 'An operator cancelled this watch (apig-watch cancel); apig-watch no longer watches the gateway, which Huawei Cloud may still be creating.',
  },
  recovered: {
    tone: 'good',
    emoji: '💚',
    headline: 'Gateway healthy again',
    detail: 'The dedicated gateway is Running again after being unhealthy or frozen.',
  },
  unhealthy: {
    tone: 'attention',
    emoji: '🩺',
    headline: 'Gateway unhealthy',
    detail: 'Huawei Cloud reports the dedicated gateway as Unhealthy; apig-watch tells you when it is Running again.',
  },
  frozen: {
    tone: 'attention',
    emoji: '🧊',
    headline: 'Gateway frozen',
    detail:
      'Huawei Cloud has frozen the dedicated gateway (often an overdue bill or a security lock): see the console; apig-watch tells you when it is Running again.',
  },
  started: {
    tone: 'neutral',
    emoji: '⏳',
    headline: 'Gateway creation started',
    detail: 'Huawei Cloud is creating the dedicated gateway; apig-watch is watching it until it ends.',
  },
};

/** `unavailable` when no answer ever came: nothing is known of the gateway, only of the address. */
const NEVER_ANSWERED_TEXT: OutcomeText = {
  tone: 'warning',
  emoji: '⚠️',
  headline: 'Huawei Cloud never answered',
  detail:
    'Huawei Cloud never answered the progress request, so nothing is known about the gateway: check the endpoint, the region and the network named in the error.',
};
/** `unavailable` when Huawei answered only with errors: nothing is known of the gateway either. */
const NO_PROGRESS_TEXT: OutcomeText = {
  ...NEVER_ANSWERED_TEXT,
  headline: 'No progress from Huawei Cloud',
  detail: 'Huawei Cloud answered only with errors, never with the progress, so nothing is known about the gateway: see the error.',
};

/**
 * Whether an outcome is `unavailable` without any answer from Huawei (no HTTP answer at all), as
 * opposed to one with errors only, or an outage after progress was seen.
 *
 * @example
 * isNeverAnswered(event.data) // true: "Huawei never answered (3 attempts): … ECONNREFUSED …"
 */
export function isNeverAnswered(data: NotificationEvent['data']): boolean {
  return data.unavailable_reason === 'never_answered';
}

/** How each operation is said; creation's words are the ones above. */
const OPERATION_WORDS: Readonly<Record<Exclude<Operation, 'creation'>, { noun: string; done: string; doing: string; capital: string }>> = {
  resize: { noun: 'resize', done: 'resized', doing: 'being resized', capital: 'Resize' },
  update: { noun: 'update', done: 'updated', doing: 'being updated', capital: 'Update' },
  deletion: { noun: 'deletion', done: 'deleted', doing: 'being deleted', capital: 'Deletion' },
  restart: { noun: 'restart', done: 'restarted', doing: 'restarting', capital: 'Restart' },
  health: { noun: 'health check', done: 'healthy again', doing: 'unhealthy', capital: 'Health' },
};

/** The words of an operation other than creation, which the instance detail follows. */
function operationText(data: NotificationEvent['data'], operation: Exclude<Operation, 'creation'>): OutcomeText {
  const base = OUTCOME_TEXT[data.outcome];
  const words = OPERATION_WORDS[operation];
  if (operation === 'health') return base;
  const status = data.instance_status === null ? '' : ` (${data.instance_status})`;
  switch (data.outcome) {
    case 'succeeded':
      return {
        ...base,
        headline: `Gateway ${words.done}`,
        detail: `The dedicated gateway was ${words.done}${operation === 'deletion' ? '' : ' and is running'}.`,
      };
    case 'failed':
      return {
        ...base,
        headline: `Gateway ${words.noun} failed`,
        detail: `Huawei Cloud reported that the ${words.noun} of the dedicated gateway failed${status}.`,
      };
    case 'timed_out':
      return {
        ...base,
        headline: `Gateway still ${words.doing} at the deadline`,
        detail: `The gateway was still ${words.doing}${status} when the watch reached its deadline; apig-watch stopped watching.`,
      };
    case 'started':
      return {
        ...base,
        headline: `Gateway ${words.noun} started`,
        detail: `Huawei Cloud shows the ${words.noun}${status}; apig-watch is watching it until it ends.`,
      };
    case 'forbidden':
      return { ...base, detail: 'The credentials of apig-watch lack the permission apig:instance:get (the instance detail).' };
    case 'unavailable':
      return { ...base, headline: `${words.capital} status unavailable` };
    default:
      return base;
  }
}

/**
 * The words of an outcome, with the progress reached where it tells how far the creation got
 * ("failed at 50%", "still being created at 80%"), and "never answered" when nothing was heard.
 */
function outcomeText(data: NotificationEvent['data']): OutcomeText {
  if (data.operation !== 'creation') return operationText(data, data.operation);
  const base = OUTCOME_TEXT[data.outcome];
  const at = data.progress === null ? '' : ` at ${data.progress}%`;
  switch (data.outcome) {
    case 'failed':
      return { ...base, detail: `Huawei Cloud reported that creating the dedicated gateway failed${at}.` };
    case 'timed_out':
      return { ...base, detail: `The gateway was still being created${at} when the watch reached its deadline; apig-watch stopped watching.` };
    case 'unavailable':
      if (data.status === null) return isNeverAnswered(data) ? NEVER_ANSWERED_TEXT : NO_PROGRESS_TEXT;
      return {
        ...base,
        detail: `The Huawei Cloud API stayed unavailable for longer than the retry budget (last seen ${data.status}${at}); the outcome is unknown.`,
      };
    default:
      return base;
  }
}

export interface Fact {
  label: string;
  value: string;
}

/** What every channel shows, before markup: one model so all channels say the same thing. */
export interface Message {
  tone: Tone;
  colour: string;
  emoji: string;
  /** Ours, e.g. "Gateway created". */
  headline: string;
  /** The gateway's name, or its id when unnamed (echoed: escape it). */
  gateway: string;
  /** Ours: what happened and what to do. */
  detail: string;
  /** Gateway, instance, project, region, status, progress, elapsed, error code (values echoed). */
  facts: Fact[];
  /** Huawei's error message, capped; renderers shorten it further to fit their limits. */
  errorMessage: string | null;
  hint: string | null;
  /** The watch request's `context`, at most ten entries (keys and values echoed). */
  labels: Fact[];
  consoleUrl: string;
  consoleLabel: string;
}

/**
 * The APIG console for a region (it opens on the region's gateway list). Regions starting with
 * `eu-west-1` live on Huawei Cloud's European site.
 *
 * @example
 * consoleUrl('ap-southeast-1'); // → 'https://console.huaweicloud.com/apig/?region=ap-southeast-1'
 */
export function consoleUrl(region: string): string {
  const origin = isEuropeanSiteRegion(region) ? EU_CONSOLE_ORIGIN : CONSOLE_ORIGIN;
  return `${origin}/apig/?region=${encodeURIComponent(region)}`;
}

/**
 * The message model of an event: what every channel renders, with echoed values on one line
 * and capped.
 *
 * @example
 * const message = composeMessage(event);
 * formatTitle(message, escapeSlack); // → '✅ Gateway created: orders-gw-prod'
 */
export function composeMessage(event: NotificationEvent): Message {
  const { data } = event;
  const text = outcomeText(data);
  const elapsed = data.elapsed ?? (data.elapsed_ms === null ? null : formatElapsed(data.elapsed_ms));
  const facts: Array<[string, string | number | null]> = [
    ['Gateway', data.instance_name],
    ['Instance ID', data.instance_id],
    ['Project ID', data.project_id],
    ['Region', data.region],
    ['Status', data.status],
    ['Progress', data.progress === null ? null : `${data.progress}%`],
    ['Elapsed', elapsed],
    ['Error code', data.error_code],
    ['Instance status', data.operation === 'creation' && data.outcome === 'succeeded' && data.instance_status === 'Running' ? null : data.instance_status],
    ['Spec', data.gateway?.spec ?? null],
    ['Public address', data.gateway?.public_ingress_address ?? null],
    ['Private address', data.gateway?.private_ingress_address ?? null],
    ['Enterprise project', data.gateway?.enterprise_project_id ?? null],
  ];
  return {
    tone: text.tone,
    colour: TONE_COLOURS[text.tone],
    emoji: text.emoji,
    headline: text.headline,
    gateway: oneLine(data.instance_name ?? data.instance_id, GATEWAY_NAME_MAX_CHARS),
    detail: text.detail,
    facts: facts.flatMap(([label, value]) => (value === null ? [] : [{ label, value: oneLine(String(value), FACT_VALUE_MAX_CHARS) }])),
    errorMessage: data.error_msg === null ? null : oneLine(data.error_msg, ERROR_MESSAGE_MAX_CHARS),
    hint: data.hint,
    labels: Object.entries(data.context)
      .slice(0, MAX_LABELS)
      .map(([key, value]) => ({
        label: oneLine(key, LABEL_KEY_MAX_CHARS),
        value: oneLine(value, LABEL_VALUE_MAX_CHARS),
      })),
    consoleUrl: consoleUrl(data.region),
    consoleLabel: 'Open in Huawei Cloud console',
  };
}

/**
 * The one-line title every channel leads with; `escapeText` is applied to the echoed gateway name.
 *
 * @example
 * formatTitle(message, escapeSlack); // → '❌ Gateway creation failed: orders-gw-prod'
 */
export function formatTitle(message: Message, escapeText: (text: string) => string = (text) => text): string {
  return `${message.emoji} ${message.headline}: ${escapeText(message.gateway)}`;
}

/** Echoed text on one line (so it cannot start markup lines), without control characters, capped. */
function oneLine(text: string, maxChars: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return fitInto(flat, maxChars);
}
