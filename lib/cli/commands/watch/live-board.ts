import { formatElapsed } from '../../../watch/index.js';
import type { Screen } from '../../process.js';

/**
 * Live progress rows for the terminal: on a TTY the rows are redrawn in place (progress bar,
 * status, elapsed time, a countdown to the next poll) with log lines scrolling above them; on
 * anything else (a pipe, a CI log) each row prints one plain line per change, and nothing else.
 */

/** How a row feels; drives its icon and colour. */
export type RowTone = 'active' | 'good' | 'bad' | 'warn';

export interface BoardRow {
  label: string;
  /** Huawei's status (`creating`, `success`, `failed`) or ours (`waiting`, `not_found`…). */
  status: string;
  progress: number | null;
  /** Start of the elapsed time (Huawei's `start_time`, or when the watch started). */
  startedAtMs: number;
  /** Set once the row is final: the elapsed time stops there. */
  endedAtMs?: number | null;
  tone: RowTone;
  /** Shown on both kinds of output, and a change of it prints a new plain line. */
  note?: string;
  /** TTY only: counted down as "next poll in …". */
  nextPollAtMs?: number | null;
}

export interface LiveBoardOptions {
  /** The clock elapsed times are measured with (scaled in the demo). */
  now: () => number;
  /** ANSI colours (TTY only); off with `NO_COLOR`. */
  color: boolean;
  /** How often a TTY board redraws on its own (elapsed, countdown, spinner). */
  refreshMs?: number;
  /** Overrides `screen.isTTY` (tests). */
  live?: boolean;
}

export interface LiveBoard {
  /** Adds or replaces a row. */
  update(key: string, row: BoardRow): void;
  /** Prints lines above the rows (TTY) or as they are (plain). */
  log(lines: string | string[]): void;
  /** Draws the rows a last time and lets the terminal go (cursor shown again). */
  close(): void;
}

const BAR_WIDTH = 20;
/** On a narrow terminal the bar shrinks to this before the name gives way, and the name to this before the bar goes. */
const MIN_BAR_WIDTH = 5;
const MIN_LABEL_WIDTH = 8;
/** A note or countdown is shown only with room for this much of it. */
const MIN_TAIL_WIDTH = 8;
const MAX_LABEL_WIDTH = 28;
const DEFAULT_REFRESH_MS = 125;
/** When the terminal does not tell its width (0 or unknown). */
const DEFAULT_COLUMNS = 100;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ICONS: Readonly<Record<Exclude<RowTone, 'active'>, string>> = { good: '✔', bad: '✖', warn: '!' };
const COLOURS: Readonly<Record<RowTone, string>> = { active: '36', good: '32', bad: '31', warn: '33' };

/**
 * Starts a board on `screen`.
 *
 * @example
 * const board = createLiveBoard(process.stdout, { now: Date.now, color: !process.env.NO_COLOR });
 * board.update('gw', { label: 'orders-gw', status: 'creating', progress: 50, startedAtMs, tone: 'active' });
 * board.close();
 */
export function createLiveBoard(screen: Screen, options: LiveBoardOptions): LiveBoard {
  return (options.live ?? screen.isTTY === true) ? createTtyBoard(screen, options) : createPlainBoard(screen, options);
}

function createPlainBoard(screen: Screen, options: LiveBoardOptions): LiveBoard {
  const printed = new Map<string, string>();
  return {
    update(key, row) {
      const line = formatPlainLine(row, options.now());
      const change = `${row.status}|${row.progress}|${row.tone}|${row.note ?? ''}`;
      if (printed.get(key) === change) return;
      printed.set(key, change);
      screen.write(`${line}\n`);
    },
    log(lines) {
      screen.write(`${[lines].flat().join('\n')}\n`);
    },
    close() {},
  };
}

function createTtyBoard(screen: Screen, options: LiveBoardOptions): LiveBoard {
  const rows = new Map<string, BoardRow>();
  let drawnLines = 0;
  let frame = 0;
  let closed = false;
  const paint = (text: string, tone: RowTone) => (options.color ? `\u001b[${COLOURS[tone]}m${text}\u001b[0m` : text);

  function draw(logged: string[] = []): void {
    const width = Math.max(20, (screen.columns || DEFAULT_COLUMNS) - 1);
    const labelWidth = Math.min(MAX_LABEL_WIDTH, Math.max(0, ...[...rows.values()].map((row) => row.label.length)));
    const now = options.now();
    const lines = [...rows.values()].map((row) => formatTtyRow(row, now, { width, labelWidth, frame, paint }));
    const up = drawnLines > 0 ? `\u001b[${drawnLines}F` : '';
    screen.write(`${up}\u001b[J${logged.map((line) => `${line}\n`).join('')}${lines.map((line) => `${line}\n`).join('')}`);
    drawnLines = lines.length;
  }

  screen.write('\u001b[?25l');
  const timer = setInterval(() => {
    frame += 1;
    draw();
  }, options.refreshMs ?? DEFAULT_REFRESH_MS);
  timer.unref();

  return {
    update(key, row) {
      if (closed) return;
      rows.set(key, row);
      draw();
    },
    log(lines) {
      if (closed) {
        screen.write(`${[lines].flat().join('\n')}\n`);
        return;
      }
      draw([lines].flat().flatMap((line) => line.split('\n')));
    },
    close() {
      if (closed) return;
      clearInterval(timer);
      draw();
      closed = true;
      screen.write('\u001b[?25h');
    },
  };
}

/**
 * One row as a plain line, for logs: `orders-gw-prod  creating  50%  elapsed 3m 05s`.
 *
 * @example
 * formatPlainLine({ label: 'orders-gw', status: 'creating', progress: 50, startedAtMs: 0, tone: 'active' }, 185_000)
 * // 'orders-gw  creating  50%  elapsed 3m 05s'
 */
export function formatPlainLine(row: BoardRow, nowMs: number): string {
  const progress = row.progress === null ? '' : `  ${row.progress}%`;
  return `${row.label}  ${row.status}${progress}  elapsed ${formatElapsed(elapsedMs(row, nowMs))}${row.note ? `  ${row.note}` : ''}`;
}

/**
 * One row for a live terminal, cut to `width` visible characters so it never wraps:
 * `⠋ orders-gw-prod  [██████████░░░░░░░░░░]  50%  creating   3m 05s  next poll in 28s`.
 *
 * @example
 * formatTtyRow(row, now, { width: 100, labelWidth: 20, frame: 0, paint: (text) => text })
 */
export function formatTtyRow(
  row: BoardRow,
  nowMs: number,
  layout: { width: number; labelWidth: number; frame: number; paint: (text: string, tone: RowTone) => string },
): string {
  const icon = row.tone === 'active' ? (SPINNER[layout.frame % SPINNER.length] ?? '*') : ICONS[row.tone];
  const percent = row.progress === null ? '   -' : `${row.progress}%`.padStart(4);
  const elapsed = formatElapsed(elapsedMs(row, nowMs)).padStart(10);
  const waiting = row.tone === 'active' && row.nextPollAtMs != null ? `next poll in ${formatElapsed(Math.max(0, row.nextPollAtMs - nowMs))}` : '';
  const tail = [row.note, waiting].filter(Boolean).join(' · ');
  const status = `${row.status.padEnd(10)}${elapsed}`;
  const { labelWidth, barWidth } = fitLabelAndBar(layout.width - [...`${icon}  ${percent}  ${status}`].length, layout.labelWidth);
  const label = clipText(row.label, labelWidth).padEnd(labelWidth);
  const head = `${icon} ${label}${barWidth > 0 ? `  ${bar(row.progress, barWidth)}` : ''} ${percent}  ${status}`;
  const roomForTail = layout.width - [...head].length - 2;
  const visible = tail && roomForTail >= MIN_TAIL_WIDTH ? `${head}  ${clipText(tail, roomForTail)}` : clipText(head, layout.width);
  // Colour only the icon and the status, after cutting, so the cut never splits an escape sequence.
  const statusStart = visible.indexOf(row.status, icon.length + 1 + label.length + barWidth);
  if (statusStart < 0) return `${layout.paint(icon, row.tone)}${visible.slice(icon.length)}`;
  return (
    layout.paint(icon, row.tone) + visible.slice(icon.length, statusStart) + layout.paint(row.status, row.tone) + visible.slice(statusStart + row.status.length)
  );
}

/**
 * Shares the room left by the icon, percentage, status and elapsed time (which always show) between
 * the name and the bar: the bar shrinks first, then the name, then the bar goes.
 */
function fitLabelAndBar(room: number, wantedLabelWidth: number): { labelWidth: number; barWidth: number } {
  const bracketsAndGap = 4; // "  [" + "]"
  const barWidth = Math.min(BAR_WIDTH, room - wantedLabelWidth - bracketsAndGap);
  if (barWidth >= MIN_BAR_WIDTH) return { labelWidth: wantedLabelWidth, barWidth };
  const labelWidth = Math.min(wantedLabelWidth, room - MIN_BAR_WIDTH - bracketsAndGap);
  if (labelWidth >= Math.min(MIN_LABEL_WIDTH, wantedLabelWidth)) return { labelWidth, barWidth: MIN_BAR_WIDTH };
  return { labelWidth: Math.max(1, Math.min(wantedLabelWidth, room)), barWidth: 0 };
}

function bar(progress: number | null, width: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, progress ?? 0)) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

function elapsedMs(row: BoardRow, nowMs: number): number {
  return Math.max(0, (row.endedAtMs ?? nowMs) - row.startedAtMs);
}

function clipText(text: string, width: number): string {
  const characters = [...text];
  return characters.length <= width ? text : `${characters.slice(0, Math.max(0, width - 1)).join('')}…`;
}
