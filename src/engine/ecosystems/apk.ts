/**
 * Alpine package versions (`digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`), compared
 * as apk does: a port of `apk_version_compare` in apk-tools' src/version.c (token by token;
 * `_alpha`, `_beta`, `_pre`, `_rc` sort before the release, `_cvs`, `_svn`, `_git`, `_hg`, `_p`
 * after it; `-rN` is the package revision).
 * Test vectors: apk-tools' test/unit/version.data, in test/engine/ecosystems/apk.test.ts.
 */

/** apk's token kinds, in the order they may follow one another. */
const Token = { InitialDigit: 0, Digit: 1, Letter: 2, Suffix: 3, SuffixNumber: 4, CommitHash: 5, RevisionNumber: 6, End: 7, Invalid: 8 } as const;
type Token = (typeof Token)[keyof typeof Token];

/** apk's suffix order: pre-release suffixes before `NONE` (the release), the others after it. */
const SUFFIXES: Readonly<Record<string, number>> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };
const SUFFIX_NONE = 5;

interface TokenState {
  token: Token;
  suffix: number;
  /** The digits of a number token, leading zeros included. */
  value: string;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isLowercase(char: string | undefined): boolean {
  return char !== undefined && char >= 'a' && char <= 'z';
}

function isHexDigit(char: string | undefined): boolean {
  return isDigit(char) || (char !== undefined && char >= 'a' && char <= 'f');
}

/** Reads one version's tokens, as apk's token_first/token_next. */
class Tokenizer {
  private i = 0;
  readonly state: TokenState = { token: Token.InitialDigit, suffix: 0, value: '' };
  constructor(private readonly text: string) {
    this.parseDigits();
  }

  private parseDigits(): void {
    const start = this.i;
    while (isDigit(this.text[this.i])) this.i++;
    this.state.value = this.text.slice(start, this.i);
    if (this.state.value === '') this.state.token = Token.Invalid;
  }

  private take(predicate: (char: string | undefined) => boolean): string {
    const start = this.i;
    while (this.i < this.text.length && predicate(this.text[this.i])) this.i++;
    return this.text.slice(start, this.i);
  }

  next(): void {
    const { state, text } = this;
    if (this.i >= text.length) {
      state.token = Token.End;
      return;
    }
    const char = text[this.i]!;
    if (isLowercase(char)) {
      if (state.token > Token.Digit) return this.invalid();
      state.value = char;
      state.token = Token.Letter;
      this.i++;
    } else if (char === '.' || isDigit(char)) {
      if (char === '.') {
        if (state.token > Token.Digit) return this.invalid();
        this.i++;
      }
      if (state.token === Token.InitialDigit || state.token === Token.Digit) state.token = Token.Digit;
      else if (state.token === Token.Suffix) state.token = Token.SuffixNumber;
      else return this.invalid();
      this.parseDigits();
    } else if (char === '_') {
      if (state.token > Token.SuffixNumber) return this.invalid();
      this.i++;
      state.value = this.take(isLowercase);
      const suffix = SUFFIXES[state.value];
      if (suffix === undefined) return this.invalid();
      state.suffix = suffix;
      state.token = Token.Suffix;
    } else if (char === '~') {
      if (state.token >= Token.CommitHash) return this.invalid();
      this.i++;
      state.value = this.take(isHexDigit);
      if (state.value === '') return this.invalid();
      state.token = Token.CommitHash;
    } else if (char === '-') {
      if (state.token >= Token.RevisionNumber || text[this.i + 1] !== 'r') return this.invalid();
      this.i += 2;
      state.token = Token.RevisionNumber;
      this.parseDigits();
    } else {
      this.invalid();
    }
  }

  private invalid(): void {
    this.state.token = Token.Invalid;
  }
}

/** Numbers compare as numbers, of any length. */
function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareTokens(a: TokenState, b: TokenState): number {
  switch (a.token) {
    case Token.Digit:
      // A leading zero compares as a string, as Gentoo's spec says.
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareStrings(a.value, b.value);
      return compareNumbers(a.value, b.value);
    case Token.InitialDigit:
    case Token.SuffixNumber:
    case Token.RevisionNumber:
      return compareNumbers(a.value, b.value);
    case Token.Letter:
      return compareStrings(a.value, b.value);
    case Token.Suffix:
      return a.suffix - b.suffix;
    default:
      return compareStrings(a.value, b.value);
  }
}

/** Negative when `a` is older than `b`, 0 when they are the same version, positive when newer. */
export function compareAlpineVersions(a: string, b: string): number {
  const left = new Tokenizer(a.trim());
  const right = new Tokenizer(b.trim());
  const x = left.state;
  const y = right.state;
  for (; x.token === y.token && x.token < Token.End; left.next(), right.next()) {
    const order = compareTokens(x, y);
    if (order !== 0) return order;
  }
  if (x.token === y.token) return 0;
  // Equal so far: the version that goes on is newer, unless what follows is a pre-release suffix.
  if (x.token === Token.Suffix && x.suffix < SUFFIX_NONE) return -1;
  if (y.token === Token.Suffix && y.suffix < SUFFIX_NONE) return 1;
  if (x.token > y.token) return -1;
  if (y.token > x.token) return 1;
  return 0;
}
