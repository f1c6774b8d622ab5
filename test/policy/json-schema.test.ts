import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_SCHEMA_ID, policyJsonSchema, renderPolicyJsonSchema } from '../../src/policy/json-schema.ts';

const SCHEMA_FILE = new URL('../../policies/schema.json', import.meta.url);

describe('src/policy/json-schema', () => {
  it('matches policies/schema.json', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');

    expect(committed, 'policies/schema.json is out of date: run `npm run schema`').toBe(renderPolicyJsonSchema());
  });

  it('describes the input a person writes: defaults optional, unknown keys refused', () => {
    const schema = policyJsonSchema() as {
      $id: string;
      title: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { items?: { required?: string[]; properties?: Record<string, { default?: unknown }> } }>;
    };

    expect(schema.$id).toBe(POLICY_SCHEMA_ID);
    expect(schema.title).toContain('.github/image-assurance.yml');
    expect(schema.required).toEqual(['version']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.policies?.items?.required).toEqual(['name']);
    expect(schema.properties.policies?.items?.properties?.enforcement?.default).toBe('block');
    expect(schema.properties.exceptions?.items?.required).toEqual(['id', 'reason', 'expires']);
  });
});
