import { describe, expect, it } from 'vitest';
import { readDockerfile } from '../../src/job/read-dockerfile.ts';

describe('src/job/read-dockerfile', () => {
  it.each([
    ['a single stage', 'FROM alpine:3.19\nRUN apk add curl\nUSER app\n', { from: { name: 'alpine:3.19', line: 1 }, user: { name: 'app', line: 3 } }],
    ['no USER line', 'FROM node:20\nCMD ["node"]\n', { from: { name: 'node:20', line: 1 } }],
    ['the last stage of a multi-stage build', 'FROM golang:1.22 AS build\nUSER root\nRUN go build\n\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\nUSER 65532:65532\n', { from: { name: 'gcr.io/distroless/static:nonroot', line: 5 }, user: { name: '65532:65532', line: 7 } }],
    ['a last stage built on an earlier stage', 'FROM --platform=$BUILDPLATFORM debian:12 AS base\nUSER nobody\nFROM base\nRUN true\n', { from: { name: 'debian:12', line: 3 }, user: { name: 'nobody', line: 2 } }],
    ['the last of several USER lines', 'FROM alpine\nUSER app\nUSER root\n', { from: { name: 'alpine', line: 1 }, user: { name: 'root', line: 3 } }],
    ['comments and continuations', '# syntax=docker/dockerfile:1\n\nFROM \\\n  alpine:3.18\nRUN echo a \\\n  # a comment inside\n  && echo b\nUSER 1000\n', { from: { name: 'alpine:3.18', line: 3 }, user: { name: '1000', line: 8 } }],
    ['a base given by a build argument', 'ARG BASE=alpine\nFROM ${BASE}\n', { from: { line: 2 } }],
    ['lowercase keywords', 'from alpine:3.1\nuser app\n', { from: { name: 'alpine:3.1', line: 1 }, user: { name: 'app', line: 2 } }],
    ['no FROM at all', '# empty\n', {}],
  ])('reads %s', (_name, text, expected) => {
    const facts = readDockerfile('Dockerfile', text);

    expect(facts).toEqual({ path: 'Dockerfile', ...expected });
  });
});
