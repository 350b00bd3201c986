/** `phonebridge-mock [serve]`: settings from flags over the environment over defaults, start, banner, save on every polite signal. */
import type { LogMode } from '../config.js';

export interface ServeFlags {
  port?: string;
  host?: string;
  db?: string;
  seed?: string;
  crmSize?: string;
  log?: LogMode;
  autoConsent?: boolean;
}

/** Each flag stands for an environment variable: the flag wins, and errors about it name the flag. */
const FLAG_VARIABLES: Record<keyof ServeFlags, [variable: string, flag: string]> = {
  port: ['PORT', '--port'],
  host: ['HOST', '--host'],
  db: ['PHONEBRIDGE_DB', '--db'],
  seed: ['PHONEBRIDGE_SEED', '--seed'],
  crmSize: ['PHONEBRIDGE_CRM_SIZE', '--crm-size'],
  log: ['PHONEBRIDGE_LOG', '--log'],
  autoConsent: ['PHONEBRIDGE_AUTO_CONSENT', '--auto-consent'],
};

/** Variables that hold secrets: the banner says they are set, never what they hold. */
const SECRET = new Set(['PHONEBRIDGE_ADMIN_TOKEN']);

/** The environment the mock reads, with the flags folded in; the labels; and where each non-default setting came from. */
export function settingsFrom(flags: ServeFlags, processEnv: NodeJS.ProcessEnv) {
  const env: NodeJS.ProcessEnv = { ...processEnv };
  const labels: Record<string, string> = {};
  const sources: string[] = [];
  for (const [key, [variable, flag]] of Object.entries(FLAG_VARIABLES) as [keyof ServeFlags, [string, string]][]) {
    const value = flags[key];
    if (value === undefined) continue;
    env[variable] = typeof value === 'boolean' ? (value ? '1' : '0') : value;
    labels[variable] = flag;
    sources.push(typeof value === 'boolean' ? flag : `${flag} ${value}`);
  }
  for (const [variable, value] of Object.entries(processEnv))
    if ((variable === 'PORT' || variable === 'HOST' || variable.startsWith('PHONEBRIDGE_')) && value && labels[variable] === undefined)
      sources.push(`${variable}=${SECRET.has(variable) ? '(set)' : value} (environment)`);
  return { env, labels, sources };
}

export async function serve(flags: ServeFlags, processEnv: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Loaded here, not at the top: the other commands need none of it and start faster without it.
  const [{ readConfig }, { launch, banner }] = await Promise.all([import('../config.js'), import('../start.js')]);
  const { env, labels, sources } = settingsFrom(flags, processEnv);
  let config;
  try {
    config = readConfig(env, labels);
  } catch (error) {
    console.error(`phonebridge-mock: ${(error as Error).message} (phonebridge-mock --help lists the settings)`);
    return 2;
  }
  const running = await launch(config, { colors: Boolean(process.stdout.isTTY) && !processEnv.NO_COLOR });
  process.once('exit', () => running.store.close());
  console.log(banner(running, sources));

  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`phonebridge-mock: ${signal}, saving ${running.store.location} and stopping`);
      running.stop().then(
        () => resolve(0),
        (error: unknown) => {
          console.error('phonebridge-mock: could not save the database:', error);
          resolve(1);
        },
      );
    };
    // Every signal that ends a process politely saves first.
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.on(signal, () => stop(signal));
  });
}
