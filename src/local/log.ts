import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogLevel } from '../env.ts';

/**
 * `npm start`'s log: pretty lines on a terminal (pino-pretty, as Probot prints them), one JSON
 * object per line otherwise. pino writes a child's bindings after its parent's, so Probot's
 * `log.child({ name: 'github' })` under `name: 'image-assurance'` gives a line with two `name`
 * keys, which JSON tools read differently; each line is written again with every key once (the
 * innermost value, as JSON.parse keeps it).
 */
export function createLocalLog(options: { level: LogLevel; isTerminal: boolean; destination: NodeJS.WritableStream }): Logger {
  const base = { level: options.level, base: { name: 'image-assurance' } };
  if (options.isTerminal) {
    return pino(base, PinoPretty({ colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l', destination: options.destination, sync: true }));
  }
  return pino(base, uniqueKeys(options.destination));
}

/** A stream of pino lines whose keys are made unique, one object per line. */
function uniqueKeys(destination: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const lines = chunk.toString().split('\n').filter((line) => line !== '');
      destination.write(lines.map((line) => `${JSON.stringify(JSON.parse(line))}\n`).join(''));
      done();
    },
  });
}
