import { cleanEchoedText } from '../echoed-text.js';
import type { ChannelTarget, ChannelType } from './targets.js';
import type { NotificationEvent } from '../watch/index.js';
import type { RenderedRequest, Renderer, RenderOptions } from './rendered-request.js';
import { renderDingTalkRequest } from './render-dingtalk.js';
import { renderDiscordRequest } from './render-discord.js';
import { renderFeishuRequest } from './render-feishu.js';
import { renderSlackRequest } from './render-slack.js';
import { renderTeamsRequest } from './render-teams.js';
import { renderWebhookRequest } from './render-webhook.js';
import { renderWeComRequest } from './render-wecom.js';

/** The renderer of each channel. A new channel adds its file and one line here. */
const RENDERERS: Readonly<Record<ChannelType, Renderer>> = {
  slack: renderSlackRequest,
  webhook: renderWebhookRequest,
  feishu: renderFeishuRequest,
  dingtalk: renderDingTalkRequest,
  wecom: renderWeComRequest,
  teams: renderTeamsRequest,
  discord: renderDiscordRequest,
};

/**
 * Renders the request that notifies `target` of `event`, with the target's channel renderer.
 * Every echoed string of the event is cleaned first (`cleanEchoedText`): whatever produced the
 * event, no channel renders a bidi override, a zero-width or a control character.
 *
 * @example
 * const request = renderNotification(event, target, Date.now(), { webhookSecret: config.webhookSecret });
 */
export function renderNotification(event: NotificationEvent, target: ChannelTarget, nowMs: number, options: RenderOptions = {}): RenderedRequest {
  return RENDERERS[target.type](withCleanEchoes(event), target, nowMs, options);
}

function withCleanEchoes(event: NotificationEvent): NotificationEvent {
  const { data } = event;
  const clean = (text: string | null) => (text === null ? null : cleanEchoedText(text));
  return {
    ...event,
    data: {
      ...data,
      instance_name: clean(data.instance_name),
      status: clean(data.status),
      error_code: clean(data.error_code),
      error_msg: clean(data.error_msg),
      context: Object.fromEntries(Object.entries(data.context).map(([key, value]) => [cleanEchoedText(key), cleanEchoedText(value)])),
    },
  };
}
