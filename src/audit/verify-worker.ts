// Hashes ledger pages on its own thread while the main thread reads the next page from the
// database. Imported by path (`.ts` in source, rewritten to `.js` in the build).
import { parentPort } from 'node:worker_threads';
import { checkPage } from './chain.ts';

parentPort?.on('message', (m: { page: string; prev: string; expected: number; checkpointSeqs: number[] }) => {
  parentPort?.postMessage(checkPage(m.page, m.prev, m.expected, new Set(m.checkpointSeqs)));
});
