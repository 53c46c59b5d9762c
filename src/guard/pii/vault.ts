import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { KeyringNode } from '@aws-crypto/client-node';
import { decryptWith, encryptWith } from '../../crypto/envelope.js';
import type { PiiEntity } from '../types.js';

export interface PseudonymVaultOptions {
  /** Identifies the vault; bound into every ciphertext's encryption context. Default: random UUID. */
  id?: string;
}

const PURPOSE = 'warden-pii-vault';
const TOKEN = /<([A-Z][A-Z0-9_]*)_(\d+)>/g;

/**
 * Reversible pseudonymization. A value becomes a token such as `<EMAIL_ADDRESS_1>`; the same
 * value always gets the same token within one vault, and `reveal` turns a token back into the
 * value. Values are held only as AWS Encryption SDK envelope ciphertexts under the caller's
 * keyring, bound to `{purpose:'warden-pii-vault', vault:<id>}`; the value → token index is keyed
 * by an HMAC with a per-vault random key, so the index alone does not disclose values.
 */
export class PseudonymVault {
  readonly id: string;
  readonly #keyring: KeyringNode;
  readonly #indexKey = randomBytes(32);
  readonly #tokenByDigest = new Map<string, string>();
  readonly #ciphertextByToken = new Map<string, Buffer>();
  readonly #counters = new Map<string, number>();

  constructor(keyring: KeyringNode, options: PseudonymVaultOptions = {}) {
    this.#keyring = keyring;
    this.id = options.id ?? randomUUID();
  }

  /** The encryption context every value in this vault is bound to. */
  get encryptionContext(): Readonly<Record<string, string>> {
    return { purpose: PURPOSE, vault: this.id };
  }

  /** The token for `value` of entity `type`, creating and storing it on first sight. */
  async tokenize(type: string, value: string): Promise<string> {
    const digest = createHmac('sha256', this.#indexKey).update(type).update('\0').update(value).digest('base64');
    const existing = this.#tokenByDigest.get(digest);
    if (existing !== undefined) return existing;
    const n = (this.#counters.get(type) ?? 0) + 1;
    this.#counters.set(type, n);
    const token = `<${type}_${n}>`;
    // Reserve before awaiting so a concurrent call for the same value reuses the token.
    this.#tokenByDigest.set(digest, token);
    try {
      this.#ciphertextByToken.set(token, await encryptWith(this.#keyring, Buffer.from(value, 'utf8'), this.encryptionContext));
    } catch (error) {
      this.#tokenByDigest.delete(digest);
      throw error;
    }
    return token;
  }

  /** Replaces every entity in `text` with its token. Overlapping entities: the earlier-starting one wins. */
  async pseudonymize(text: string, entities: readonly PiiEntity[]): Promise<string> {
    const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
    let out = '';
    let cursor = 0;
    for (const e of sorted) {
      if (e.start < cursor || e.end > text.length || e.end <= e.start) continue;
      out += text.slice(cursor, e.start) + (await this.tokenize(e.type, text.slice(e.start, e.end)));
      cursor = e.end;
    }
    return out + text.slice(cursor);
  }

  /** The original value of `token`, or undefined when this vault never issued it. */
  async reveal(token: string): Promise<string | undefined> {
    const ciphertext = this.#ciphertextByToken.get(token);
    if (ciphertext === undefined) return undefined;
    return this.decrypt(ciphertext);
  }

  /** Replaces every token this vault issued in `text` with its value; unknown tokens stay. */
  async revealText(text: string): Promise<string> {
    const tokens = [...new Set([...text.matchAll(TOKEN)].map((m) => m[0]))];
    const values = new Map<string, string>();
    for (const t of tokens) {
      const v = await this.reveal(t);
      if (v !== undefined) values.set(t, v);
    }
    return text.replace(TOKEN, (t) => values.get(t) ?? t);
  }

  /** The stored ciphertext for `token` (for persistence or audit); undefined when unknown. */
  ciphertextOf(token: string): Buffer | undefined {
    return this.#ciphertextByToken.get(token);
  }

  /** Decrypts a vault ciphertext; one from another vault (another context) is refused. */
  async decrypt(ciphertext: Buffer): Promise<string> {
    return (await decryptWith(this.#keyring, ciphertext, this.encryptionContext)).toString('utf8');
  }
}
