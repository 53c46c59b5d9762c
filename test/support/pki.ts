/**
 * A throwaway PKI for TLS tests, generated in memory with @peculiar/x509 over WebCrypto (EC P-256,
 * a few milliseconds per certificate). Create it once per test file (beforeAll) and reuse it.
 */
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

// @peculiar/x509 pulls in tsyringe, which needs a Reflect metadata polyfill loaded first.
import 'reflect-metadata';
const x509 = await import('@peculiar/x509');
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** PEM certificate and its PKCS#8 PEM private key. */
export interface CertAndKey {
  cert: string;
  key: string;
}

export interface IssueOptions {
  /** Subject common name (informational). */
  cn?: string;
  /** SAN URIs, e.g. `spiffe://acme/agent/support-bot`. */
  uris?: string[];
  dns?: string[];
  ips?: string[];
  notBefore?: Date;
  notAfter?: Date;
  usage?: 'client' | 'server';
}

export interface TestCa {
  /** The CA certificate: the trust anchor to configure as `ca`. */
  cert: string;
  issue(opts: IssueOptions): Promise<CertAndKey>;
}

export interface TestPki {
  /** Trust anchor (PEM) of the org's CA. */
  ca: string;
  authority: TestCa;
  /** `localhost` / `127.0.0.1`, serverAuth. */
  server: CertAndKey;
  /** `spiffe://acme/agent/<id>`, valid now. */
  agent(id: string): Promise<CertAndKey>;
  /** `spiffe://acme/agent/expired-bot`, notAfter yesterday. */
  expiredAgent: CertAndKey;
  /** A second, unrelated CA, with its own agent and server certificates (same names as the real ones). */
  foreign: { ca: string; agent: CertAndKey; server: CertAndKey };
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

const generateKeys = () => webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as unknown as Promise<CryptoKeyPair>;

export async function createCa(name: string): Promise<TestCa> {
  const keys = await generateKeys();
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });

  async function issue(opts: IssueOptions): Promise<CertAndKey> {
    const leaf = await generateKeys();
    const names: X509.JsonGeneralName[] = [
      ...(opts.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
      ...(opts.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ];
    const extensions: X509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(leaf.publicKey),
    ];
    if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
    const cert = await x509.X509CertificateGenerator.create({
      subject: `CN=${opts.cn ?? 'leaf'}`,
      issuer: caCert.subject,
      publicKey: leaf.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: ALG,
      notBefore: opts.notBefore ?? new Date(now - 60_000),
      notAfter: opts.notAfter ?? new Date(now + DAY),
      extensions,
    });
    return { cert: cert.toString('pem'), key: await pkcs8Pem(leaf.privateKey) };
  }

  return { cert: caCert.toString('pem'), issue };
}

export const agentUri = (id: string, org = 'acme') => `spiffe://${org}/agent/${id}`;

const serverNames = { cn: 'localhost', dns: ['localhost'], ips: ['127.0.0.1'], usage: 'server' } as const;

export async function createTestPki(): Promise<TestPki> {
  const [authority, other] = await Promise.all([createCa('Acme Agents Test CA'), createCa('Unrelated Test CA')]);
  const agent = (id: string) => authority.issue({ cn: id, uris: [agentUri(id)] });
  const now = Date.now();
  const [server, expiredAgent, foreignAgent, foreignServer] = await Promise.all([
    authority.issue({ ...serverNames, ips: [...serverNames.ips], dns: [...serverNames.dns] }),
    authority.issue({ cn: 'expired-bot', uris: [agentUri('expired-bot')], notBefore: new Date(now - 2 * DAY), notAfter: new Date(now - DAY) }),
    other.issue({ cn: 'support-bot', uris: [agentUri('support-bot')] }),
    other.issue({ ...serverNames, ips: [...serverNames.ips], dns: [...serverNames.dns] }),
  ]);
  return {
    ca: authority.cert,
    authority,
    server,
    agent,
    expiredAgent,
    foreign: { ca: other.cert, agent: foreignAgent, server: foreignServer },
  };
}
