import { describe, expect, it } from 'vitest';

import type { Violation } from '../../src/model/verdict.ts';
import { RULES } from '../../src/engine/rules/index.ts';
import { escapeMarkdown, repositoryOf, sanitizeText, sortViolations } from '../../src/render/format.ts';
import { log4jViolation, ROOT_USER } from './helpers.ts';

describe('src/render/format', () => {
  it.each([
    ['a plain package name', 'log4j-core', 'log4j-core'],
    ['a table pipe', 'a|b', 'a&#124;b'],
    ['HTML', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['backticks', '`rm -rf`', '&#96;rm -rf&#96;'],
    ['newlines', 'a\nb\r\nc', 'a b c'],
    ['a mention', '@octocat', '@&#8203;octocat'],
    ['emphasis and links', '*x* _y_ [z](u) ~w~', '&#42;x&#42; &#95;y&#95; &#91;z&#93;(u) &#126;w&#126;'],
    ['math', '$x$', '&#36;x&#36;'],
    ['an entity', '&lt;', '&amp;lt;'],
    ['control characters', 'a\u001b[31mb\u0007', 'a&#91;31mb'],
    ['a long value', 'x'.repeat(300), `${'x'.repeat(199)}…`],
    ['issue cross-references', 'see #12, acme/api#3 and GH-4; #x stays', 'see #&#8203;12, acme/api#&#8203;3 and GH-&#8203;4; #x stays'],
    ['bidirectional controls', 'a\u202eb\u202c\u2066c\u2069\u200fd', 'abcd'],
  ])('escapeMarkdown: %s', (_name, input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it.each([
    ['an escape sequence', 'a\u001b[2Jb', 'a?[2Jb'],
    ['newlines', 'a\nb', 'a b'],
    ['bidirectional controls', 'a\u202eb\u2067c', 'abc'],
  ])('sanitizeText: %s', (_name, input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });

  it.each<[string, Violation, string]>([
    ['a vulnerability with a fix', log4jViolation(), 'upgrade log4j-core to 2.17.1'],
    ['a vulnerability without a fix', log4jViolation({ fixed_version: undefined }), 'no fixed version yet: remove or replace log4j-core, or add an exception'],
    ['a root user', ROOT_USER, 'run as a non-root USER'],
    ['a base image', { rule: 'base_images', id: 'base-image', message: 'ubuntu:20.04 is not allowed' }, 'rebuild from an approved base image: ubuntu:20.04 is not allowed'],
    ['a secret', { rule: 'secrets', id: 'aws-access-key-id', message: 'AWS key', location: { path: '/app/.env' } }, 'remove the secret from /app/.env and rotate it'],
    ['a denied package', { rule: 'packages.deny', id: 'telnet', package: 'telnet', message: 'telnet is denied' }, 'remove telnet from the image'],
    ['a required package', { rule: 'packages.require', id: 'ca-certificates', message: 'missing' }, 'install ca-certificates in the image'],
  ])('the rule\'s fix: %s', (_name, violation, fix) => {
    expect(RULES[violation.rule].fix(violation)).toBe(fix);
  });

  it('sorts most severe first, malware and secrets with critical, rules without severity last, stably', () => {
    const input: Violation[] = [
      ROOT_USER,
      log4jViolation({ id: 'MED', severity: 'medium', cvss: 5 }),
      { rule: 'secrets', id: 'key', message: 'k' },
      log4jViolation({ id: 'CRIT', severity: 'critical', cvss: 9.8 }),
      log4jViolation({ id: 'UNK', severity: 'unknown', cvss: undefined }),
    ];

    const ids = sortViolations(input).map((violation) => violation.id);

    expect(ids).toEqual(['CRIT', 'key', 'MED', 'UNK', 'user']);
  });

  it.each([
    ['ghcr.io/acme/api:1.2.3', 'ghcr.io/acme/api'],
    ['localhost:5000/api:1', 'localhost:5000/api'],
    ['ghcr.io/acme/api@sha256:abc', 'ghcr.io/acme/api'],
    ['docker.io/library/alpine', 'docker.io/library/alpine'],
  ])('repositoryOf(%s) = %s', (image, repository) => {
    expect(repositoryOf(image)).toBe(repository);
  });
});
