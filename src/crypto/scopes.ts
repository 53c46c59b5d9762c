import type { KeyScope } from './key-hierarchy.js';

/**
 * The key hierarchy's shape: master → tenant → (document | agent memory | lexeme) keys. Destroying
 * a tenant's key destroys everything below it.
 */
export function tenantScope(tenant: string): KeyScope {
  return { id: `tenant:${tenant}`, kind: 'tenant', context: { tenant } };
}

export function documentScope(tenant: string, kb: string, documentId: string): KeyScope {
  return { id: `doc:${documentId}`, kind: 'document', parent: tenantScope(tenant), context: { tenant, kb, document: documentId } };
}

export function memoryScope(tenant: string, agentId: string): KeyScope {
  return { id: `memory:${tenant}:${agentId}`, kind: 'memory', parent: tenantScope(tenant), context: { tenant, agent: agentId } };
}

/** Keys the words of a tenant's chunks into searchable hashes. */
export function lexemeScope(tenant: string): KeyScope {
  return { id: `lexemes:${tenant}`, kind: 'lexemes', parent: tenantScope(tenant), context: { tenant, purpose: 'lexemes' } };
}

/** Keys the value digests of a tenant's session provenance, where it is shared (Redis). */
export function sessionScope(tenant: string): KeyScope {
  return { id: `sessions:${tenant}`, kind: 'sessions', parent: tenantScope(tenant), context: { tenant, purpose: 'sessions' } };
}
