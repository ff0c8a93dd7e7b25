import pg from 'pg';

/**
 * Drops the private schemas that earlier runs left on the test PostgreSQL server. Test files do
 * not drop their own schema when they finish: Kysely's migrator lists the tables of every
 * schema, and a schema dropped by one file while another file's migrator reads the catalog
 * fails that read with "schema … does not exist".
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>("select nspname from pg_namespace where nspname ~ '^(t|kill)_[a-z0-9_]+$'");
    for (const { nspname } of rows) {
      await client.query(`drop schema if exists "${nspname}" cascade`);
    }
  } finally {
    await client.end();
  }
}
