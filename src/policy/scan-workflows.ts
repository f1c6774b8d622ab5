import { matchesAnyGlob } from '../model/glob.ts';
import type { ResolvedSettings } from './schema.ts';

/**
 * settings.scan_workflows: whether a run's artifacts may be read. The workflow file must match a
 * glob of every list that applies (the organization's lists are a floor). With no list, every
 * workflow is read; a run that names no workflow file is read only then.
 */
export function isScanWorkflow(settings: Pick<ResolvedSettings, 'scan_workflows'>, workflowPath: string | undefined): boolean {
  if (settings.scan_workflows.length === 0) return true;
  return workflowPath !== undefined && settings.scan_workflows.every((globs) => matchesAnyGlob(workflowPath, globs));
}
