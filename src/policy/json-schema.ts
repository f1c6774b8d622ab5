import { z } from 'zod';
import { PolicyFile } from './schema.ts';

/** The `$id` of the generated schema; editors find it through `# yaml-language-server: $schema=…`. */
export const POLICY_SCHEMA_ID = 'urn:image-assurance:policy-file:v1';

/**
 * The policy file's JSON Schema, generated from the zod schema (the single source of truth) as the
 * input a person writes: keys with defaults are optional. `policies/schema.json` is this, pretty
 * printed; a test keeps the two equal (`npm run schema` regenerates it).
 */
export function policyJsonSchema(): object {
  const generated = z.toJSONSchema(PolicyFile, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: POLICY_SCHEMA_ID,
    title: 'Image Assurance policy file (.github/image-assurance.yml)',
    description:
      'Image assurance policies for container images: named sets of rules with a scope and an enforcement, expiring exceptions, and settings for the GitHub check. Unknown keys are errors.',
    ...rest,
  };
}

/** The text of `policies/schema.json`: pretty JSON and a final newline. */
export function renderPolicyJsonSchema(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
