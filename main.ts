import { App } from 'cdktf';
import { loadConfig, stackConfig } from './config';
import { ContentStack } from './constructs/content-stack';

/**
 * The app: one stack per environment of the config. The config is validated (and every
 * synth-time check runs) before any construct exists, so a bad value leaves cdktf.out as it was.
 */
function main(): void {
  const config = loadConfig();
  const offline = process.env.OFFLINE_PLAN === '1';
  const app = new App();
  for (const envName of Object.keys(config.environments)) {
    new ContentStack(app, envName, { config: stackConfig(config, envName), offline });
  }
  app.synth();
}

main();
