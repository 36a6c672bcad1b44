import type { ChannelType } from './targets.js';

/**
 * Minimum time between two posts to one target inside one process, below each channel's published
 * rate: Slack about 1 message/s, DingTalk and WeCom 20/min (one per 3 s), Feishu 5/s, Discord 5 per 2 s.
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

/** Hands out post times per target, each at least its channel's spacing after the previous post. */
export interface PostSpacing {
  /**
   * Asks whether `owner` (one delivery, e.g. an event id) may post to `targetId` at `nowMs`. Returns
   * 0 when it may — the post is then counted — or how long until the slot now held for it: coming
   * back at that time (or later), the owner finds its slot kept.
   */
  take(targetId: string, type: ChannelType, owner: string, nowMs: number): number;
}

/** A slot held longer than this after its time is forgotten (its owner went elsewhere). */
const FORGET_HELD_SLOT_AFTER_MS = 30 * 60_000;

interface TargetSlots {
  lastPostMs: number;
  /** The first slot nobody holds yet. */
  nextFreeMs: number;
  held: Map<string, number>;
}

/**
 * A per-target spacing keeper. Slots queue: deliveries to one target in the same batch are given
 * slots one spacing apart instead of posting at once, and each keeps its slot for when it comes
 * back. Whatever was held, no post is counted closer than the spacing to the previous one — an
 * owner that comes back late is given a new slot a spacing after the last post.
 *
 * @example
 * const spacing = createPostSpacing();
 * spacing.take('3f2a9c1b7d4e', 'slack', 'event-1', 0);    // → 0: post now
 * spacing.take('3f2a9c1b7d4e', 'slack', 'event-2', 0);    // → 1000: slot held at 1000
 * spacing.take('3f2a9c1b7d4e', 'slack', 'event-2', 1000); // → 0: its slot, post now
 */
export function createPostSpacing(spacingMs: Readonly<Record<ChannelType, number>> = MIN_POST_SPACING_MS): PostSpacing {
  const targets = new Map<string, TargetSlots>();
  return {
    take(targetId, type, owner, nowMs) {
      const spacing = spacingMs[type];
      if (spacing <= 0) return 0;
      const slots = targets.get(targetId) ?? { lastPostMs: Number.NEGATIVE_INFINITY, nextFreeMs: nowMs, held: new Map<string, number>() };
      targets.set(targetId, slots);
      for (const [holder, atMs] of slots.held) if (atMs < nowMs - FORGET_HELD_SLOT_AFTER_MS) slots.held.delete(holder);
      const earliestMs = Math.max(nowMs, slots.lastPostMs + spacing);
      const heldMs = slots.held.get(owner);
      const slotMs = heldMs === undefined ? Math.max(earliestMs, slots.nextFreeMs) : Math.max(heldMs, earliestMs);
      if (heldMs === undefined) slots.nextFreeMs = slotMs + spacing;
      if (slotMs > nowMs) {
        slots.held.set(owner, slotMs);
        return slotMs - nowMs;
      }
      slots.held.delete(owner);
      slots.lastPostMs = nowMs;
      slots.nextFreeMs = Math.max(slots.nextFreeMs, nowMs + spacing);
      return 0;
    },
  };
}
