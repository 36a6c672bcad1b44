import type { ChannelType } from './targets.js';

/**
 * Minimum time between two posts to one target, below each channel's published rate: Slack about
 * 1 message/s, DingTalk and WeCom 20/min (one per 3 s), Feishu 5/s, Discord 5 per 2 s.
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

/**
 * Hands out post times per target, each at least its channel's spacing after the previous post:
 * in one process (`createPostSpacing`), or shared by every container through the watch table
 * (lib/store/post-spacing.ts).
 */
export interface PostSpacing {
  /**
   * Asks whether `owner` (one delivery, e.g. an event id) may post to `targetId` at `nowMs`. Resolves
   * to 0 when it may — the post is then counted — or how long until the slot now held for it: coming
   * back at that time (or later), the owner finds its slot kept.
   */
  take(targetId: string, type: ChannelType, owner: string, nowMs: number): Promise<number>;
}

/** One target's slots: what a spacing keeper stores per target. */
export interface TargetSlots {
  lastPostMs: number;
  /** The first slot nobody holds yet. */
  nextFreeMs: number;
  /** Slot times held, by owner. */
  held: Readonly<Record<string, number>>;
}

/** A slot held longer than this after its time is forgotten (its owner went elsewhere). */
const FORGET_HELD_SLOT_AFTER_MS = 30 * 60_000;

/**
 * The slot policy, pure: what `owner` asking at `nowMs` gets (`waitMs`, 0 to post now) and the
 * target's slots afterwards. Slots queue: owners asking together are given slots one spacing
 * apart, and each keeps its slot for when it comes back. Whatever was held, no post is counted
 * closer than the spacing to the previous one — an owner that comes back late is given a new slot
 * a spacing after the last post.
 *
 * @example
 * const first = takeSlot(undefined, 'event-1', 1000, 0);       // → { waitMs: 0, slots }
 * const second = takeSlot(first.slots, 'event-2', 1000, 0);    // → { waitMs: 1000, … }: slot held at 1000
 * takeSlot(second.slots, 'event-2', 1000, 1000).waitMs;        // → 0: its slot, post now
 */
export function takeSlot(current: TargetSlots | undefined, owner: string, spacingMs: number, nowMs: number): { waitMs: number; slots: TargetSlots } {
  const slots = current ?? { lastPostMs: Number.NEGATIVE_INFINITY, nextFreeMs: nowMs, held: {} };
  const live = Object.entries(slots.held).filter(([, atMs]) => atMs >= nowMs - FORGET_HELD_SLOT_AFTER_MS);
  const heldMs = live.find(([holder]) => holder === owner)?.[1];
  const held = Object.fromEntries(live.filter(([holder]) => holder !== owner));
  const earliestMs = Math.max(nowMs, slots.lastPostMs + spacingMs);
  const slotMs = heldMs === undefined ? Math.max(earliestMs, slots.nextFreeMs) : Math.max(heldMs, earliestMs);
  const nextFreeMs = heldMs === undefined ? slotMs + spacingMs : slots.nextFreeMs;
  if (slotMs > nowMs) return { waitMs: slotMs - nowMs, slots: { ...slots, nextFreeMs, held: { ...held, [owner]: slotMs } } };
  return { waitMs: 0, slots: { lastPostMs: nowMs, nextFreeMs: Math.max(nextFreeMs, nowMs + spacingMs), held } };
}

/**
 * A per-target spacing keeper in this process (`takeSlot` over a Map).
 *
 * @example
 * const spacing = createPostSpacing();
 * await spacing.take('3f2a9c1b7d4e', 'slack', 'event-1', 0);    // → 0: post now
 * await spacing.take('3f2a9c1b7d4e', 'slack', 'event-2', 0);    // → 1000: slot held at 1000
 * await spacing.take('3f2a9c1b7d4e', 'slack', 'event-2', 1000); // → 0: its slot, post now
 */
export function createPostSpacing(spacingMs: Readonly<Record<ChannelType, number>> = MIN_POST_SPACING_MS): PostSpacing {
  const targets = new Map<string, TargetSlots>();
  return {
    async take(targetId, type, owner, nowMs) {
      const spacing = spacingMs[type];
      if (spacing <= 0) return 0;
      const { waitMs, slots } = takeSlot(targets.get(targetId), owner, spacing, nowMs);
      targets.set(targetId, slots);
      return waitMs;
    },
  };
}
