import type { Logger } from 'probot';
import type { Job } from '../store/store.ts';

/**
 * The in-process stand-in for the table's stream under `npm start`: a job is run right after it
 * is stored, one at a time in arrival order (no polling). A failed job is logged; its check run
 * already says what failed (the job's final guard).
 */
export interface JobQueue {
  push(job: Job): void;
  /** Resolves when every job pushed so far has finished. */
  drain(): Promise<void>;
  readonly pending: number;
}

export function createJobQueue(runJob: (job: Job) => Promise<void>, log: Logger): JobQueue {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    push(job) {
      pending += 1;
      tail = tail.then(async () => {
        try {
          await runJob(job);
        } catch (error) {
          log.error({ err: error, deliveryId: job.id, event: job.event }, 'job failed');
        } finally {
          pending -= 1;
        }
      });
    },
    drain() {
      return tail;
    },
    get pending() {
      return pending;
    },
  };
}
