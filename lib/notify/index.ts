/** Notifying targets: NOTIFY_URLS, the channels' renderers, the notifier and its pace. What the rest of the project imports from this folder. */
export { composeMessage, formatTitle, isNeverAnswered } from './compose-message.js';
export { NotifyConfigError } from './errors.js';
export { createNotifier } from './notifier.js';
export { MIN_POST_SPACING_MS, type PostSpacing, takeSlot, type TargetSlots } from './spacing.js';
export { type ChannelType, describeFilters, parseNotifyUrls } from './targets.js';
