import { createHash } from 'node:crypto';
import { NotifyConfigError } from './errors.js';
import { CHANNEL_TYPES, type ChannelType, type Target } from './types.js';

const VARIABLE = 'NOTIFY_URLS';
/** Hex characters of sha256(type, url) kept as the target id. */
const TARGET_ID_LENGTH_CHARS = 12;
/** Channels whose webhooks take a signing secret (`#secret=…`). */
const SIGNED_CHANNELS: readonly ChannelType[] = ['dingtalk', 'feishu'];
const SECRET_FRAGMENT_PREFIX = 'secret=';

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
 * its channel, DingTalk/Feishu ones optionally followed by `#secret=SEC…`. A URL fragment is never
 * sent over HTTP, so the signing secret stays with apig-watch; it is removed from `url`.
 * Blank entries are skipped; duplicates (same type and URL) collapse into the first.
 *
 * @throws NotifyConfigError naming the entry's position and the problem, never the URL.
 * @example
 * parseNotifyUrls('https://hooks.slack.com/services/T0/B0/x, dingtalk+https://oapi.dingtalk.com/robot/send?access_token=t#secret=SECabc');
 * // → [{ type: 'slack', … }, { type: 'dingtalk', secret: 'SECabc', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', … }]
 */
export function parseNotifyUrls(value: string): Target[] {
  const targets = new Map<string, Target>();
  value.split(',').forEach((entry, index) => {
    const trimmed = entry.trim();
    if (trimmed === '') return;
    const target = parseEntry(trimmed, index + 1);
    if (!targets.has(target.id)) targets.set(target.id, target);
  });
  return [...targets.values()];
}

function parseEntry(entry: string, position: number): Target {
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
  const secret = takeSecret(url, fail);
  if (secret !== undefined && !SIGNED_CHANNELS.includes(type)) {
    fail(`carries a signing secret, but only ${SIGNED_CHANNELS.join(' and ')} webhooks are signed this way (type is ${type})`);
  }
  const href = url.href;
  const id = createHash('sha256').update(`${type}\n${href}`).digest('hex').slice(0, TARGET_ID_LENGTH_CHARS);
  return { id, type, url: href, display: `${type} ${url.host} #${id}`, ...(secret === undefined ? {} : { secret }) };
}

/** Removes the fragment from `url` and returns the secret it carried, if any. */
function takeSecret(url: URL, fail: (problem: string) => never): string | undefined {
  const fragment = url.hash.slice(1);
  url.hash = '';
  if (fragment === '') return undefined;
  if (!fragment.startsWith(SECRET_FRAGMENT_PREFIX)) fail('has a fragment other than "#secret=…"');
  let secret = '';
  try {
    secret = decodeURIComponent(fragment.slice(SECRET_FRAGMENT_PREFIX.length));
  } catch {
    fail('has a signing secret that is not valid percent-encoding');
  }
  if (secret === '') fail('has an empty signing secret');
  return secret;
}

function detectChannel(url: URL): ChannelType {
  const host = url.hostname.toLowerCase();
  const match = CHANNEL_HOSTS.find(
    ({ hosts, pathPrefix }) =>
      hosts.some((known) => host === known || host.endsWith(`.${known}`)) &&
      (pathPrefix === undefined || url.pathname.startsWith(pathPrefix)),
  );
  return match?.type ?? 'webhook';
}

function isChannelType(value: string): value is ChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(value);
}
