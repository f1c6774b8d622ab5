import { InputError } from '../errors.ts';

/**
 * The Action's inputs (action.yml), read from the `INPUT_*` variables the runner sets. Lists are one
 * entry per line. Everything the command line checks (formats, files, policies) is left to it.
 */
export interface ActionInputs {
  reports: string[];
  policies: string[];
  /** VEX documents (files or folders) whose not_affected statements suppress findings. */
  vex: string[];
  /** The reports of the image the change starts from: findings become introduced, inherited or newly disclosed. */
  baseline: string[];
  format: string;
  /** Whether a blocked image fails the step. Bad input always fails it. */
  isFailOnBlock: boolean;
  /** Where the verdict file goes; default `$RUNNER_TEMP/image-assurance/verdict.<ext>`. */
  output?: string;
  image?: string;
  branch?: string;
  environment?: string;
  orgPolicy?: string;
  /** Further command-line flags, passed to `image-assurance evaluate` as they are. */
  args: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Every input action.yml declares (test/action/action-yml.test.ts holds them equal). */
export const ACTION_INPUTS = ['reports', 'policy', 'vex', 'baseline', 'format', 'fail', 'output', 'image', 'branch', 'environment', 'org-policy', 'args'] as const;
type InputName = (typeof ACTION_INPUTS)[number];

export function readActionInputs(env: Env): ActionInputs {
  const reports = readList(env, 'reports');
  if (reports.length === 0) throw inputProblem('reports', 'is required: the scan reports (files or folders), one per line');
  const branch = readInput(env, 'branch') || branchOfRun(env);
  return {
    reports,
    policies: readList(env, 'policy'),
    vex: readList(env, 'vex'),
    baseline: readList(env, 'baseline'),
    format: readInput(env, 'format') || 'json',
    isFailOnBlock: readBoolean(env, 'fail', true),
    ...optional('output', readInput(env, 'output')),
    ...optional('image', readInput(env, 'image')),
    ...optional('branch', branch),
    ...optional('environment', readInput(env, 'environment')),
    ...optional('orgPolicy', readInput(env, 'org-policy')),
    args: readInput(env, 'args').split(/\s+/).filter(Boolean),
  };
}

/** As the app does: a pull request's base branch, else the branch the run is on; none for a tag. */
function branchOfRun(env: Env): string {
  if (env.GITHUB_BASE_REF) return env.GITHUB_BASE_REF;
  return env.GITHUB_REF_TYPE === 'branch' ? (env.GITHUB_REF_NAME ?? '') : '';
}

/** The runner's name for an input: `INPUT_` and the name upper-cased, spaces as `_` (hyphens stay). */
function readInput(env: Env, name: InputName): string {
  return (env[`INPUT_${name.replaceAll(' ', '_').toUpperCase()}`] ?? '').trim();
}

function readList(env: Env, name: InputName): string[] {
  return readInput(env, name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The YAML 1.2 core schema's booleans, as `core.getBooleanInput` accepts them. */
function readBoolean(env: Env, name: InputName, byDefault: boolean): boolean {
  const raw = readInput(env, name);
  if (raw === '') return byDefault;
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  throw inputProblem(name, `"${raw}" is not a boolean (true or false)`);
}

function optional<K extends string>(key: K, value: string): { [P in K]?: string } {
  return (value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}

function inputProblem(name: InputName, message: string): InputError {
  return new InputError({ file: `action input "${name}"`, message });
}
