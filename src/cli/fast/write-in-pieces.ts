import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Speeds up writing a large result (`--format json` of a 100k-vulnerability verdict is 21.5 MB):
 * written in pieces of at most {@link PIECE_CHARS} characters, each piece is encoded into a small
 * buffer that stays in the cache, where writing the whole text at once first encodes it into one
 * fresh 21.5 MB buffer. A piece never ends between the two halves of a surrogate pair, which would
 * encode as two U+FFFD.
 * Bench (a fresh process writing that verdict to a file): whole 39 to 151 ms, in pieces 23 to 26 ms.
 */
export function writeInPieces(write: (piece: string) => unknown, text: string): void {
  if (text.length <= PIECE_CHARS) {
    write(text);
    return;
  }
  let from = 0;
  while (from < text.length) {
    let to = Math.min(text.length, from + PIECE_CHARS);
    if (to < text.length && isHighSurrogate(text.charCodeAt(to - 1))) to -= 1;
    write(text.slice(from, to));
    from = to;
  }
}

/** Writes `text` to the file at `path` (created or truncated) in pieces. */
export function writeFileInPieces(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeInPieces((piece) => writeSync(fd, piece), text);
  } finally {
    closeSync(fd);
  }
}

/** How many characters a piece holds at most: 1 MiB. */
export const PIECE_CHARS = 1024 * 1024;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
