import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HANDLED_EVENTS } from '../../src/events/handled-events.ts';

const manifest = parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../app.yml'), 'utf8')) as Record<string, any>;

describe('app.yml', () => {
  it('asks for the least privilege the app needs, nothing more', () => {
    expect(manifest.default_permissions).toEqual({
      checks: 'write',
      pull_requests: 'write',
      actions: 'read',
      contents: 'read',
      packages: 'read',
      metadata: 'read',
    });
  });

  it('subscribes to exactly the events the app handles (installation events come to every app)', () => {
    expect([...manifest.default_events].sort()).toEqual(Object.keys(HANDLED_EVENTS).sort());
  });

  it('is private and names its webhook URL', () => {
    expect(manifest).toMatchObject({ name: expect.any(String), url: expect.any(String), public: false, hook_attributes: { url: expect.stringMatching(/^https:\/\//), active: true } });
  });
});
