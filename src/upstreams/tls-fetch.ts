import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';

export interface UpstreamTls {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

/**
 * A fetch that presents the upstream's client certificate and verifies its CA; plain fetch when no
 * TLS settings are given. Paths are relative to the configuration directory.
 */
export function fetchFor(tls: UpstreamTls | undefined, baseDir: string): typeof fetch {
  if (!tls) return fetch;
  const read = (file?: string) => (file ? readFileSync(path.resolve(baseDir, file), 'utf8') : undefined);
  const dispatcher = new Agent({
    connect: {
      ...(tls.ca ? { ca: read(tls.ca) } : {}),
      ...(tls.cert ? { cert: read(tls.cert) } : {}),
      ...(tls.key ? { key: read(tls.key) } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
      rejectUnauthorized: true,
    },
  });
  // undici's fetch and the global one differ only in their type declarations.
  return ((url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
