import { resolve } from 'node:path';
import { ConfigError, hasNoCredentials, readLocalConfig, readSetupConfig } from '../env.ts';
import { ENV_FILE, readEnvFile } from './env-file.ts';
import { createLocalLog } from './log.ts';
import { startLocalApp, STOP_GRACE_MS } from './server.ts';

/**
 * `npm start`: the app on this machine with embedded defaults (port 3000 on 127.0.0.1, dynalite
 * in .data/dynalite), configured by the environment and `.env`. No credentials at all: the set-up
 * page on `/` creates the GitHub App. Missing or bad configuration otherwise: one message listing
 * what to set, exit 2. SIGTERM or Ctrl-C: stop taking deliveries, give the jobs in flight up to
 * STOP_GRACE_MS, stop dynalite, exit (0, or 1 when a job was left); a second one exits at once.
 */

async function main(): Promise<void> {
  const envFile = resolve(ENV_FILE);
  const env = { ...readEnvFile(envFile), ...process.env };
  let config;
  try {
    config = hasNoCredentials(env) ? readSetupConfig(env) : readLocalConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSet them in the environment or in ${ENV_FILE} and run npm start again.\n`);
    process.exit(2);
  }
  const log = createLocalLog({ level: config.logLevel, isTerminal: process.stdout.isTTY === true, destination: process.stdout });
  const app = await startLocalApp(config, log, { envFile });
  log.info(
    { url: app.url, webhooks: `${app.url}/webhooks`, github: config.baseUrl ?? 'https://api.github.com', store: config.dynamodbEndpoint ?? config.dataDir, proxy: config.webhookProxyUrl },
    app.isRunning ? 'listening' : `no GitHub App credentials: open ${app.url}/ to create the app`,
  );

  let isStopping = false;
  const stop = (signal: string) => {
    if (isStopping) {
      log.warn({ signal }, 'stopping now, without waiting for the jobs');
      process.exit(130);
    }
    isStopping = true;
    log.info({ signal, graceSeconds: STOP_GRACE_MS / 1000 }, 'stopping: finishing the jobs in flight (again to force)');
    app.stop().then(
      ({ unfinished }) => {
        if (unfinished > 0) log.warn({ unfinished }, 'stopped with jobs unfinished: redeliver them from the app\'s Advanced settings on GitHub');
        else log.info('stopped');
        process.exit(unfinished > 0 ? 1 : 0);
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
