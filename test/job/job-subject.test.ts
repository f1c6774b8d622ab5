import { describe, expect, it } from 'vitest';
import { readJobSubject } from '../../src/job/job-subject.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';

/** A real payload as an App receives it (GitHub adds the installation to every App delivery). */
function delivery(name: string): Record<string, any> {
  return { installation: { id: 77 }, ...readFixtureJson<Record<string, any>>(`webhooks/${name}.json`) };
}

describe('src/job/job-subject.ts (the commit a job that did not finish marks as failing)', () => {
  it("is a workflow run's head commit, with the run and its pull requests of this repository", () => {
    const payload = delivery('workflow_run.completed');
    payload.workflow_run.pull_requests = [{ number: 5, base: { ref: 'master', repo: { id: payload.repository.id } } }];

    expect(readJobSubject({ event: 'workflow_run', payload }, 1)).toEqual({
      target: expect.objectContaining({ owner: 'octo-org', repo: 'octo-repo', installationId: 77 }),
      sha: payload.workflow_run.head_sha,
      run: { id: payload.workflow_run.id, name: 'test.yml', url: payload.workflow_run.html_url },
      // Its failure ends the check's wait for this attempt of the run.
      attempt: 1,
      pullRequests: [5],
    });
  });

  it("is a pull request's head commit", () => {
    const payload = delivery('pull_request.opened');

    expect(readJobSubject({ event: 'pull_request', payload }, 1)).toMatchObject({ sha: payload.pull_request.head.sha, pullRequests: [payload.pull_request.number] });
  });

  it("is a reviewed pull request's head commit (the review re-judges it)", () => {
    const payload: Record<string, any> = { ...delivery('pull_request.opened'), action: 'dismissed' };

    expect(readJobSubject({ event: 'pull_request_review', payload }, 1)).toMatchObject({ sha: payload.pull_request.head.sha, pullRequests: [payload.pull_request.number] });
  });

  it.each(['check_run.rerequested', 'check_suite.rerequested'])("is the commit of this app's %s", (name) => {
    const payload = delivery(name);
    const checked = payload.check_run ?? payload.check_suite;

    expect(readJobSubject({ event: name.split('.')[0]!, payload }, checked.app.id)).toMatchObject({ sha: checked.head_sha });
    expect(readJobSubject({ event: name.split('.')[0]!, payload }, checked.app.id + 1)).toBeUndefined();
  });

  it('is the publishing commit a container version names', () => {
    const payload = delivery('registry_package.published');

    expect(readJobSubject({ event: 'registry_package', payload }, 1)).toMatchObject({ sha: '6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b', run: { id: 57755791 }, pullRequests: [] });
  });

  it.each([
    { name: 'a workflow run of another repository', event: 'workflow_run', payload: () => ({ ...delivery('workflow_run.completed'), repository: { ...delivery('workflow_run.completed').repository, id: 1 } }) },
    { name: 'a payload without installation', event: 'pull_request', payload: () => ({ ...delivery('pull_request.opened'), installation: undefined }) },
    { name: 'a review of an action the app does not handle', event: 'pull_request_review', payload: () => ({ ...delivery('pull_request.opened'), action: 'edited' }) },
    { name: 'an event the app does not handle', event: 'installation', payload: () => delivery('installation.created') },
  ])('is none for $name', ({ event, payload }) => {
    expect(readJobSubject({ event, payload: payload() }, 1)).toBeUndefined();
  });
});
