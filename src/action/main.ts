import { runAction } from './run-action.ts';
import { formatAnnotation } from './workflow-commands.ts';

/** The Action's process (action.yml `main`, bundled to dist/action/index.mjs by `npm run build:action`). */
try {
  process.exitCode = await runAction({ stdout: process.stdout, env: process.env, cwd: process.cwd(), now: new Date() });
} catch (error) {
  // Whatever went wrong, the step fails and says so: an image that cannot be judged is not allowed.
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(formatAnnotation('error', `internal error: ${message}`, { title: 'Image Assurance' }));
  process.exitCode = 1;
}
