/**
 * The subset of a Postgres driver Warden calls. Both PGlite and `pg.Pool` satisfy it through thin
 * adapters, so one set of SQL and migrations serves the embedded and the distributed shape.
 */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface SqlClient extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
