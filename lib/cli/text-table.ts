/**
 * Lays rows out in columns for a terminal: each column as wide as its widest cell, two spaces
 * apart, the header first; trailing spaces trimmed.
 *
 * @example
 * formatTable(['GATEWAY', 'STATUS'], [['orders-gw', 'creating 50%']])
 * // ['GATEWAY    STATUS', 'orders-gw  creating 50%']
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  return [headers, ...rows].map((cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
