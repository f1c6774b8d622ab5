import { Buffer, isAscii } from 'node:buffer';
import { decodeValidUtf8 } from './utf8.ts';

/** Reads `length` bytes at `position` into `into` from offset `at`; returns how many it read (0 at the end), as `fs.readSync`. */
export type ReadBytes = (into: Buffer, at: number, length: number, position: number) => number;

/**
 * Speeds up reading a large report and keeps it out of memory (readers/fast/trivy-slices.ts reads
 * through this): the report's bytes are reached by their position in the file, a window at a time.
 * A report in memory is one window over all of it; a report file is read in chunks into a buffer
 * that only grows when one piece the caller holds (a slice of items, a stretch of skeleton) is
 * larger, so a 150 MB report never lies in memory whole, as bytes or as text. Each piece is decoded
 * on its own: an ASCII piece (Trivy's JSON nearly always is) as Latin-1, which is a copy, and any
 * other as UTF-8, validated only when the decoder replaced something (fast/utf8.ts).
 * Bench (generated 100k report, 153 MB): decoding it whole as UTF-8 took 120 ms, in 64 KB pieces
 * 43 to 57 ms; the packed CLI's peak RSS, which held the report's whole text until it exited,
 * fell from 456 to 302 MB.
 */
export class ByteWindow {
  /** The bytes of [start, end) lie at buffer[0, end - start). */
  private buffer: Buffer;
  private start = 0;
  private end: number;

  private constructor(
    buffer: Buffer,
    end: number,
    /** Everything there is; `read` is never asked for more. */
    readonly size: number,
    private readonly read: ReadBytes | undefined,
  ) {
    this.buffer = buffer;
    this.end = end;
  }

  /** All of `bytes` at once: nothing is read or copied. */
  static of(bytes: Uint8Array): ByteWindow {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new ByteWindow(buffer, buffer.length, buffer.length, undefined);
  }

  /** `size` bytes that `read` gives (as `fs.readSync` does), `chunkBytes` at a time, more when a piece held is larger. */
  static reading(size: number, read: ReadBytes, chunkBytes: number): ByteWindow {
    return new ByteWindow(Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, size))), 0, size, read);
  }

  /** The byte at `position` (reading on to it; bytes from `keepFrom` on stay held), or -1 past the end or before the window. */
  byteAt(position: number, keepFrom = position): number {
    if (position >= this.size || position < this.start) return -1;
    this.hold(keepFrom, position + 1);
    return this.buffer[position - this.start]!;
  }

  /** Whether the bytes at `position`, which the window holds, are `pattern`. */
  heldStartsWith(pattern: Buffer, position: number): boolean {
    if (position < this.start || position + pattern.length > this.end) return false;
    const at = position - this.start;
    return this.buffer.compare(pattern, 0, pattern.length, at, at + pattern.length) === 0;
  }

  /** The position of the first `pattern` at or after `from` in what the window holds, or -1. */
  indexOfHeld(pattern: Buffer, from: number): number {
    const found = this.buffer.subarray(0, this.end - this.start).indexOf(pattern, Math.max(0, from - this.start));
    return found < 0 ? -1 : this.start + found;
  }

  /**
   * The position of the first `pattern` at or after `from`, reading on as far as it takes, or -1;
   * bytes from `keepFrom` (at most `from`) on stay held.
   */
  indexOf(pattern: Buffer, from: number, keepFrom = from): number {
    let searchFrom = from;
    for (;;) {
      this.hold(keepFrom, Math.min(this.size, Math.max(this.end, searchFrom + pattern.length)));
      const found = this.buffer.subarray(0, this.end - this.start).indexOf(pattern, searchFrom - this.start);
      if (found >= 0) return this.start + found;
      if (this.end >= this.size) return -1;
      searchFrom = Math.max(searchFrom, this.end - pattern.length + 1);
      this.hold(keepFrom, this.end + 1);
    }
  }

  /** The position of the last line break at or after `from` in what the window holds, or -1. */
  lastLineBreakHeld(from: number): number {
    const found = this.buffer.subarray(Math.max(0, from - this.start), this.end - this.start).lastIndexOf(0x0a);
    return found < 0 ? -1 : Math.max(from, this.start) + found;
  }

  /** Where the bytes the window holds end: `size` once all is read. */
  get heldEnd(): number {
    return this.end;
  }

  /** [from, to) as text, or `undefined` when those bytes are not valid UTF-8. */
  text(from: number, to: number): string | undefined {
    this.hold(from, to);
    const bytes = this.buffer.subarray(from - this.start, to - this.start);
    return isAscii(bytes) ? bytes.toString('latin1') : decodeValidUtf8(bytes, 0);
  }

  /**
   * Makes the window hold [from, to) (`to` at most `size`); what lies before `from` may be let go.
   * A file window reads on to fill its buffer; its buffer doubles when [from, to) does not fit.
   */
  hold(from: number, to: number): void {
    if (from < this.start) throw new RangeError(`byte ${from} was let go (the window starts at ${this.start})`);
    if (to <= this.end) return;
    const read = this.read;
    if (read === undefined || to > this.size) throw new RangeError(`bytes up to ${to} asked of ${this.size}`);
    const kept = Math.max(0, this.end - from);
    const capacity = Math.min(this.size - from, Math.max(this.buffer.length, 2 * (to - from)));
    if (capacity > this.buffer.length) {
      const grown = Buffer.allocUnsafe(capacity);
      if (kept > 0) this.buffer.copy(grown, 0, from - this.start, this.end - this.start);
      this.buffer = grown;
    } else if (kept > 0 && from > this.start) {
      this.buffer.copyWithin(0, from - this.start, this.end - this.start);
    }
    this.start = from;
    const wanted = Math.min(this.size, from + this.buffer.length);
    let filled = from + kept;
    while (filled < wanted) {
      const count = read(this.buffer, filled - from, wanted - filled, filled);
      if (count === 0) throw new ShortRead(`the file ended at byte ${filled}, before the ${this.size} it had when opened`);
      filled += count;
    }
    this.end = filled;
  }
}

/** A file that shrank while it was read. */
export class ShortRead extends Error {}
