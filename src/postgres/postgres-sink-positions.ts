import type { SinkPosition, SinkPositions } from '../sinks/sink.js';
import type { PostgresSinkConnection } from './postgres-sink-connection.js';
import { readPosition, writePosition, type PositionsRow } from './positions-table.js';

/**
 * A Postgres sink's own position (see positions-table.ts), read and moved by hand. Moving it with
 * a page is the sink's write, in the page's transaction (`SinkPage.commit`).
 */
export class PostgresSinkPositions implements SinkPositions {
  constructor(private readonly connection: PostgresSinkConnection, private readonly row: PositionsRow) {}

  read(): Promise<SinkPosition | null> {
    return this.connection.run(`read the position in ${this.row.table}`, (pool) => readPosition(pool, this.row), { migrate: false });
  }

  set(position: SinkPosition | null): Promise<void> {
    return this.connection.run(`write the position in ${this.row.table}`, (pool) => writePosition(pool, this.row, position));
  }
}
