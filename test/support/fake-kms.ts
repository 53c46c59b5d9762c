import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for AWS KMS that speaks its JSON 1.1 wire protocol (`X-Amz-Target:
 * TrentService.<Operation>`), so tests drive the real `@aws-sdk/client-kms` and the real ESDK
 * keyring against it. Each key is an AES-256-GCM key; a CiphertextBlob is
 * `len(keyArn) | keyArn | iv | tag | ciphertext` with the encryption context as AAD, so Decrypt
 * under another context fails the way KMS does (InvalidCiphertextException). Signatures are not
 * verified.
 */

export type FakeKmsOperation = 'GenerateDataKey' | 'Encrypt' | 'Decrypt';

export interface FakeKms {
  endpoint: string;
  region: string;
  /** Calls per operation that reached the server. */
  calls: Record<FakeKmsOperation, number>;
  /** Creates a key and returns its ARN. */
  createKey(): string;
  close(): Promise<void>;
}

const ACCOUNT = '111122223333';

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeKms(region = 'us-east-1'): Promise<FakeKms> {
  const keys = new Map<string, Buffer>(); // key ARN → AES key
  const calls: Record<FakeKmsOperation, number> = { GenerateDataKey: 0, Encrypt: 0, Decrypt: 0 };

  const resolveKey = (keyId: unknown): string => {
    if (typeof keyId !== 'string') throw new KmsError('ValidationException', 'KeyId is required');
    const arn = keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
    if (!keys.has(arn)) throw new KmsError('NotFoundException', `Key '${keyId}' does not exist`);
    return arn;
  };

  const seal = (arn: string, plaintext: Buffer, context: unknown): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.get(arn) as Buffer, iv);
    cipher.setAAD(aad(context));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const name = Buffer.from(arn, 'utf8');
    return Buffer.concat([Buffer.from([name.length]), name, iv, cipher.getAuthTag(), ct]);
  };

  const open = (blob: Buffer, context: unknown): { arn: string; plaintext: Buffer } => {
    const invalid = new KmsError('InvalidCiphertextException', 'The ciphertext is invalid or the encryption context does not match');
    const n = blob[0] ?? 0;
    const arn = blob.subarray(1, 1 + n).toString('utf8');
    const key = keys.get(arn);
    if (!key || blob.length < 1 + n + 28) throw invalid;
    const iv = blob.subarray(1 + n, 13 + n);
    const tag = blob.subarray(13 + n, 29 + n);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aad(context));
      decipher.setAuthTag(tag);
      return { arn, plaintext: Buffer.concat([decipher.update(blob.subarray(29 + n)), decipher.final()]) };
    } catch {
      throw invalid;
    }
  };

  const handlers: Record<FakeKmsOperation, (body: Record<string, unknown>) => Record<string, unknown>> = {
    GenerateDataKey(body) {
      const arn = resolveKey(body.KeyId);
      const bytes = typeof body.NumberOfBytes === 'number' ? body.NumberOfBytes : body.KeySpec === 'AES_128' ? 16 : 32;
      const plaintext = randomBytes(bytes);
      return { KeyId: arn, Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(arn, plaintext, body.EncryptionContext).toString('base64') };
    },
    Encrypt(body) {
      const arn = resolveKey(body.KeyId);
      const plaintext = Buffer.from(String(body.Plaintext ?? ''), 'base64');
      return { KeyId: arn, CiphertextBlob: seal(arn, plaintext, body.EncryptionContext).toString('base64') };
    },
    Decrypt(body) {
      const { arn, plaintext } = open(Buffer.from(String(body.CiphertextBlob ?? ''), 'base64'), body.EncryptionContext);
      if (body.KeyId !== undefined && resolveKey(body.KeyId) !== arn) {
        throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext');
      }
      return { KeyId: arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(payload));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^TrentService\./, '') as FakeKmsOperation;
      if (req.method !== 'POST' || !target.startsWith('TrentService.') || !Object.hasOwn(handlers, op)) {
        throw new KmsError('UnknownOperationException', `unsupported target ${target}`);
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
        throw new KmsError('ValidationException', 'expected application/x-amz-json-1.1');
      }
      calls[op] += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      send(200, handlers[op](body));
    } catch (err) {
      if (err instanceof KmsError) send(400, { __type: err.type, message: err.message });
      else send(500, { __type: 'KMSInternalException', message: String(err) });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    calls,
    createKey() {
      const arn = `arn:aws:kms:${region}:${ACCOUNT}:key/${randomUUID()}`;
      keys.set(arn, randomBytes(32));
      return arn;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The context as AAD: sorted pairs, so the order the client sent them in does not matter. */
function aad(context: unknown): Buffer {
  const entries = context && typeof context === 'object' ? Object.entries(context as Record<string, string>) : [];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), 'utf8');
}
