// The whole playground at a reduced size: the architecture overview, step 3's
// toy (drag the query, move nprobe), every step and exercise run in order with its
// charts and callouts filled with measured numbers, the main thread free of long
// tasks while the worker inserts and builds the index, Run all, and the tutorial's
// parameters refused with Milvus's message. The cluster exercise's query nodes
// (one Web Worker per shard) answer every query, timed and gathered on the page.
// One screenshot per step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { servedPage, screenshot, mainThreadTasks, longTasks } from './harness.mjs';

const ctx = servedPage(before, after);
const SMALL = 'n=2000&dim=64&seed=7&nlist=32&batch_size=250';

const STEPS = [
  'connect', 'schema', 'index', 'data', 'insert', 'load', 'search', 'batch_search',
  'filtered_search', 'ef_sweep', 'stats', 'ivf_compare', 'cleanup', 'ivf_pq', 'cluster',
  'monitoring',
];

// Steps whose output reports measurements.
const MEASURED = [
  'insert', 'load', 'search', 'batch_search', 'filtered_search', 'ef_sweep', 'ivf_compare',
  'ivf_pq', 'cluster',
];

// Charts each step must show.
const CHARTS = {
  batch_search: ['chart-latency-histogram'],
  ef_sweep: ['chart-ef-latency', 'chart-ef-recall'],
  ivf_compare: ['chart-recall-qps'],
  ivf_pq: ['chart-recall-qps', 'chart-memory-recall'],
};

/** Runs the open step and waits until the worker is idle again. */
async function runStep(page, key) {
  await page.getByTestId(`step-${key}`).click();
  await runOpenStep(page, key);
}

/** Runs the step whose page is open and waits until it is done. */
async function runOpenStep(page, key) {
  await page.getByTestId('run-step').click();
  await page.locator(`[data-testid="step-${key}"].done`).waitFor({ timeout: 240_000 });
  await page.locator('[data-testid="run-step"]:not([disabled])').waitFor({ timeout: 240_000 });
}

/** Asserts a chart has points or bars, and numeric tick labels. */
async function assertChart(page, id) {
  const chart = page.getByTestId(id);
  await chart.waitFor();
  const marks = await chart.locator('circle.dot, rect.bar').count();
  assert.ok(marks > 0, `${id}: no marks`);
  const ticks = await chart.locator('text.tick-label').allTextContents();
  assert.ok(ticks.length >= 4 && ticks.every((t) => /^[\d,.]+M?$/.test(t)), `${id}: ticks ${ticks}`);
  const titles = await chart.locator('circle.dot title, rect.bar title').allTextContents();
  assert.ok(titles.some((t) => /\d/.test(t)), `${id}: no measured values in ${titles}`);
}

/** The cluster exercise's query nodes (default 4 shards of the 2000 rows, 100 queries). */
async function assertCluster(page, started) {
  const SHARDS = 4;
  const QUERIES = 100;
  assert.equal(started, SHARDS, `${started} workers started for ${SHARDS} query nodes`);
  assert.equal(
    await page.getByTestId('cluster-status').textContent(),
    `done: ${SHARDS} workers answered ${QUERIES} queries`,
  );
  assert.equal(await page.locator('[data-testid^="cluster-node-"]').count(), SHARDS);
  let rows = 0;
  for (let i = 0; i < SHARDS; i++) {
    const lines = await page.getByTestId(`cluster-node-${i}`).locator('text').allTextContents();
    assert.equal(lines[0], `query node ${i}`);
    const m = lines.slice(1).join('|').match(/^(\d+) rows\|build \d+ ms\|search \d+\.\d{3} ms × (\d+)\|reply \d+\.\d{3} ms \(page\)$/);
    assert.ok(m, `node ${i}: ${lines}`);
    rows += Number(m[1]);
    assert.equal(Number(m[2]), QUERIES, `node ${i} answers`);
  }
  assert.equal(rows, 2000, 'the shards hold every row once');
  assert.match(await page.getByTestId('cluster-diagram').textContent(), /proxy = this page.*gather \d+\.\d{3} ms/s);
  const latency = await page.getByTestId('cluster-latency').textContent();
  const m = latency.match(/(\d+\.\d{3}) \/ (\d+\.\d{3}) \/ (\d+\.\d{3}) ms \((\d+) queries\)/);
  assert.ok(m, latency);
  const [mean, p50, p99] = m.slice(1, 4).map(Number);
  assert.ok(mean > 0 && p50 > 0 && p99 >= p50, latency);
  assert.equal(Number(m[4]), QUERIES);
  assert.match(latency, /one engine worker searching every shard in turn.*\d+\.\d{3} ms/s);
  assert.match(await page.getByTestId('cluster-speedup').textContent(), /(No speedup measured here|faster)/);
  const recall = (await page.getByTestId('cluster-recall').filter({ hasText: /exact search: [01]\.\d{3}$/ }).textContent({ timeout: 60_000 }));
  const r = Number(recall.match(/([01]\.\d{3})$/)[1]);
  assert.ok(r > 0.5 && r <= 1, recall);
}

test('every step and exercise runs with measured charts, and the page stays responsive', async () => {
  const { page, errors } = ctx.browser;
  await page.goto(`${ctx.server.url}/?${SMALL}&lang=en&step=architecture`);

  // 0: the architecture overview.
  await page.getByTestId('architecture').waitFor();
  assert.match(await page.getByTestId('arch-etcd').textContent(), /etcd.*MANIFEST/s);
  assert.match(await page.getByTestId('arch-objectstorage').textContent(), /MinIO.*persist\.rs/s);
  await screenshot(page, 'step-00-architecture');

  // Web Workers started by the page (the engine, then the cluster's query nodes).
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));

  for (const [i, key] of STEPS.entries()) {
    // Step 3's toy is built and drawn on the main thread, in a task of its own
    // after the step's page (about 80 ms of CPU the first time here); insert and
    // the index build at flush run in the worker, as does step 3's CreateIndex.
    // None of them takes a main-thread task over 200 ms of CPU time.
    const watched = key === 'index' || key === 'insert';
    const open = async () => {
      await page.getByTestId(`step-${key}`).click();
      if (key === 'index') await page.getByTestId('toy-stats').waitFor();
    };
    const opening = await (watched ? mainThreadTasks(page, open) : open());
    if (watched) assert.deepEqual(longTasks(opening), [], `opening ${key}: ${JSON.stringify(opening.filter((t) => t.ms > 50))}`);
    const workersBefore = workers.length;
    const run = () => runOpenStep(page, key);
    const running = await (watched ? mainThreadTasks(page, run) : run());
    if (watched) assert.deepEqual(longTasks(running), [], `running ${key}: ${JSON.stringify(running.filter((t) => t.ms > 50))}`);
    const output = await page.getByTestId('output').textContent();
    assert.ok(output.trim().length > 0, `${key}: no output`);
    if (MEASURED.includes(key)) assert.match(output, /\d+\.\d/, `${key}: output has no measured numbers`);
    for (const id of CHARTS[key] ?? []) await assertChart(page, id);
    if (key === 'insert') {
      // Per-batch throughput, unless every batch was faster than the page's clock
      // resolves (then a callout says so instead of drawing made-up rates).
      if (await page.getByTestId('chart-insert-throughput').count()) {
        await assertChart(page, 'chart-insert-throughput');
      } else {
        assert.match(await page.getByTestId('insert-resolution').textContent(), /resolution/);
      }
    }
    if (key === 'index') {
      // Step 3's toy: drag the query across the IVF panel, then widen nprobe.
      const stats = page.getByTestId('toy-stats');
      const before = await stats.textContent();
      await page.getByTestId('toy-ivf').locator('svg').scrollIntoViewIfNeeded();
      const box = await page.getByTestId('toy-ivf').locator('svg').boundingBox();
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3, { steps: 5 });
      await page.mouse.up();
      assert.notEqual(await stats.textContent(), before, 'dragging the query changed nothing');
      await page.getByTestId('toy-nprobe').fill('6');
      await stats.filter({ hasText: 'nprobe=6 scans 6 lists' }).waitFor();
      assert.ok((await page.locator('[data-testid="toy-ivf"] .probed').count()) > 0);
      assert.ok((await page.locator('[data-testid^="toy-hnsw-layer-"]').count()) >= 2);
      assert.match(await stats.textContent(), /computed \d+ distances/);
      // The query and nprobe are in the URL: a link shows the same search.
      await page.waitForFunction(() => /toy_nprobe=6/.test(location.search) && /toy_q=/.test(location.search));
      const link = await page.evaluate(() => location.href);
      const shown = await stats.textContent();
      const again = await page.context().newPage();
      await again.goto(link);
      const againStats = again.getByTestId('toy-stats');
      await againStats.filter({ hasText: 'nprobe=6 scans 6 lists' }).waitFor();
      assert.equal(await againStats.textContent(), shown, `${link} did not reproduce the toy`);
      await again.close();
    }
    if (key === 'filtered_search') {
      assert.match(
        await page.getByTestId('filter-callout').textContent(),
        /Selectivity \d+\.\d% \(\d+ rows pass the filter\) → plan: .+ → recall@10 [01]\.\d\d/,
      );
    }
    if (key === 'monitoring') {
      // Live traffic: the worker runs 200 searches and posts metric snapshots.
      await page.getByTestId('monitor-send').click();
      await page.getByTestId('monitor-sent').filter({ hasText: '200 / 200' }).waitFor({ timeout: 120_000 });
      await page.locator('[data-testid="monitor-send"]:not([disabled])').waitFor({ timeout: 120_000 });
      const requests = Number(await page.getByTestId('monitor-requests').textContent());
      assert.ok(requests >= 200, `requests ${requests} after 200 live queries`);
      assert.ok(Number(await page.getByTestId('monitor-vectors').textContent()) >= requests);
      assert.match(await page.getByTestId('monitor-seconds').textContent(), /^\d+\.\d{4} s$/);
      await assertChart(page, 'chart-live-latency');
      const text = await page.getByTestId('monitor-prometheus').textContent();
      const m = text.match(/^annlab_search_requests_total\{[^}]*\} (\d+)$/m);
      assert.ok(m && Number(m[1]) > 0, `no request counter in ${text.slice(0, 300)}`);
      assert.match(text, /annlab_search_latency_seconds_bucket\{[^}]*le="\+Inf"\} \d+/);
    }
    if (key === 'cluster') {
      // One query-node worker per shard built its shard and answered every query;
      // the page timed the scatter/gather and measured recall against exact search.
      await assertCluster(page, workers.length - workersBefore);
    }
    if (key === 'search') {
      assert.match(await page.getByTestId('corrections').textContent(), /0\.9234.*√\(2·ln n \/ dim\)/s);
    }
    await screenshot(page, `step-${String(i + 1).padStart(2, '0')}-${key}`);
  }
  assert.deepEqual(errors, []);
});

test('Run all plays the whole tutorial; a bad parameter gets Milvus\'s message inline', async () => {
  const { page, errors } = ctx.browser;
  await page.goto(`${ctx.server.url}/?${SMALL}&lang=zh&M=5000`);
  await page.getByTestId('run-step').click();
  await page.getByTestId('param-M-error').filter({ hasText: 'M out of range: [1, 2048]' }).waitFor();
  await screenshot(page, 'params-error');

  await page.getByTestId('param-M').fill('12');
  // A step run by hand first: Run all starts over, so nothing is inserted twice.
  await runStep(page, 'insert');
  await page.getByTestId('run-all').click();
  await page.locator('[data-testid="step-monitoring"].done').waitFor({ timeout: 300_000 });
  for (const key of STEPS) {
    assert.match(await page.getByTestId(`step-${key}`).getAttribute('class'), /done/, key);
  }
  assert.match(await page.getByTestId('step-title').textContent(), /^16 · /);
  await page.getByTestId('step-load').click();
  assert.match(await page.getByTestId('output').textContent(), /向量数量: 2000\b/);
  await screenshot(page, 'run-all');
  assert.match(page.url(), /&M=12/);
  assert.deepEqual(errors, []);
});

test('Cancel terminates the cluster\'s query-node workers', async () => {
  const { page, errors } = ctx.browser;
  // Big enough that the query nodes are still building when Cancel is clicked.
  await page.goto(`${ctx.server.url}/?n=40000&dim=64&seed=7&nlist=32&batch_size=5000&lang=en&step=cluster`);
  await page.getByTestId('step-cluster').click();
  await page.getByTestId('run-step').click();
  await page.getByTestId('cluster-status').waitFor({ timeout: 240_000 });
  // The engine worker (started at load), then the 4 query nodes.
  for (let i = 0; i < 100 && page.workers().length < 5; i++) await page.waitForTimeout(50);
  assert.equal(page.workers().length, 5, 'the engine worker and 4 query nodes');
  const nodes = page.workers().slice(1);
  const closed = nodes.map((w) => new Promise((ok) => w.once('close', ok)));
  await page.getByTestId('cancel').click();
  await Promise.all(closed);
  assert.equal(await page.getByTestId('cluster').count(), 0);
  await page.locator('[data-testid="run-step"]:not([disabled])').waitFor();
  // Only the engine worker, restarted by Cancel, is left.
  assert.equal(page.workers().length, 1);
  assert.deepEqual(errors, []);
});
