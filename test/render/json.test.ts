import { describe, expect, it } from 'vitest';

import { renderJson } from '../../src/render/json.ts';
import { blockedVerdict, emptyVerdict } from './helpers.ts';

describe('src/render/json', () => {
  it.each([
    ['a blocked verdict', blockedVerdict()],
    ['an empty verdict', emptyVerdict()],
  ])('prints exactly %s, pretty and newline-terminated', (_name, verdict) => {
    const text = renderJson(verdict, { toolVersion: '1.2.3' });

    expect(JSON.parse(text)).toEqual({ tool: { name: 'image-assurance', version: '1.2.3' }, ...verdict });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "allowed"');
  });
});
