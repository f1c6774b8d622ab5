import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/local/job-queue.ts';
import type { Job } from '../../src/store/store.ts';

function job(id: string): Job {
  return { id, event: 'workflow_run', payload: {}, receivedAt: '2026-11-26T00:00:00.000Z' };
}

describe('src/local/job-queue.ts', () => {
  it('runs jobs one at a time in arrival order and drains', async () => {
    const events: string[] = [];
    const queue = createJobQueue(async (next) => {
      events.push(`start ${next.id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${next.id}`);
    }, pino({ level: 'silent' }));

    queue.push(job('a'));
    queue.push(job('b'));
    const pendingBefore = queue.pending;
    await queue.drain();

    expect(pendingBefore).toBe(2);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(queue.pending).toBe(0);
  });

  it('logs a failed job and goes on with the next', async () => {
    const ran: string[] = [];
    const logged: unknown[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const queue = createJobQueue(async (next) => {
      ran.push(next.id);
      if (next.id === 'bad') throw new Error('GitHub is down');
    }, log);

    queue.push(job('bad'));
    queue.push(job('good'));
    await queue.drain();

    expect(ran).toEqual(['bad', 'good']);
    expect(logged).toEqual([expect.objectContaining({ msg: 'job failed', deliveryId: 'bad', err: expect.objectContaining({ message: 'GitHub is down' }) })]);
  });
});
