/**
 * The PostgreSQL the tests run against: `TEST_PG_URL` (scripts/pg-test-cluster.sh prints it; CI
 * always sets it). Each test file gets databases of its own, dropped at the end.
 */
import pg from "pg";

/** The cluster's URL, or undefined to skip (never under CI: a missing cluster fails the run). */
export function testPgUrl(): string | undefined {
  const url = process.env.TEST_PG_URL;
  if (!url && process.env.CI)
    throw new Error("CI must run the PostgreSQL tests: .ci/run starts a cluster and exports TEST_PG_URL");
  return url || undefined;
}

let counter = 0;

/** A new, empty database on the test cluster; returns its URL. */
export async function freshDatabase(base: string): Promise<string> {
  const name = `t_${process.pid}_${counter++}_${Math.floor(Math.random() * 1e9)}`;
  await admin(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drop a database made by freshDatabase, closing whatever still holds it. */
export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Run one statement on the cluster's maintenance database (`postgres`). */
async function admin(anyUrl: string, statement: string): Promise<void> {
  const url = new URL(anyUrl);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Run SQL on a database as its owner (the test user), outside the journal's code. */
export async function asOwner<Row = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}
