import { openApp } from '../app.js';
import { rememberConfig, writeServerInfo } from '../backends/data-dir.js';
import { buildServer } from '../transports/http/server.js';
import { resolveConfig, resolveDataDir, type CommonOptions } from './options.js';

export interface ServeOptions extends CommonOptions {
  host?: string;
  port?: string;
}

/** Runs the gateway until SIGINT or SIGTERM. */
export async function serve(opts: ServeOptions, out: (line: string) => void): Promise<number> {
  const dataDir = resolveDataDir(opts);
  const app = await openApp({ config: resolveConfig(opts), dataDir, watchPolicies: true, seedKnowledge: true });
  const server = buildServer(app);
  const host = opts.host ?? app.loaded.config.server.host;
  const port = opts.port !== undefined ? Number(opts.port) : app.loaded.config.server.port;
  let address: string;
  try {
    address = await server.listen({ host, port });
  } catch (err) {
    await app.close();
    throw err;
  }
  rememberConfig(dataDir, app.loaded.file);
  const forgetServer = writeServerInfo(dataDir, { url: address, pid: process.pid });
  if (app.adminToken.created) out(`Created the admin token in ${app.adminToken.file} (mode 0600); keep it secret.`);
  out(`Warden listening on ${address} with ${app.policy.current.policies.length} policies from ${app.loaded.file} (data: ${dataDir})`);

  return new Promise((resolve) => {
    const stop = async () => {
      forgetServer();
      await server.close();
      await app.close();
      resolve(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}
