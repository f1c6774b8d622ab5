import { describe, it } from 'vitest';

import { locateInDockerfile } from '../../src/engine/locate-dockerfile.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderPrComment } from '../../src/render/pr-comment.ts';
import { renderSarif } from '../../src/render/sarif.ts';
import { renderText } from '../../src/render/text.ts';
import { expectGolden } from './golden.ts';
import {
  allowedVerdict,
  blockedVerdict,
  CHECK_RUN_URL,
  emptyVerdict,
  FORK_PROBLEM,
  hostileVerdict,
  NOW,
  outcome,
  POLICY_PROBLEM,
  warnedVerdict,
} from './helpers.ts';

const NOTES = ['No .github/image-assurance.yml on main; preset:baseline applied'];
const RUNS = [{ id: 7001, name: 'build & scan', url: 'https://github.com/acme/api/actions/runs/7001' }];

describe('src/render golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  it.each([
    ['markdown-blocked.md', () => renderMarkdown(outcome(blockedVerdict(), { notes: NOTES, runs: RUNS }), { now: NOW, checkRunUrl: CHECK_RUN_URL })],
    ['markdown-warned.md', () => renderMarkdown(outcome(warnedVerdict()), { now: NOW })],
    ['markdown-problems.md', () => renderMarkdown(outcome(hostileVerdict(), { problems: [POLICY_PROBLEM, FORK_PROBLEM] }), { now: NOW })],
    ['markdown-empty.md', () => renderMarkdown(outcome(emptyVerdict()), { now: NOW })],
    ['comment-blocked.md', () => renderPrComment(outcome(blockedVerdict(), { runs: RUNS }), { now: NOW, checkRunUrl: CHECK_RUN_URL })],
    ['comment-green.md', () => renderPrComment(outcome(allowedVerdict()), { now: NOW, checkRunUrl: CHECK_RUN_URL, wasFailing: true })],
    ['comment-problem.md', () => renderPrComment(outcome(emptyVerdict(), { problems: [FORK_PROBLEM] }), { now: NOW, checkRunUrl: CHECK_RUN_URL })],
    ['text-blocked.txt', () => renderText(blockedVerdict(), { color: false })],
    ['text-warned.txt', () => renderText(warnedVerdict(), { color: false })],
    ['sarif-blocked.json', () => `${JSON.stringify(renderSarif(blockedVerdict(), { toolVersion: '1.2.3' }), null, 2)}\n`],
    [
      'check-run-blocked.json',
      () =>
        `${JSON.stringify(
          renderCheckRun(outcome(locateInDockerfile(blockedVerdict(), [{ path: 'services/api/Dockerfile', from: { line: 3 }, user: { line: 14 } }]), { problems: [POLICY_PROBLEM] }), {
            now: NOW,
          }),
          null,
          2,
        )}\n`,
    ],
  ])('%s', (name, render) => {
    const actual = render();

    expectGolden(name, actual);
  });
});
