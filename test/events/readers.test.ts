import { describe, expect, it } from 'vitest';
import { readCheckEvent } from '../../src/events/check.ts';
import { readPullRequestEvent, readReviewEvent } from '../../src/events/pull-request.ts';
import { readWorkflowRun, readWorkflowRunEvent } from '../../src/events/workflow-run.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';

/** A real payload as an App receives it (GitHub adds the installation to every App delivery). */
function delivery(name: string): Record<string, any> {
  return { installation: { id: 77 }, ...readFixtureJson<Record<string, any>>(`webhooks/${name}.json`) };
}

const REPOSITORY_ID = 300029405;

describe('src/events/workflow-run.ts', () => {
  it('reads the repository, the action and the run of a real delivery', () => {
    const read = readWorkflowRunEvent(delivery('workflow_run.completed'), 1);

    expect(read).toEqual({
      ok: true,
      value: {
        target: { owner: 'octo-org', repo: 'octo-repo', repositoryId: REPOSITORY_ID, defaultBranch: 'master', installationId: 77, appId: 1 },
        action: 'completed',
        run: {
          ref: { id: 289782451, name: 'test.yml', url: 'https://github.com/octo-org/octo-repo/actions/runs/289782451' },
          headSha: expect.stringMatching(/^[0-9a-f]{40}$/),
          attempt: 1,
          headBranch: 'master',
          workflowPath: '.github/workflows/test.yml',
          status: 'completed',
          isFromFork: false,
          pullRequests: [],
        },
      },
    });
  });

  it('names no base for a pull request of another repository, and the base of one of this repository', () => {
    const payload = delivery('workflow_run.completed.2');
    const [other] = payload.workflow_run.pull_requests;
    expect(other.base.repo.id).not.toBe(REPOSITORY_ID);
    const own = { ...other, number: 3, base: { ...other.base, ref: 'release', repo: { ...other.base.repo, id: REPOSITORY_ID } } };

    const read = readWorkflowRun({ ...payload.workflow_run, pull_requests: [other, own, { number: 4 }, 'junk'] }, REPOSITORY_ID);

    expect(read.ok && read.value.pullRequests).toEqual([{ number: 3, baseRef: 'release' }]);
  });

  it.each([
    { name: 'no head_repository', change: { head_repository: null }, isFromFork: true },
    { name: 'a head_repository without an id', change: { head_repository: { name: 'x' } }, isFromFork: true },
    { name: 'the head_repository of a fork', change: { head_repository: { id: 1 } }, isFromFork: true },
    { name: 'its own head_repository', change: {}, isFromFork: false },
  ])("treats a run with $name as a fork's: $isFromFork", ({ change, isFromFork }) => {
    const read = readWorkflowRun({ ...delivery('workflow_run.completed').workflow_run, ...change }, REPOSITORY_ID);

    expect(read.ok && read.value.isFromFork).toBe(isFromFork);
  });

  it.each([
    { run_attempt: 3, attempt: 3 },
    { run_attempt: undefined, attempt: 1 },
    { run_attempt: 0, attempt: 1 },
    { run_attempt: '2', attempt: 1 },
  ])('reads run_attempt $run_attempt as attempt $attempt', ({ run_attempt, attempt }) => {
    const read = readWorkflowRun({ ...delivery('workflow_run.completed').workflow_run, run_attempt }, REPOSITORY_ID);

    expect(read.ok && read.value.attempt).toBe(attempt);
  });

  it('strips the @ref from the workflow file path, and names an unnamed run by its file', () => {
    const read = readWorkflowRun({ ...delivery('workflow_run.completed').workflow_run, name: '', path: '.github/workflows/scan.yml@refs/heads/main' }, REPOSITORY_ID);

    expect(read.ok && read.value).toMatchObject({ workflowPath: '.github/workflows/scan.yml', ref: { name: 'scan.yml' } });
  });

  it('ignores a run of another repository than the event names', () => {
    const payload = delivery('workflow_run.completed');
    payload.workflow_run = { ...payload.workflow_run, repository: { ...payload.workflow_run.repository, id: 1 } };

    expect(readWorkflowRunEvent(payload, 1)).toEqual({ ok: false, ignored: 'workflow_run of another repository: ignored', level: 'warn' });
  });

  it.each([
    { name: 'no installation', change: (p: any) => ({ ...p, installation: undefined }), reason: 'workflow_run without repository or installation: ignored' },
    { name: 'no repository', change: (p: any) => ({ ...p, repository: undefined }), reason: 'workflow_run without repository or installation: ignored' },
    { name: 'a short head SHA', change: (p: any) => ({ ...p, workflow_run: { ...p.workflow_run, head_sha: 'abc123' } }), reason: expect.stringContaining('(head_sha: expected a full commit SHA') },
    { name: 'no run ID', change: (p: any) => ({ ...p, workflow_run: { ...p.workflow_run, id: undefined } }), reason: expect.stringContaining('(id: ') },
    { name: 'an action the app does not handle', change: (p: any) => ({ ...p, action: 'deleted' }), reason: expect.stringContaining('(action: ') },
  ])('ignores a payload with $name, saying why', ({ change, reason }) => {
    expect(readWorkflowRunEvent(change(delivery('workflow_run.completed')), 1)).toEqual({ ok: false, ignored: reason, level: 'warn' });
  });
});

describe('src/events/pull-request.ts', () => {
  it('reads the pull request of a real delivery', () => {
    const read = readPullRequestEvent(delivery('pull_request.synchronize'), 1);

    expect(read).toMatchObject({ ok: true, value: { action: 'synchronize', pull: { number: 2, headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', baseRef: 'master' } } });
  });

  it('reads an edit that changed the base, with the base it had, and ignores one that did not', () => {
    const payload = { ...delivery('pull_request.opened'), action: 'edited' };

    expect(readPullRequestEvent({ ...payload, changes: { base: { ref: { from: 'lax' }, sha: { from: 'b'.repeat(40) } } } }, 1)).toMatchObject({
      ok: true,
      value: { action: 'edited', baseChangedFrom: 'lax', pull: { number: 2, baseRef: 'master' } },
    });
    expect(readPullRequestEvent({ ...payload, changes: { title: { from: 'an older title' } } }, 1)).toMatchObject({ ok: false, ignored: 'pull_request edited without a base change: ignored' });
    expect(readPullRequestEvent(payload, 1)).toMatchObject({ ok: false, ignored: 'pull_request edited without a base change: ignored' });
  });

  it('reads an edit whose base change it cannot read in full as a base change (fail closed: the commit is judged again)', () => {
    const payload = { ...delivery('pull_request.opened'), action: 'edited', changes: { base: { sha: { from: 'b'.repeat(40) } } } };

    const read = readPullRequestEvent(payload, 1);

    expect(read).toMatchObject({ ok: true, value: { action: 'edited', pull: { number: 2, baseRef: 'master' } } });
    expect(read.ok && 'baseChangedFrom' in read.value).toBe(false);
  });

  it('reads the reviewed pull request', () => {
    const payload = { ...delivery('pull_request.opened'), action: 'dismissed', review: { state: 'dismissed' } };

    expect(readReviewEvent(payload, 1)).toMatchObject({ ok: true, value: { action: 'dismissed', pull: { number: 2, baseRef: 'master' } } });
  });

  it('ignores a pull request without a base branch, naming the place', () => {
    const payload = delivery('pull_request.opened');
    payload.pull_request = { ...payload.pull_request, base: {} };

    expect(readReviewEvent({ ...payload, action: 'submitted' }, 1)).toEqual({ ok: false, ignored: expect.stringContaining('(pull_request.base.ref: '), level: 'warn' });
  });
});

describe('src/events/check.ts', () => {
  it("reads a re-run of this app's check run with its button and pull requests", () => {
    const payload = delivery('check_run.requested_action');

    expect(readCheckEvent(payload, payload.check_run.app.id)).toMatchObject({
      ok: true,
      value: { action: 'requested_action', headSha: payload.check_run.head_sha, pullRequests: payload.check_run.pull_requests.map((pr: any) => pr.number), requestedAction: payload.requested_action.identifier },
    });
  });

  it("reads a re-run of this app's check suite", () => {
    const payload = delivery('check_suite.rerequested');

    expect(readCheckEvent(payload, payload.check_suite.app.id)).toMatchObject({ ok: true, value: { action: 'rerequested', headSha: payload.check_suite.head_sha } });
  });

  it.each(['check_run.rerequested', 'check_suite.rerequested'])("ignores %s of another app's check", (name) => {
    expect(readCheckEvent(delivery(name), 999_999)).toEqual({ ok: false, ignored: expect.stringContaining("another app's check"), level: 'info' });
  });
});
