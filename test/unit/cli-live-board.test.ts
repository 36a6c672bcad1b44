import { createLiveBoard, formatPlainLine, formatTtyRow, type BoardRow } from '../../lib/cli/commands/watch/live-board.js';

const ROW: BoardRow = { label: 'orders-gw-prod', status: 'creating', progress: 50, startedAtMs: 0, tone: 'active', nextPollAtMs: 213_000 };
const paint = (text: string) => `\u001b[32m${text}\u001b[0m`;
/** Visible length of a string with ANSI escapes. */
const visibleLength = (text: string) => [...text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')].length;

/** A screen that keeps what is written. */
function screen(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 60, write: (text: string) => writes.push(text) };
}

describe('formatTtyRow', () => {
  it('shows the bar, progress, status, elapsed time and the countdown to the next poll', () => {
    const row = formatTtyRow(ROW, 185_000, { width: 200, labelWidth: 14, frame: 0, paint: (text) => text });

    expect(row).toBe('⠋ orders-gw-prod  [██████████░░░░░░░░░░]  50%  creating      3m 05s  next poll in 28s');
  });

  it.each([40, 61, 80])('never draws wider than %i columns, colours included, so a row cannot wrap', (width) => {
    const row = formatTtyRow({ ...ROW, note: 'retrying after: APIG progress request answered HTTP 500 APIC.9000' }, 185_000, {
      width,
      labelWidth: 14,
      frame: 3,
      paint,
    });

    expect(visibleLength(row)).toBeLessThanOrEqual(width);
  });

  it.each([59, 45, 34])('keeps the status and the elapsed time at %i columns: the bar and the name give way first', (width) => {
    const row = formatTtyRow({ ...ROW, label: 'payments-gateway-staging-eu' }, 185_000, { width, labelWidth: 27, frame: 0, paint: (text) => text });

    expect(visibleLength(row)).toBeLessThanOrEqual(width);
    expect(row).toContain(' 50%  creating      3m 05s');
  });

  it('shrinks the bar before the name at 59 columns', () => {
    const row = formatTtyRow(ROW, 185_000, { width: 59, labelWidth: 14, frame: 0, paint: (text) => text });

    expect(row).toBe('⠋ orders-gw-prod  [██████░░░░░░]  50%  creating      3m 05s');
  });
});

describe('formatPlainLine', () => {
  it('is one line without escape sequences', () => {
    expect(formatPlainLine({ ...ROW, note: 'unknown status' }, 185_000)).toBe('orders-gw-prod  creating  50%  elapsed 3m 05s  unknown status');
  });
});

describe('createLiveBoard off a TTY', () => {
  it('prints a row again only when its status, progress or note changes, not when time passes', () => {
    const output = screen(false);
    let now = 0;
    const board = createLiveBoard(output, { now: () => now, color: true });

    board.update('gw', ROW);
    now = 30_000;
    board.update('gw', { ...ROW, nextPollAtMs: 60_000 });
    board.update('gw', { ...ROW, progress: 80 });
    board.close();

    expect(output.writes).toEqual(['orders-gw-prod  creating  50%  elapsed 0s\n', 'orders-gw-prod  creating  80%  elapsed 30s\n']);
  });
});

describe('createLiveBoard on a TTY', () => {
  it('redraws its rows in place under the log lines, and shows the cursor again when closed', () => {
    const output = screen(true);
    const board = createLiveBoard(output, { now: () => 0, color: false });

    board.update('a', ROW);
    board.update('b', { ...ROW, label: 'payments-gw' });
    board.log('a notification');
    board.close();

    const [hide, first, second, logged] = output.writes;
    expect(hide).toBe('\u001b[?25l');
    expect(first).toMatch(/^\u001b\[J⠋ orders-gw-prod/);
    expect(second).toMatch(/^\u001b\[1F\u001b\[J.*orders-gw-prod.*\n.*payments-gw/);
    expect(logged).toMatch(/^\u001b\[2F\u001b\[Ja notification\n/);
    expect(output.writes.at(-1)).toBe('\u001b[?25h');
  });
});
