import type { ChannelType } from './types.js';

/**
 * Minimum time between two posts to one target inside one process, below each channel's published
 * rate: Slack about 1 message/s, DingTalk and WeCom 20/min, Feishu 5/s, Discord 5 per 2 s.
 */
export const MIN_POST_SPACING_MS: Readonly<Record<ChannelType, number>> = {
  slack: 1000,
  dingtalk: 3000,
  wecom: 3000,
  feishu: 200,
  discord: 400,
  teams: 0,
  webhook: 0,
};

/** Hands out post times per target, each at least its channel's spacing after the previous one. */
export interface PostSpacing {
  /**
   * Reserves the next slot of `targetId` and returns how long to wait for it (0 when free now), or
   * `null` — taking nothing — when that slot is not before `latestMs`.
   */
  reserve(targetId: string, type: ChannelType, nowMs: number, latestMs?: number): number | null;
}

/**
 * A per-target spacing keeper. Reservations queue: concurrent deliveries to one target in the same
 * batch go out one spacing apart, not all at once. A slot too late to use is not taken, so a
 * delivery that gives up does not push back the next one.
 *
 * @example
 * const spacing = createPostSpacing();
 * spacing.reserve('3f2a9c1b7d4e', 'slack', 0); // → 0
 * spacing.reserve('3f2a9c1b7d4e', 'slack', 0); // → 1000
 */
export function createPostSpacing(spacingMs: Readonly<Record<ChannelType, number>> = MIN_POST_SPACING_MS): PostSpacing {
  const nextFreeMs = new Map<string, number>();
  return {
    reserve(targetId, type, nowMs, latestMs = Number.POSITIVE_INFINITY) {
      const slotMs = Math.max(nowMs, nextFreeMs.get(targetId) ?? nowMs);
      if (slotMs >= latestMs) return null;
      nextFreeMs.set(targetId, slotMs + spacingMs[type]);
      return slotMs - nowMs;
    },
  };
}
