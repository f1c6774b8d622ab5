import { pino } from 'pino';
import { ConfigError, readLocalConfig } from '../env.ts';
import { startLocalApp } from './server.ts';

/**
 * `npm start`: the app on this machine with embedded defaults (port 3000, dynalite in
 * .data/dynalite). Missing configuration: one message listing what to set, exit 2. SIGTERM or
 * SIGINT: stop taking deliveries, finish the queued jobs, stop dynalite, exit 0.
 */

async function main(): Promise<void> {
  let config;
  try {
    config = readLocalConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSet them in the environment and run npm start again.\n`);
    process.exit(2);
  }
  const log = pino({ level: config.logLevel, base: { name: 'image-assurance' } });
  const app = await startLocalApp(config, log);
  log.info({ url: app.url, webhooks: `${app.url}/webhooks`, github: config.baseUrl ?? 'https://api.github.com', store: config.dynamodbEndpoint ?? config.dataDir }, 'listening');

  let isStopping = false;
  const stop = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    log.info({ signal }, 'stopping: finishing queued jobs');
    app.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'could not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`image-assurance could not start: ${message}\n`);
  process.exit(1);
});
