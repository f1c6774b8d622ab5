import { describe, expect, it } from 'vitest';

import { renderJson } from '../../src/render/json.ts';
import { blockedVerdict, emptyVerdict } from './helpers.ts';

describe('src/render/json', () => {
  it.each([
    ['a blocked verdict', blockedVerdict()],
    ['an empty verdict', emptyVerdict()],
  ])('prints exactly %s, pretty and newline-terminated', (_name, verdict) => {
    const text = renderJson(verdict);

    expect(JSON.parse(text)).toEqual(verdict);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "allowed"');
  });
});
