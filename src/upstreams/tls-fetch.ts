import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';

export interface UpstreamTls {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

/**
 * An undici connection pool for one upstream: keep-alive, and with TLS settings it presents the
 * upstream's client certificate and verifies its CA. Paths are relative to the configuration
 * directory.
 */
export function dispatcherFor(tls: UpstreamTls | undefined, baseDir: string): Dispatcher {
  if (!tls) return new Agent();
  const read = (file?: string) => (file ? readFileSync(path.resolve(baseDir, file), 'utf8') : undefined);
  return new Agent({
    connect: {
      ...(tls.ca ? { ca: read(tls.ca) } : {}),
      ...(tls.cert ? { cert: read(tls.cert) } : {}),
      ...(tls.key ? { key: read(tls.key) } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
      rejectUnauthorized: true,
    },
  });
}

/** A fetch over that pool, for the MCP SDK's Streamable HTTP transport. */
export function fetchOver(dispatcher: Dispatcher): typeof fetch {
  // undici's fetch and the global one differ only in their type declarations.
  return ((url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
