// Run SQL statements with DuckDB; print the last statement's rows as JSON
// Lines.  Started by scripts/duckdb, which installs the package.
import { createRequire } from 'node:module';

const require = createRequire(process.env.SLUICE_PEERS + '/');
const { DuckDBInstance } = require('@duckdb/node-api');

const threads = process.env.SLUICE_DUCKDB_THREADS || '2';
// For benchmarks: the seconds DuckDB itself took (instance, connection and
// statements), without Node's start-up, go to this file.
const timeFile = process.env.SLUICE_DUCKDB_TIME;
const started = process.hrtime.bigint();
const instance = await DuckDBInstance.create(':memory:', { threads });
const con = await instance.connect();
const statements = process.argv.slice(2);
if (statements.length === 0) {
  console.error('usage: scripts/duckdb SQL [SQL...]');
  process.exit(2);
}
let reader;
try {
  for (const sql of statements) reader = await con.runAndReadAll(sql);
} catch (e) {
  console.error('duckdb: ' + e.message);
  process.exit(1);
}
if (timeFile) {
  const { writeFileSync } = await import('node:fs');
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  writeFileSync(timeFile, secs.toFixed(4) + '\n');
}
const lines = reader.getRowObjectsJson().map((row) => JSON.stringify(row));
if (lines.length) process.stdout.write(lines.join('\n') + '\n');
