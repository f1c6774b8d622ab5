import Table from 'cli-table3';
import pc from 'picocolors';
import stringWidth from 'string-width';

/**
 * Layout for terminal text, on cli-table3 (cells, wrapping, ANSI-aware padding), string-width
 * (display width of CJK and emoji) and picocolors (ANSI styles). Pure: the caller says whether
 * to colour and how wide a line may be.
 */

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow';
export type Paint = (text: string, ...styles: Style[]) => string;

/** A painter that colours only when `color` is true. */
export function painter(color: boolean): Paint {
  const colors = pc.createColors(color);
  return (text, ...styles) => (text === '' ? text : styles.reduce((painted, style) => colors[style](painted), text));
}

export interface Column {
  /** Never narrower than this when the table is squeezed into a terminal. */
  min: number;
  /** Wrap at spaces (prose, lists), or anywhere (IDs, package names, paths). */
  wrap: 'words' | 'anywhere';
}

/** Between two columns. */
const GAP = '  ';
const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: GAP,
};

export interface TableRow {
  cells: readonly string[];
  /** Lines under the row, from the second column on (a message, the policies violated). */
  details?: readonly string[];
}

/**
 * A borderless table indented by `indent` spaces. Without `width` every column takes its widest
 * cell (the full text, one line per row). With `width`, the widest columns give way first, down to
 * their `min`, and cells wrap inside their column, so that no line is wider than `width`.
 */
export function renderTable(rows: readonly TableRow[], columns: readonly Column[], options: { indent: number; width: number | undefined }): string[] {
  if (rows.length === 0) return [];
  const natural = columns.map((_, column) => Math.max(1, ...rows.map((row) => displayWidth(row.cells[column] ?? ''))));
  const widths = options.width === undefined ? natural : fitWidths(natural, columns, options.width - options.indent - GAP.length * (columns.length - 1));
  const pad = ' '.repeat(options.indent);
  const detailIndent = options.indent + widths[0]! + GAP.length;
  const lines: string[] = [];
  for (const row of rows) {
    // One table per row, all with the same widths: the detail line goes between rows.
    const table = new Table({ chars: NO_BORDERS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true }, colWidths: widths, wordWrap: true });
    table.push(columns.map((column, index) => ({ content: row.cells[index] ?? '', wrapOnWordBoundary: column.wrap === 'words' })));
    for (const line of table.toString().split('\n')) lines.push(`${pad}${line}`.trimEnd());
    for (const detail of row.details ?? []) if (detail !== '') lines.push(...wrapLine(`${' '.repeat(detailIndent)}${detail}`, options.width, detailIndent));
  }
  return lines;
}

/** Whether the table fits `width` without squeezing any column. */
export function fitsUnsqueezed(rows: readonly TableRow[], columnCount: number, options: { indent: number; width: number | undefined }): boolean {
  if (options.width === undefined) return true;
  let total = options.indent + GAP.length * (columnCount - 1);
  for (let column = 0; column < columnCount; column += 1) total += Math.max(1, ...rows.map((row) => displayWidth(row.cells[column] ?? '')));
  return total <= options.width;
}

/**
 * One line of text, wrapped at spaces to `width` when given; continuation lines are indented by
 * `hangingIndent`. Without `width` it stays one line.
 */
export function wrapLine(text: string, width: number | undefined, hangingIndent = 0): string[] {
  if (width === undefined || displayWidth(text) <= width) return [text];
  const lead = /^ */.exec(text)![0].length;
  const table = new Table({ chars: NO_BORDERS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true }, colWidths: [Math.max(8, width - Math.max(lead, hangingIndent))], wordWrap: true });
  table.push([{ content: text.slice(lead), wrapOnWordBoundary: true }]);
  return table
    .toString()
    .split('\n')
    .map((line, index) => `${' '.repeat(index === 0 ? lead : hangingIndent)}${line}`.trimEnd());
}

export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** No column is squeezed narrower than this, however narrow the terminal. */
const FLOOR_WIDTH = 4;

/**
 * Column widths that add up to at most `available`: take one character at a time from the widest
 * column that is still over its minimum; when the minimums do not fit either, go on down to
 * {@link FLOOR_WIDTH}.
 */
function fitWidths(natural: readonly number[], columns: readonly Column[], available: number): number[] {
  const widths = [...natural];
  let excess = widths.reduce((sum, width) => sum + width, 0) - available;
  for (const floorOf of [(index: number) => columns[index]!.min, () => FLOOR_WIDTH]) {
    while (excess > 0) {
      let widest = -1;
      for (let index = 0; index < widths.length; index += 1) {
        if (widths[index]! > floorOf(index) && (widest < 0 || widths[index]! > widths[widest]!)) widest = index;
      }
      if (widest < 0) break;
      widths[widest]! -= 1;
      excess -= 1;
    }
  }
  return widths;
}
