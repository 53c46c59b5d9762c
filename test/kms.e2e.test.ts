import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { openApp } from '../src/app.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { tempQuickstart } from './support/app.js';
import { startFakeKms, type FakeKms } from './support/fake-kms.js';
import { openTempApp } from './support/temp-app.js';

/**
 * The distributed shape's master key: the quickstart with `keys.provider: kms`, the real AWS
 * Encryption SDK and KMS client talking KMS's JSON wire format to a local endpoint.
 */
let kms: FakeKms;
let app: App;
let cleanup: () => Promise<void>;
let dataDir: string;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, keyId: process.env.WARDEN_KMS_KEY_ID };

beforeAll(async () => {
  kms = await startFakeKms('eu-central-1');
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.WARDEN_KMS_KEY_ID = kms.createKey();
  const quickstart = tempQuickstart();
  const yaml = readFileSync(path.join(quickstart.configDir, 'warden.yaml'), 'utf8');
  quickstart.cleanup();
  ({ app, cleanup, dataDir } = await openTempApp({
    quickstart: true,
    seedKnowledge: true,
    files: { 'warden.yaml': `${yaml}\nkeys: { provider: kms, region: eu-central-1, endpoint: "${kms.endpoint}" }\n` },
  }));
}, 60_000);
afterAll(async () => {
  await app.close();
  await cleanup();
  await kms.close();
  for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['WARDEN_KMS_KEY_ID', saved.keyId]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('a KMS customer-managed key as the master key', () => {
  it('wraps the tenant key through KMS once and serves retrieval from the keys below it', async () => {
    expect(kms.calls.GenerateDataKey).toBe(1);
    const status = await app.keyManager.status(app.keys);
    expect(status.master.description).toMatch(/KMS/);
    expect(status.master.versions).toEqual([{ id: process.env.WARDEN_KMS_KEY_ID, active: true, rootKeys: 1 }]);
    const chunks = await app.knowledge.retrieve('handbook', { agentId: 'finance-bot', clearance: 3, teams: ['finance'] }, 'salary bands', 3);
    expect(chunks[0]!.source).toBe('salary-bands.md');
  });

  it('moves every root key onto a new KMS key named in the configuration, keeping the old one for decrypting only', async () => {
    const oldKey = process.env.WARDEN_KMS_KEY_ID!;
    const newKey = kms.createKey();
    const dir = app.loaded.dir;
    const yaml = readFileSync(path.join(dir, 'warden.yaml'), 'utf8').replace(/\nkeys: .*\n$/, '\n');
    writeFileSync(path.join(dir, 'warden.yaml'), `${yaml}keys: { provider: kms, kms_key_id: "${newKey}", previous_kms_key_ids: ["${oldKey}"], region: eu-central-1, endpoint: "${kms.endpoint}" }\n`);
    await app.close();
    const reopened = await openApp({ config: dir, dataDir, logger: pino({ level: 'silent' }) });
    try {
      const { finished } = await reopened.keyManager.rotate(reopened.keys);
      await finished;
      const status = await reopened.keyManager.status(reopened.keys);
      expect(status.rotation).toMatchObject({ running: false, done: 1, total: 1, activeVersion: newKey });
      expect(status.master.versions.find((v) => v.id === newKey)).toMatchObject({ active: true, rootKeys: 1 });
    } finally {
      await reopened.close();
    }
    // The old key is no longer needed: without it, everything still decrypts.
    writeFileSync(path.join(dir, 'warden.yaml'), `${yaml}keys: { provider: kms, kms_key_id: "${newKey}", region: eu-central-1, endpoint: "${kms.endpoint}" }\n`);
    app = await openApp({ config: dir, dataDir, logger: pino({ level: 'silent' }) });
    const chunks = await app.knowledge.retrieve('handbook', { agentId: 'finance-bot', clearance: 3, teams: ['finance'] }, 'salary bands', 3);
    expect(chunks[0]!.source).toBe('salary-bands.md');
  });
});
