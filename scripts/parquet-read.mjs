// The rows of a Parquet file as JSON Lines, read by hyparquet.
// Usage: node parquet-read.mjs PEERS_DIR FILE.parquet
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [peers, file] = process.argv.slice(2);
const require = createRequire(peers + '/');
const hp = await import(pathToFileURL(require.resolve('hyparquet')).href);
const hc = await import(pathToFileURL(require.resolve('hyparquet-compressors')).href);

const bytes = readFileSync(file);
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
const meta = hp.parquetMetadata(buffer);
const leaves = meta.schema.slice(1);

function show(v, el) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) {
    const iso = v.toISOString();
    return el.converted_type === 'DATE' ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'number' && el.converted_type === 'DECIMAL')
    return v.toFixed(el.scale ?? 0);
  return v;
}

await hp.parquetRead({
  file: buffer,
  compressors: hc.compressors,
  rowFormat: 'object',
  onComplete: (rows) => {
    const out = [];
    for (const row of rows) {
      const o = {};
      for (const el of leaves) o[el.name] = show(row[el.name], el);
      out.push(JSON.stringify(o));
    }
    if (out.length) process.stdout.write(out.join('\n') + '\n');
  },
});
