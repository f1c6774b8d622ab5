import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLocalLog } from '../../src/local/log.ts';

function capture(isTerminal: boolean): { log: ReturnType<typeof createLocalLog>; text: () => string } {
  const destination = new PassThrough();
  let text = '';
  destination.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { log: createLocalLog({ level: 'info', isTerminal, destination }), text: () => text };
}

describe('src/local/log.ts', () => {
  it('writes one JSON object per line with every key once, the innermost value winning', () => {
    const { log, text } = capture(false);

    log.child({ name: 'github' }).info({ name: 'event', deliveryId: 'd-1' }, 'webhook received');
    log.debug('not at info');

    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/"name":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, name: 'event', deliveryId: 'd-1', msg: 'webhook received' });
  });

  it('writes pretty lines on a terminal', () => {
    const { log, text } = capture(true);

    log.info({ deliveryId: 'd-1' }, 'webhook received');

    expect(text()).toContain('INFO');
    expect(text()).toContain('webhook received');
    expect(text().replace(/\u001b\[\d+m/g, '')).toContain('deliveryId: "d-1"');
    expect(text().trimStart().startsWith('{')).toBe(false);
  });
});
