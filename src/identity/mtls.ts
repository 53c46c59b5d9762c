/**
 * Mutual TLS identity for agents.
 *
 * An agent proves who it is with an X.509 client certificate issued by the operator's CA
 * (an X.509-SVID in SPIFFE terms). The certificate carries exactly one URI SAN
 * `spiffe://<org>/agent/<agent id>`; the TLS layer proves possession of the key and the chain
 * up to the configured CA, and this module turns the verified certificate into an agent id.
 *
 * Operator configuration (keys wired by the server; all values are file paths to PEM files):
 *
 *   server:
 *     tls:
 *       cert: /etc/warden/tls/server.pem        # server certificate (chain), SAN = the gateway's host names
 *       key: /etc/warden/tls/server-key.pem     # its private key (PKCS#8 or traditional PEM)
 *       ca: /etc/warden/tls/agents-ca.pem       # CA(s) that issue agent client certificates; only these are trusted
 *       require_client_cert: true               # true: refuse the TLS handshake without a valid client cert;
 *                                               # false: accept it, and let other credentials (API keys) apply,
 *                                               # a presented but invalid certificate still never authenticates
 *
 * Issue agent certificates with the org's trust domain, e.g. with step-cli:
 *   step certificate create support-bot agent.pem agent-key.pem --profile leaf \
 *     --ca agents-ca.pem --ca-key agents-ca-key.pem --san spiffe://acme/agent/support-bot --not-after 24h
 * Short lifetimes are the revocation story: no CRL/OCSP is checked here.
 *
 * The same module gives the options to present a client certificate to an upstream (tlsClientOptions).
 */
import type { FastifyRequest } from 'fastify';
import type { ServerOptions } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { ConnectionOptions, DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';

export interface MtlsAgent {
  agentId: string;
  /** SHA-256 fingerprint of the client certificate, `AB:CD:…` as Node reports it. */
  fingerprint: string;
}

export type MtlsCertificateError = 'no_certificate' | 'no_spiffe_id' | 'wrong_org' | 'several_agent_ids';

export type MtlsResult = MtlsAgent | { error: MtlsCertificateError };

/** From a live TLS socket: also the chain/validity check done by the TLS layer. */
export type MtlsSocketResult = MtlsResult | { error: 'untrusted_certificate'; reason: string };

const SPIFFE_MAX_LENGTH = 2048;
const AGENT_SPIFFE = /^spiffe:\/\/([^/?#]+)\/agent\/([A-Za-z0-9][A-Za-z0-9._:-]*)$/;

/** The agent id of `spiffe://<org>/agent/<id>`, when the org matches exactly; otherwise undefined. */
export function spiffeAgentId(uri: string, org: string): string | undefined {
  if (uri.length > SPIFFE_MAX_LENGTH) return undefined;
  const m = AGENT_SPIFFE.exec(uri);
  return m && m[1] === org ? m[2] : undefined;
}

/** The trust domain of any `spiffe://` URI, for telling a wrong org from a malformed id. */
function spiffeTrustDomain(uri: string): string | undefined {
  return /^spiffe:\/\/([^/?#]*)/i.exec(uri)?.[1];
}

/**
 * Splits Node's `subjectaltname` (`DNS:a, URI:spiffe://x/agent/y, IP Address:127.0.0.1`) into entries.
 * Since Node 17.3 values that contain `,` or quotes are JSON-quoted (`URI:"a,b"`), so a naive split
 * on `, ` would let a crafted SAN smuggle a second entry.
 */
export function parseSubjectAltName(san: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < san.length) {
    const colon = san.indexOf(':', i);
    if (colon < 0) break;
    const type = san.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (san[j] === '"') {
      let k = j + 1;
      while (k < san.length && san[k] !== '"') k += san[k] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(san.slice(j, k + 1)) as string;
      } catch {
        return out; // malformed: stop rather than guess
      }
      j = k + 1;
    } else {
      const end = san.indexOf(', ', j);
      value = san.slice(j, end < 0 ? san.length : end);
      j = end < 0 ? san.length : end;
    }
    out.push({ type, value });
    i = san.startsWith(', ', j) ? j + 2 : j === san.length ? j : san.length;
  }
  return out;
}

/**
 * The agent named by a peer certificate. Exactly one SPIFFE URI must be present (SPIFFE X.509-SVID
 * rule); it must be `spiffe://<org>/agent/<id>`. Does NOT check the chain or validity dates: that is
 * the TLS layer's job (`socket.authorized`), see agentFromTlsSocket.
 */
export function agentFromPeerCertificate(cert: PeerCertificate | DetailedPeerCertificate | null | undefined, org: string): MtlsResult {
  if (!cert || !cert.raw || !cert.fingerprint256) return { error: 'no_certificate' };
  const spiffe = parseSubjectAltName(cert.subjectaltname ?? '')
    .filter((n) => n.type === 'URI' && /^spiffe:/i.test(n.value))
    .map((n) => n.value);
  if (spiffe.length === 0) return { error: 'no_spiffe_id' };
  if (spiffe.length > 1) return { error: 'several_agent_ids' };
  const uri = spiffe[0]!;
  const agentId = spiffeAgentId(uri, org);
  if (agentId !== undefined) return { agentId, fingerprint: cert.fingerprint256 };
  return { error: spiffeTrustDomain(uri) === org ? 'no_spiffe_id' : 'wrong_org' };
}

/** The agent of a TLS socket: certificate presented, chain and dates verified, then its SPIFFE id. */
export function agentFromTlsSocket(socket: TLSSocket, org: string): MtlsSocketResult {
  if (!socket.encrypted) return { error: 'no_certificate' };
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return { error: 'no_certificate' };
  if (!socket.authorized) {
    return { error: 'untrusted_certificate', reason: String(socket.authorizationError ?? 'unknown') };
  }
  return agentFromPeerCertificate(cert, org);
}

/** Fastify helper: the agent authenticated by the client certificate of this request's connection. */
export function mtlsAgent(request: FastifyRequest, org: string): MtlsSocketResult {
  return agentFromTlsSocket(request.raw.socket as TLSSocket, org);
}

export interface TlsServerConfig {
  /** PEM contents (not paths). */
  cert: string;
  key: string;
  ca: string;
  requireClientCert: boolean;
}

/** Options for `https.createServer` / Fastify's `https`: always asks for a client certificate. */
export function tlsServerOptions(opts: TlsServerConfig): ServerOptions {
  return {
    cert: opts.cert,
    key: opts.key,
    ca: opts.ca,
    requestCert: true,
    rejectUnauthorized: opts.requireClientCert,
    minVersion: 'TLSv1.2',
  };
}

export interface TlsClientConfig {
  /** PEM of the CA(s) that sign the upstream's certificate; default: Node's bundled roots. */
  ca?: string;
  /** PEM client certificate and key to present to the upstream. */
  cert?: string;
  key?: string;
  /** Name to verify (and send as SNI) when it differs from the host connected to. */
  servername?: string;
}

export type TlsClientOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized' | 'minVersion' | 'checkServerIdentity'>;

/**
 * Options for `https.request` (spread into the request options) or undici's `connect`: presents the
 * client certificate and verifies the upstream against `ca`. Never disables verification.
 */
export function tlsClientOptions(opts: TlsClientConfig): TlsClientOptions {
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw new Error('tlsClientOptions: cert and key go together');
  const out: TlsClientOptions = { rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  if (opts.ca !== undefined) out.ca = opts.ca;
  if (opts.cert !== undefined) out.cert = opts.cert;
  if (opts.key !== undefined) out.key = opts.key;
  const name = opts.servername;
  if (name !== undefined && isIP(name) === 0) out.servername = name;
  // SNI must not carry an IP address (RFC 6066; Node warns), so verify the IP without sending it.
  else if (name !== undefined) out.checkServerIdentity = (_host, cert) => checkServerIdentity(name, cert);
  return out;
}
