// The Node SDK of Milvus (@zilliz/milvus2-sdk-node, pinned in package.json and
// package-lock.json here, installed by ./x into target/node-sdk) against
// `annlab serve` (ANNLAB_BIN, default target/debug/annlab): the SDK README's
// basic usage (createCollection, insert, createIndex, loadCollection, search,
// query, delete, dropCollection), explicit keys with filters, upsert and counts,
// and the quick setup `createCollection({ collection_name, dimension })` with a
// dynamic field. Expected hits are computed here by exact search.
//
// With MILVUS_ADDRESS set (tests/milvus/run.py: the real Milvus 2.3.5 in its
// namespace) the same tests run against that server instead, with the same results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SDK_DIR = process.env.NODE_SDK_DIR ?? join(ROOT, 'target', 'node-sdk');
const require = createRequire(join(SDK_DIR, 'package.json'));
const { MilvusClient, DataType, ErrorCode } = require('@zilliz/milvus2-sdk-node');
const BIN = process.env.ANNLAB_BIN ?? join(ROOT, 'target', 'debug', 'annlab');

let server = null;
let client = null;

/** Starts `annlab serve` on a free port; resolves to its address. */
function startServer() {
  return new Promise((ok, fail) => {
    server = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--metrics-addr', 'off'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/on (127\.0\.0\.1:\d+)/);
      if (m) ok(m[1]);
    });
    server.on('exit', (code) => fail(new Error(`annlab serve exited (${code}): ${out}`)));
  });
}

before(async () => {
  const address = process.env.MILVUS_ADDRESS ?? (await startServer());
  client = new MilvusClient({ address });
  await client.connectPromise;
  for (const name of (await client.showCollections()).data.map((c) => c.name)) {
    await client.dropCollection({ collection_name: name });
  }
});

after(async () => {
  await client?.closeConnection();
  server?.removeAllListeners('exit');
  server?.kill('SIGTERM');
});

const ok = (res) => assert.equal(res.error_code ?? res.status?.error_code, ErrorCode.SUCCESS, JSON.stringify(res));

/** Squared L2 distance, Milvus's L2 score. */
const l2 = (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);

/** A seeded vector (xorshift), the same in every run. */
function vector(seed, dim) {
  let s = (seed * 2654435761) >>> 0 || 1;
  return Array.from({ length: dim }, () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return Math.fround(s / 2 ** 32 - 0.5);
  });
}

/** Ids of the k rows nearest `q` among `rows` (each with id and vector), by L2. */
function nearest(rows, q, k) {
  return rows
    .map((r) => ({ id: String(r.id), d: l2(r.vector, q) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, k);
}

/** `results` are `want`'s rows in order (by the primary key `pk`), with their distances. */
function assertHits(results, want, pk = 'id') {
  assert.deepEqual(results.map((r) => String(r[pk])), want.map((w) => w.id), JSON.stringify(results));
  results.forEach((r, i) => assert.ok(Math.abs(r.score - want[i].d) <= 1e-4 * Math.max(1, want[i].d), `${r.score} vs ${want[i].d}`));
}

// The SDK README's "Basic usages", its schema and its three rows.
const README_ROWS = [
  { name: 'zlnmh', vector: [0.11878310581111173, 0.9694947902934701, 0.16443679307243175, 0.5484226189097237, 0.9839246709011924, 0.5178387104937776, 0.8716926129208069, 0.5616972243831446], height: 20405 },
  { name: '5lr9y', vector: [0.9992090731236536, 0.8248790611809487, 0.8660083940881405, 0.09946359318481224, 0.6790698063908669, 0.5013786801063624, 0.795311915725105, 0.9183033261617566], height: 93773 },
  { name: 'nes0j', vector: [0.8761291569818763, 0.07127366044153227, 0.775648976160332, 0.5619757601304878, 0.6076543120476996, 0.8373907516027586, 0.8556140171597648, 0.4043893119391049], height: 85122 },
];

test('the SDK README: createCollection, insert, createIndex, loadCollection, search, query, delete, dropCollection', async () => {
  const collection_name = 'hello_milvus';
  const schema = [
    { name: 'age', description: 'ID field', data_type: DataType.Int64, is_primary_key: true, autoID: true },
    { name: 'vector', description: 'Vector field', data_type: DataType.FloatVector, dim: 8 },
    { name: 'height', description: 'int64 field', data_type: DataType.Int64 },
    { name: 'name', description: 'VarChar field', data_type: DataType.VarChar, max_length: 128 },
  ];
  ok(await client.createCollection({ collection_name, fields: schema, consistency_level: 'Strong' }));
  const ins = await client.insert({ collection_name, data: README_ROWS });
  ok(ins);
  assert.equal(Number(ins.insert_cnt), 3);
  const ids = ins.IDs.int_id.data.map(String);
  assert.equal(new Set(ids).size, 3);
  ok(await client.createIndex({
    collection_name, field_name: 'vector', index_name: 'myindex', index_type: 'HNSW',
    params: { efConstruction: 10, M: 4 }, metric_type: 'L2',
  }));
  ok(await client.loadCollection({ collection_name }));

  const rows = README_ROWS.map((r, i) => ({ ...r, id: ids[i] }));
  const want = nearest(rows, README_ROWS[0].vector, 10);
  const res = await client.search({
    collection_name, data: README_ROWS[0].vector, filter: 'height > 0',
    params: { nprobe: 64 }, limit: 10, output_fields: ['height', 'name'],
  });
  ok(res);
  // Only the fields asked for: a hit's id comes back when the primary key is asked for.
  assert.deepEqual(res.results.map((r) => [r.name, Number(r.height)]),
    want.map((w) => rows.find((r) => r.id === w.id)).map((r) => [r.name, r.height]));
  res.results.forEach((r, i) => assert.ok(Math.abs(r.score - want[i].d) <= 1e-4));
  // Without output_fields the SDK asks for every field ('*'), the primary key too.
  const all = await client.search({ collection_name, data: README_ROWS[0].vector, limit: 10 });
  assertHits(all.results, want, 'age');
  assert.deepEqual(all.results[0].vector.map(Math.fround), README_ROWS[0].vector.map(Math.fround));

  const q = await client.query({ collection_name, filter: 'height > 90000', output_fields: ['name', 'height'] });
  ok(q);
  assert.deepEqual(q.data.map((r) => [String(r.age), r.name, Number(r.height)]), [[ids[1], '5lr9y', 93773]]);

  const del = await client.delete({ collection_name, ids: [ids[0]] });
  ok(del);
  assert.equal(Number(del.delete_cnt), 1);
  const count = await client.query({ collection_name, output_fields: ['count(*)'] });
  assert.equal(Number(count.data[0]['count(*)']), 2);
  const after = await client.search({ collection_name, data: README_ROWS[0].vector, limit: 10, params: { ef: 16 }, output_fields: ['age'] });
  assertHits(after.results, nearest(rows.slice(1), README_ROWS[0].vector, 10), 'age');

  ok(await client.releaseCollection({ collection_name }));
  ok(await client.dropCollection({ collection_name }));
  assert.equal((await client.hasCollection({ collection_name })).value, false);
});

test('Int64 keys, IVF_FLAT, filters, several queries, upsert and deletes', async () => {
  const collection_name = 'node_items';
  const dim = 16;
  ok(await client.createCollection({
    collection_name,
    consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'vector', data_type: DataType.FloatVector, dim },
      { name: 'tag', data_type: DataType.VarChar, max_length: 16 },
      { name: 'rank', data_type: DataType.Double },
    ],
  }));
  const rows = Array.from({ length: 300 }, (_, i) => ({
    id: i, vector: vector(i + 1, dim), tag: i % 2 ? 'odd' : 'even', rank: i / 10,
  }));
  for (let i = 0; i < rows.length; i += 100) {
    const r = await client.insert({ collection_name, data: rows.slice(i, i + 100) });
    assert.equal(Number(r.insert_cnt), 100);
  }
  ok(await client.flushSync({ collection_names: [collection_name] }));
  ok(await client.createIndex({ collection_name, field_name: 'vector', index_type: 'IVF_FLAT', metric_type: 'L2', params: { nlist: 8 } }));
  ok(await client.loadCollection({ collection_name }));
  const stats = await client.getCollectionStatistics({ collection_name });
  assert.equal(Number(stats.data.row_count), 300);

  // Two query vectors at once, every list probed (exact), with a filter.
  const qs = [vector(1001, dim), vector(1002, dim)];
  const res = await client.search({
    collection_name, data: qs, limit: 5, filter: 'tag == "even" and rank < 20', params: { nprobe: 8 },
    output_fields: ['id', 'tag', 'rank'],
  });
  ok(res);
  const even = rows.filter((r) => r.tag === 'even' && r.rank < 20);
  qs.forEach((q, i) => assertHits(res.results[i], nearest(even, q, 5)));
  assert.ok(res.results.flat().every((r) => r.tag === 'even'));

  const got = await client.query({ collection_name, filter: 'id in [3, 4, 5]', output_fields: ['tag', 'vector'] });
  assert.deepEqual(got.data.map((r) => [Number(r.id), r.tag]).sort((a, b) => a[0] - b[0]), [[3, 'odd'], [4, 'even'], [5, 'odd']]);
  assert.deepEqual(got.data.find((r) => Number(r.id) === 4).vector, rows[4].vector);

  const up = await client.upsert({ collection_name, data: [{ id: 4, vector: qs[0], tag: 'odd', rank: 1 }] });
  ok(up);
  const moved = await client.search({ collection_name, data: qs[0], limit: 1, params: { nprobe: 8 }, output_fields: ['id', 'tag'] });
  assert.deepEqual(moved.results.map((r) => [String(r.id), r.score, r.tag]), [['4', 0, 'odd']]);

  const del = await client.delete({ collection_name, filter: 'id < 10' });
  ok(del);
  const count = await client.query({ collection_name, output_fields: ['count(*)'] });
  assert.equal(Number(count.data[0]['count(*)']), 290);
  const left = await client.query({ collection_name, filter: 'tag == "odd" and id < 20', output_fields: ['id'] });
  assert.deepEqual(left.data.map((r) => Number(r.id)).sort((a, b) => a - b), [11, 13, 15, 17, 19]);
  ok(await client.dropCollection({ collection_name }));
});

test('quick setup: createCollection({ collection_name, dimension }) with a dynamic field', async () => {
  const collection_name = 'node_quick';
  ok(await client.createCollection({ collection_name, dimension: 8, consistency_level: 'Strong' }));
  const load = await client.getLoadState({ collection_name });
  assert.equal(load.state, 'LoadStateLoaded');
  const desc = await client.describeCollection({ collection_name });
  assert.equal(desc.schema.enable_dynamic_field, true);
  assert.deepEqual(desc.schema.fields.map((f) => [f.name, f.data_type]), [['id', 'Int64'], ['vector', 'FloatVector']]);

  const rows = Array.from({ length: 20 }, (_, i) => ({
    id: i, vector: vector(i + 7, 8), color: ['red', 'green', 'blue'][i % 3], n: i, meta: { even: i % 2 === 0 },
  }));
  assert.equal(Number((await client.insert({ collection_name, data: rows })).insert_cnt), 20);
  const q = vector(99, 8);
  const res = await client.search({ collection_name, data: q, limit: 4, filter: 'color == "red"', output_fields: ['id', 'color', 'n'] });
  ok(res);
  const red = rows.filter((r) => r.color === 'red');
  // The quick setup's metric is COSINE: compare orders by cosine similarity.
  const cos = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
  const want = red.map((r) => ({ id: String(r.id), s: cos(r.vector, q) })).sort((a, b) => b.s - a.s).slice(0, 4);
  assert.deepEqual(res.results.map((r) => String(r.id)), want.map((w) => w.id));
  res.results.forEach((r, i) => assert.ok(Math.abs(r.score - want[i].s) <= 1e-4));
  assert.ok(res.results.every((r) => r.color === 'red' && Number(r.n) % 3 === 0), JSON.stringify(res.results));

  const got = await client.query({ collection_name, filter: 'n >= 17 and meta["even"] == true', output_fields: ['*'] });
  // A query's rows keep the dynamic keys under `$meta`, as the SDK gives them.
  assert.deepEqual(got.data.map((r) => [Number(r.id), r.$meta]), [[18, { color: 'red', n: 18, meta: { even: true } }]],
    JSON.stringify(got));
  ok(await client.delete({ collection_name, filter: 'color == "blue"' }));
  const count = await client.query({ collection_name, output_fields: ['count(*)'] });
  assert.equal(Number(count.data[0]['count(*)']), 14);
  ok(await client.dropCollection({ collection_name }));
});
