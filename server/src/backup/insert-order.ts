import type { ForeignKey } from './postgres-target.repository.js';

/**
 * Orders tables so that every table comes after the tables its foreign keys reference, with
 * names in alphabetical order where the keys leave a choice. A table that references itself is
 * handled by `orderRowsParentsFirst`. Throws on a cycle between tables, which no insert order
 * satisfies without deferred constraints.
 */
export function orderTablesForInsert(tables: readonly string[], foreignKeys: readonly ForeignKey[]): string[] {
  const included = new Set(tables);
  const parents = new Map<string, Set<string>>(tables.map((table) => [table, new Set<string>()]));
  for (const key of foreignKeys) {
    if (key.table === key.referencedTable || !included.has(key.table) || !included.has(key.referencedTable)) continue;
    parents.get(key.table)!.add(key.referencedTable);
  }

  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = [...parents.entries()].filter(([table, needs]) => !placed.has(table) && [...needs].every((parent) => placed.has(parent))).map(([table]) => table).sort();
    if (ready.length === 0) {
      const left = tables.filter((table) => !placed.has(table)).join(', ');
      throw new Error(`Foreign keys form a cycle between tables ${left}; no insert order satisfies them`);
    }
    for (const table of ready) {
      ordered.push(table);
      placed.add(table);
    }
  }
  return ordered;
}

/**
 * Orders a table's rows so that a row comes after the row its self-referencing keys point to
 * (a department after its parent department). Only single-column keys are supported.
 */
export function orderRowsParentsFirst(rows: readonly Record<string, unknown>[], selfKeys: readonly ForeignKey[]): Record<string, unknown>[] {
  if (selfKeys.length === 0) return [...rows];
  for (const key of selfKeys) {
    if (key.columns.length !== 1) throw new Error(`Self-referencing key on ${key.table}(${key.columns.join(', ')}) has more than one column; the restore supports one`);
  }

  const byKey = selfKeys.map((key) => new Map(rows.map((row) => [String(row[key.referencedColumns[0]!]), row])));
  const ordered: Record<string, unknown>[] = [];
  const state = new Map<Record<string, unknown>, 'visiting' | 'done'>();
  const visit = (row: Record<string, unknown>): void => {
    if (state.get(row) === 'done') return;
    // A row that is its own ancestor cannot be inserted in any order; PostgreSQL will reject it.
    if (state.get(row) === 'visiting') return;
    state.set(row, 'visiting');
    selfKeys.forEach((key, index) => {
      const value = row[key.columns[0]!];
      const parent = value === null || value === undefined ? undefined : byKey[index]!.get(String(value));
      if (parent && parent !== row) visit(parent);
    });
    state.set(row, 'done');
    ordered.push(row);
  };
  for (const row of rows) visit(row);
  return ordered;
}
