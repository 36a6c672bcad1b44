import { createHash } from 'node:crypto';
import { EVENT_KINDS, type EventKind, GROUP_NAME_PATTERN, OPERATIONS, type Target } from '../watch/index.js';
import { NotifyConfigError } from './errors.js';

/** The channels apig-watch can post to. */
export const CHANNEL_TYPES = ['slack', 'webhook', 'feishu', 'dingtalk', 'wecom', 'teams', 'discord'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A `NOTIFY_URLS` entry of a known channel: the core's `Target`, its `type` narrowed. */
export interface ChannelTarget extends Target {
  type: ChannelType;
}

const VARIABLE = 'NOTIFY_URLS';
/** Hex characters of sha256(type, url) kept as the target id. */
const TARGET_ID_LENGTH_CHARS = 12;
/** Channels whose webhooks take a signing secret (`#secret=…`). */
const SIGNED_CHANNELS: readonly ChannelType[] = ['dingtalk', 'feishu'];
/** An unknown `on=` item that is echoed in the error: shaped like an event kind (`faild`, `timeout`). */
const ECHOED_EVENT_PATTERN = /^[a-z_]{1,32}$/;
/** The parameters a fragment may carry: `#secret=…&on=…&when=…&group=…`. */
const FRAGMENT_PARAMETERS = ['secret', 'on', 'op', 'when', 'group'] as const;
type FragmentParameter = (typeof FRAGMENT_PARAMETERS)[number];
/** Context keys and values, as a watch request bounds them. */
const MAX_LABEL_LENGTH = 64;
const MAX_LABEL_VALUE_LENGTH = 256;
/** A comma-separated piece that starts a new entry (anything else continues the previous entry's fragment). */
const ENTRY_START = /^([a-z]+\+)?https?:\/\//i;

/** The filters of one entry, as `parseFragment` reads them. */
type Filters = Pick<Target, 'secret' | 'on' | 'operations' | 'when' | 'groups'>;

/** Hosts that identify a channel; a host matches itself and its subdomains. */
const CHANNEL_HOSTS: ReadonlyArray<{ type: ChannelType; hosts: readonly string[]; pathPrefix?: string }> = [
  { type: 'slack', hosts: ['hooks.slack.com'] },
  { type: 'feishu', hosts: ['open.feishu.cn', 'open.larksuite.com'] },
  { type: 'dingtalk', hosts: ['oapi.dingtalk.com'] },
  { type: 'wecom', hosts: ['qyapi.weixin.qq.com'] },
  { type: 'discord', hosts: ['discord.com', 'discordapp.com'], pathPrefix: '/api/webhooks/' },
  { type: 'teams', hosts: ['logic.azure.com', 'powerplatform.com', 'webhook.office.com'] },
];

/**
 * Parses `NOTIFY_URLS`: comma-separated webhook URLs, each optionally prefixed by `TYPE+` to force
 * its channel, and optionally followed by a fragment of `&`-separated parameters: `secret=SEC…`
 * (DingTalk/Feishu signing), `on=<event>[,…]`, `when=<label>:<value>[,…]`, `group=<name>[,…]`
 * (docs/configuration.md, "Routing and filters"). A URL fragment is never sent over HTTP and is removed from `url`.
 * A comma inside a fragment's list does not start a new entry: only a piece that starts with
 * `http(s)://` or `TYPE+http(s)://` does. Blank entries are skipped; duplicates (same type and
 * URL and filters) collapse into the first.
 *
 * @throws NotifyConfigError naming the entry's position and the problem, never the URL.
 * @example
 * parseNotifyUrls('https://hooks.slack.com/services/T0/B0/x#on=failed,timed_out&when=team:payments, dingtalk+https://oapi.dingtalk.com/robot/send?access_token=t#secret=SECabc');
 * // → [{ type: 'slack', on: ['failed', 'timed_out'], when: { team: ['payments'] }, … },
 * //    { type: 'dingtalk', secret: 'SECabc', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', … }]
 */
export function parseNotifyUrls(value: string): ChannelTarget[] {
  const targets = new Map<string, { target: ChannelTarget; position: number }>();
  splitEntries(value).forEach(({ entry, position }) => {
    const target = parseEntry(entry, position);
    const earlier = targets.get(target.id);
    if (earlier === undefined) targets.set(target.id, { target, position });
    else if (filterKey(earlier.target) !== filterKey(target)) {
      throw new NotifyConfigError(
        VARIABLE,
        `repeats the webhook of entry ${earlier.position} with other filters or secret (one webhook, one entry: combine them)`,
        position,
      );
    }
  });
  return [...targets.values()].map(({ target }) => target);
}

/** The entries of `NOTIFY_URLS` with their 1-based positions, a fragment's list items joined back. */
function splitEntries(value: string): Array<{ entry: string; position: number }> {
  const entries: Array<{ entry: string; position: number }> = [];
  let position = 0;
  for (const piece of value.split(',')) {
    const last = entries.at(-1);
    if (last !== undefined && piece.trim() !== '' && last.entry.includes('#') && !ENTRY_START.test(piece.trim())) {
      last.entry += `,${piece}`;
      continue;
    }
    position += 1;
    if (piece.trim() !== '') entries.push({ entry: piece.trim(), position });
  }
  return entries;
}

function filterKey(target: Target): string {
  return JSON.stringify([target.secret, target.on, target.when, target.groups]);
}

function parseEntry(entry: string, position: number): ChannelTarget {
  const fail: (problem: string) => never = (problem) => {
    throw new NotifyConfigError(VARIABLE, problem, position);
  };
  const prefixed = /^([a-z]+)\+(.*)$/i.exec(entry);
  const forced = prefixed?.[1]?.toLowerCase();
  if (forced !== undefined && !isChannelType(forced)) {
    fail(`has an unknown type prefix "${forced}+" (known: ${CHANNEL_TYPES.join(', ')})`);
  }
  let url: URL;
  try {
    url = new URL(prefixed?.[2] ?? entry);
  } catch {
    return fail('is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`uses ${url.protocol} (only http and https are allowed)`);

  const type = (forced as ChannelType | undefined) ?? detectChannel(url);
  const filters = parseFragment(url.hash.slice(1), fail);
  url.hash = '';
  if (filters.secret !== undefined && !SIGNED_CHANNELS.includes(type)) {
    fail(`carries a signing secret, but only ${SIGNED_CHANNELS.join(' and ')} webhooks are signed this way (type is ${type})`);
  }
  const href = url.href;
  const id = createHash('sha256').update(`${type}\n${href}`).digest('hex').slice(0, TARGET_ID_LENGTH_CHARS);
  return { id, type, url: href, display: `${type} ${url.host} #${id}`, ...filters };
}

/**
 * Reads a fragment's parameters (`secret=…&on=…&op=…&when=…&group=…`). Lists are comma-separated; a
 * parameter other than `secret` may repeat (its lists add up). Values are percent-decoded after
 * splitting, so `%2C`, `%26` and `%3A` stand for a literal `,`, `&` and `:`. Problems name the
 * parameter, never a value (a mistyped fragment could hold a piece of a secret URL), except an
 * unknown `on=` event that is a plain word, which is echoed.
 */
function parseFragment(fragment: string, fail: (problem: string) => never): Filters {
  if (fragment === '') return {};
  const lists = new Map<FragmentParameter, string[]>();
  for (const parameter of fragment.split('&')) {
    const equals = parameter.indexOf('=');
    const name = parameter.slice(0, equals < 0 ? undefined : equals).toLowerCase();
    if (equals < 0 || !isFragmentParameter(name)) {
      fail(`has an unknown fragment parameter (known: ${FRAGMENT_PARAMETERS.map((known) => `${known}=`).join(', ')})`);
    }
    if (name === 'secret' && lists.has('secret')) fail('has more than one secret=');
    const raw = parameter.slice(equals + 1);
    const items = (name === 'secret' ? [raw] : raw.split(',')).map((item) => decode(item, name, fail));
    if (items.some((item) => item === '')) fail(name === 'secret' ? 'has an empty signing secret' : `has an empty item in ${name}=`);
    lists.set(name, [...(lists.get(name) ?? []), ...items]);
  }
  const filters: Filters = {};
  const secret = lists.get('secret')?.[0];
  if (secret !== undefined) filters.secret = secret;
  const on = lists.get('on');
  if (on !== undefined) {
    const unknown = on.find((kind) => !isEventKind(kind));
    if (unknown !== undefined) {
      // A misspelt event is a word and worth echoing; anything else may be a piece of a secret URL.
      const shown = ECHOED_EVENT_PATTERN.test(unknown) ? ` "${unknown}"` : '';
      fail(`has an unknown event${shown} in on= (known: ${EVENT_KINDS.join(', ')})`);
    }
    filters.on = EVENT_KINDS.filter((kind) => on.includes(kind));
  }
  const operations = lists.get('op');
  if (operations !== undefined) {
    const unknown = operations.find((operation) => !(OPERATIONS as readonly string[]).includes(operation));
    if (unknown !== undefined) {
      const shown = ECHOED_EVENT_PATTERN.test(unknown) ? ` "${unknown}"` : '';
      fail(`has an unknown operation${shown} in op= (known: ${OPERATIONS.join(', ')})`);
    }
    filters.operations = OPERATIONS.filter((operation) => operations.includes(operation));
  }
  const when = lists.get('when');
  if (when !== undefined) filters.when = parseWhen(when, fail);
  const groups = lists.get('group');
  if (groups !== undefined) {
    if (!groups.every((group) => GROUP_NAME_PATTERN.test(group))) {
      fail('has a group= name that is not 1–32 lowercase letters, digits, "-" or "_"');
    }
    filters.groups = [...new Set(groups)];
  }
  return filters;
}

/** `label:value` items → values by label (one label's values are alternatives). */
function parseWhen(items: string[], fail: (problem: string) => never): Record<string, string[]> {
  // A Map, then own properties: a label such as `constructor` or `__proto__` is a label like any other.
  const when = new Map<string, string[]>();
  for (const item of items) {
    const colon = item.indexOf(':');
    const label = item.slice(0, colon);
    const value = item.slice(colon + 1);
    if (colon <= 0 || value === '') fail('has a when= item that is not <label>:<value>');
    if (label.length > MAX_LABEL_LENGTH || value.length > MAX_LABEL_VALUE_LENGTH) {
      fail(`has a when= label or value longer than a context allows (${MAX_LABEL_LENGTH} and ${MAX_LABEL_VALUE_LENGTH} characters)`);
    }
    const values = when.get(label) ?? [];
    if (!values.includes(value)) when.set(label, [...values, value]);
  }
  return Object.fromEntries(when);
}

function decode(item: string, name: FragmentParameter, fail: (problem: string) => never): string {
  try {
    return decodeURIComponent(item.trim());
  } catch {
    return fail(name === 'secret' ? 'has a signing secret that is not valid percent-encoding' : `has a ${name}= value that is not valid percent-encoding`);
  }
}

/**
 * A target's filters in `NOTIFY_URLS` syntax, for people: `on=failed · when=team:payments · group=payments`,
 * or `every outcome, every watch`.
 *
 * @example
 * describeFilters({ ...target, on: ['failed'] }); // → 'on=failed'
 */
export function describeFilters(target: Pick<Target, 'on' | 'operations' | 'when' | 'groups'>): string {
  const parts = [
    ...(target.on ? [`on=${target.on.join(',')}`] : []),
    ...(target.operations ? [`op=${target.operations.join(',')}`] : []),
    ...(target.when
      ? [
          `when=${Object.entries(target.when)
            .flatMap(([label, values]) => values.map((value) => `${label}:${value}`))
            .join(',')}`,
        ]
      : []),
    ...(target.groups ? [`group=${target.groups.join(',')}`] : []),
  ];
  return parts.length === 0 ? 'every outcome, every watch' : parts.join(' · ');
}

function detectChannel(url: URL): ChannelType {
  const host = url.hostname.toLowerCase();
  const match = CHANNEL_HOSTS.find(
    ({ hosts, pathPrefix }) =>
      hosts.some((known) => host === known || host.endsWith(`.${known}`)) && (pathPrefix === undefined || url.pathname.startsWith(pathPrefix)),
  );
  return match?.type ?? 'webhook';
}

function isFragmentParameter(value: string): value is FragmentParameter {
  return (FRAGMENT_PARAMETERS as readonly string[]).includes(value);
}

function isEventKind(value: string): value is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(value);
}

/**
 * Whether a target is of a channel lib/notify knows (every target `parseNotifyUrls` made is).
 *
 * @example
 * isChannelTarget({ ...target, type: 'pager' }) // false
 */
export function isChannelTarget(target: Target): target is ChannelTarget {
  return isChannelType(target.type);
}

function isChannelType(value: string): value is ChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(value);
}
