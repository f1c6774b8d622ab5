import { Command } from 'commander';
import { policyJsonSchema } from '../policy/json-schema.ts';
import { EXIT_ALLOWED, type CommandContext } from './io.ts';

export function schemaCommand(context: CommandContext): Command {
  return new Command('schema')
    .summary("print the policy file's JSON Schema (policies/schema.json)")
    .action(() => {
      context.io.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
      context.setExitCode(EXIT_ALLOWED);
    });
}
