import { WardenError } from '../core/errors.js';
import type { Out } from './commands.js';
import { withControl } from './commands.js';
import type { CommonOptions } from './options.js';
import { progress } from './progress.js';

interface JsonOption {
  json?: boolean;
}

/** `warden kb ingest <kb> <paths...>`: exit 1 when any file failed (the others are ingested). */
export async function kbIngest(kb: string, paths: string[], opts: CommonOptions & JsonOption, out: Out): Promise<number> {
  const bar = progress(`ingesting into ${kb}`);
  const report = await withControl(opts, (c) => c.kbIngest(kb, paths, (p) => bar.update(p.done, p.total, p.file)), true).finally(() => bar.stop());
  if (opts.json) out(JSON.stringify({ kb, ...report }));
  else {
    out(`${kb}: ${report.documents} documents ingested (${report.chunks} chunks), ${report.unchanged} unchanged, ${report.failed.length} failed`);
    for (const f of report.failed) out(`  failed: ${f.file}: ${f.error}`);
  }
  return report.failed.length ? 1 : 0;
}

/** `warden kb search <kb> "query" --agent <id>`: what that agent would get; exit 3 when the Gate refused. */
export async function kbSearch(kb: string, query: string, opts: CommonOptions & JsonOption & { agent: string; topK?: string }, out: Out): Promise<number> {
  const topK = opts.topK === undefined ? undefined : Number(opts.topK);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1 || topK > 50)) throw new WardenError('invalid_request', '--top-k must be an integer from 1 to 50');
  const r = await withControl(opts, (c) => c.kbSearch({ kb, agent: opts.agent, query, ...(topK !== undefined ? { topK } : {}) }), true);
  if (opts.json) {
    out(JSON.stringify(r));
    return r.code ? 3 : 0;
  }
  if (r.code) {
    out(`${r.decision}: ${r.message ?? r.code} (ledger entry ${r.seq})`);
    return 3;
  }
  out(`${r.chunks.length} chunks for ${opts.agent} from ${kb} (allowed by ${r.policies.join(', ') || '(none)'}; ledger entry ${r.seq})`);
  for (const [i, c] of r.chunks.entries()) {
    out('');
    out(`${i + 1}. ${c.source} [${c.sensitivity}] score ${c.score.toFixed(4)}${c.withheld ? ' — WITHHELD' : ''}`);
    for (const line of c.text.split('\n').slice(0, 8)) out(`   ${line}`);
  }
  return 0;
}

/** `warden kb delete <kb> <source>`: deletes the document and destroys its key. */
export async function kbDelete(kb: string, source: string, opts: CommonOptions, out: Out): Promise<number> {
  const deleted = await withControl(opts, (c) => c.kbDelete(kb, source), true);
  if (!deleted) throw new WardenError('unknown_resource', `${kb} has no document ${source}`);
  out(`deleted ${source} from ${kb}; its key is destroyed, so no copy of its chunks can be read again`);
  return 0;
}
