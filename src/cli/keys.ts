import { WardenError } from '../core/errors.js';
import type { Out } from './commands.js';
import { withControl } from './commands.js';
import type { CommonOptions } from './options.js';
import { progress } from './progress.js';

interface JsonOption {
  json?: boolean;
}

/** `warden keys status`: the master key versions, how many root keys each wraps, and the data keys by kind. */
export async function keysStatus(opts: CommonOptions & JsonOption, out: Out): Promise<number> {
  const s = await withControl(opts, (c) => c.keysStatus(), true);
  if (opts.json) {
    out(JSON.stringify(s));
    return 0;
  }
  out(`master: ${s.master.description}`);
  for (const v of s.master.versions) out(`  ${v.id.padEnd(8)} ${v.active ? 'active ' : 'decrypt'}  wraps ${v.rootKeys} root key(s)`);
  const kinds = Object.entries(s.keys);
  out(`data keys: ${kinds.length ? kinds.map(([k, n]) => `${n} ${k}`).join(', ') : 'none yet'}`);
  if (s.rotation?.running) out(`rotation: re-wrapping ${s.rotation.done}/${s.rotation.total} onto ${s.rotation.activeVersion}`);
  return 0;
}

/** `warden keys rotate`: a new active version, then every root key re-wrapped onto it (with progress). */
export async function keysRotate(opts: CommonOptions & JsonOption, out: Out): Promise<number> {
  const bar = progress('re-wrapping root keys');
  const done = await withControl(opts, (c) => c.keysRotate((p) => bar.update(p.done, p.total, p.activeVersion))).finally(() => bar.stop());
  if (opts.json) out(JSON.stringify(done));
  else if (done.total === 0) out(`nothing to re-wrap: every root key is already under ${done.activeVersion} (a KMS key rotates its own material)`);
  else out(`rotated: ${done.activeVersion} is active; ${done.done} root key(s) re-wrapped; earlier versions still decrypt until you retire them`);
  return 0;
}

/** `warden keys shred --tenant <id> --yes`: destroys a tenant's keys, so nothing of its data can be read again. */
export async function keysShred(opts: CommonOptions & { tenant: string; yes?: boolean }, out: Out): Promise<number> {
  if (!opts.yes) throw new WardenError('invalid_request', `shredding destroys every key of tenant ${opts.tenant} for good; add --yes to confirm`);
  const r = await withControl(opts, (c) => c.shredTenant(opts.tenant));
  out(`shredded tenant ${opts.tenant}: its keys are destroyed; ${r.documents} document(s) and ${r.memories} memory value(s) deleted`);
  return 0;
}
