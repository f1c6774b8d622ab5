import { InputError } from '../errors.ts';

/**
 * `JSON.parse` once; on a syntax error, an InputError with the 1-based line and column of the
 * first bad character. V8 only sometimes says where (`at position N`), so the failure path scans
 * the text itself; the success path costs nothing extra.
 */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const { offset, isTruncated } = locateJsonError(text);
    const { line, col } = lineAndColumn(text, offset);
    const message = isTruncated
      ? 'invalid JSON: the document ends early (truncated?)'
      : `invalid JSON: unexpected ${describeChar(text, offset)}`;
    throw new InputError({ file, line, col, message }, { cause: error });
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

function describeChar(text: string, offset: number): string {
  const char = text[offset];
  if (char === undefined) return 'end of input';
  if (char === '\n') return 'line break';
  return `'${char}'`;
}

/** The offset of the first syntax error in `text`, which JSON.parse has rejected. */
export function locateJsonError(text: string): { offset: number; isTruncated: boolean } {
  const scanner = new JsonScanner(text);
  try {
    scanner.skipSpace();
    scanner.value();
    scanner.skipSpace();
    if (scanner.pos < text.length) return { offset: scanner.pos, isTruncated: false };
    // The scanner accepted what JSON.parse rejected (e.g. a lone surrogate is fine for both); point at the end.
    return { offset: text.length, isTruncated: false };
  } catch (error) {
    if (error instanceof ScanError) return { offset: error.offset, isTruncated: error.offset >= text.length };
    throw error;
  }
}

class ScanError extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

class JsonScanner {
  pos = 0;
  constructor(private readonly text: string) {}

  skipSpace(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos += 1;
      else break;
    }
  }

  /** One JSON value, iteratively (an explicit stack: nesting depth is not limited by the call stack). */
  value(): void {
    const { text } = this;
    const open: string[] = [];
    for (;;) {
      // A value is expected here.
      this.skipSpace();
      const c = text[this.pos];
      if (c === '{' || c === '[') {
        this.pos += 1;
        this.skipSpace();
        const close = c === '{' ? '}' : ']';
        if (text[this.pos] === close) {
          this.pos += 1;
        } else {
          open.push(c);
          if (c === '{') this.key();
          continue;
        }
      } else {
        this.scalar();
      }
      // After a value: a comma, a closing bracket, or the end.
      for (;;) {
        const top = open.at(-1);
        if (top === undefined) return;
        this.skipSpace();
        const next = text[this.pos];
        if (next === ',') {
          this.pos += 1;
          if (top === '{') this.key();
          break;
        }
        if ((top === '{' && next === '}') || (top === '[' && next === ']')) {
          this.pos += 1;
          open.pop();
          continue;
        }
        throw new ScanError(this.pos);
      }
    }
  }

  /** `"key" :` inside an object. */
  private key(): void {
    this.skipSpace();
    if (this.text[this.pos] !== '"') throw new ScanError(this.pos);
    this.string();
    this.skipSpace();
    if (this.text[this.pos] !== ':') throw new ScanError(this.pos);
    this.pos += 1;
  }

  private scalar(): void {
    const c = this.text[this.pos];
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true');
    if (c === 'f') return this.literal('false');
    if (c === 'n') return this.literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    throw new ScanError(this.pos);
  }

  private string(): void {
    const { text } = this;
    this.pos += 1;
    for (;;) {
      if (this.pos >= text.length) throw new ScanError(this.pos);
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos += 1;
        return;
      }
      if (c < 0x20) throw new ScanError(this.pos);
      if (c === 0x5c) {
        const next = text[this.pos + 1];
        if (next === undefined) throw new ScanError(this.pos + 1);
        if (next === 'u') {
          for (let i = 2; i < 6; i += 1) {
            const h = text[this.pos + i];
            if (h === undefined) throw new ScanError(this.pos + i);
            if (!/[0-9a-fA-F]/.test(h)) throw new ScanError(this.pos + i);
          }
          this.pos += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(next)) throw new ScanError(this.pos + 1);
        this.pos += 2;
        continue;
      }
      this.pos += 1;
    }
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i += 1) {
      if (this.text[this.pos + i] !== word[i]) throw new ScanError(this.pos + i);
    }
    this.pos += word.length;
  }

  private number(): void {
    const { text } = this;
    if (text[this.pos] === '-') this.pos += 1;
    if (text[this.pos] === '0') this.pos += 1;
    else this.digits();
    if (text[this.pos] === '.') {
      this.pos += 1;
      this.digits();
    }
    if (text[this.pos] === 'e' || text[this.pos] === 'E') {
      this.pos += 1;
      if (text[this.pos] === '+' || text[this.pos] === '-') this.pos += 1;
      this.digits();
    }
  }

  private digits(): void {
    const start = this.pos;
    while (this.pos < this.text.length && this.text[this.pos]! >= '0' && this.text[this.pos]! <= '9') this.pos += 1;
    if (this.pos === start) throw new ScanError(this.pos);
  }
}
