import { loadConfig } from '../config/config.js';
import { type Application, composeApplication } from '../main/compose.js';

/**
 * Runs one command against the application built from the environment, without serving the
 * web app, and closes it afterwards so the process can exit.
 */
export async function withApplication(run: (application: Application) => Promise<number>): Promise<number> {
  const config = { ...loadConfig(process.env), serveWeb: false };
  const application = await composeApplication(config);
  try {
    return await run(application);
  } finally {
    await application.close();
  }
}
