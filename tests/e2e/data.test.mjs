// The data choice: every step on the tutorial's random vectors and on
// embedding-like ones (the `data` select, `data=` in the URL), step 4's
// similarity histograms of both with their relative contrast, the other data's
// curves overlaid once both ran, and at the tutorial's 10,000 × 1536 the ef sweep's
// recall on each: below 0.6 on random data, at least 0.9 on embeddings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { servedPage, screenshot } from './harness.mjs';

const ctx = servedPage(before, after);
const SMALL = 'n=2000&dim=64&seed=7&nlist=32&batch_size=250';
const STEPS = [
  'connect', 'schema', 'index', 'data', 'insert', 'load', 'search', 'batch_search',
  'filtered_search', 'ef_sweep', 'stats', 'ivf_compare', 'cleanup', 'ivf_pq', 'cluster',
  'monitoring',
];

/** Clicks Run all and waits until every step is done again. */
async function runAll(page) {
  await page.getByTestId('run-all').click();
  await page.locator('[data-testid="step-connect"]:not(.done)').waitFor({ timeout: 10_000 }).catch(() => {});
  await page.locator('[data-testid="step-monitoring"].done').waitFor({ timeout: 300_000 });
  await page.locator('[data-testid="run-step"]:not([disabled])').waitFor({ timeout: 300_000 });
  for (const key of STEPS) {
    assert.match(await page.getByTestId(`step-${key}`).getAttribute('class'), /done/, key);
  }
}

/** The legend entries of a chart. */
async function legend(page, id) {
  return page.getByTestId(id).locator('ul.legend li').allTextContents();
}

/** `ef= 64: mean latency=1.34ms, recall@10=0.273` lines of the ef sweep's output. */
function sweep(text) {
  return [...text.matchAll(/ef=\s*(\d+): mean latency=([\d.]+)ms, recall@10=([\d.]+)/g)]
    .map((m) => ({ ef: Number(m[1]), ms: Number(m[2]), recall: Number(m[3]) }));
}

test('every step runs on both data; step 4 shows both histograms; the other data is overlaid', async () => {
  const { page, errors } = ctx.browser;
  await page.goto(`${ctx.server.url}/?${SMALL}&lang=en&step=data`);
  assert.equal(await page.getByTestId('param-data').inputValue(), 'random');
  assert.doesNotMatch(page.url(), /data=/);
  await runAll(page);
  await page.getByTestId('step-search').click();
  assert.match(await page.getByTestId('corrections').textContent(), /run with data=embeddings to compare/);

  await page.getByTestId('param-data').selectOption('embeddings');
  await page.waitForFunction(() => /data=embeddings/.test(location.search));
  await runAll(page);

  // Step 4: query 0's similarities on both data, side by side, with the contrast.
  await page.getByTestId('step-data').click();
  const contrast = {};
  for (const kind of ['random', 'embeddings']) {
    const chart = page.getByTestId(`chart-similarity-${kind}`);
    await chart.waitFor();
    assert.ok((await chart.locator('rect.bar').count()) > 10, kind);
    const rules = await chart.locator('text.rule-label').allTextContents();
    assert.ok(rules.some((r) => /^top-10 ≥ -?\d\.\d{3}$/.test(r)), `${kind}: ${rules}`);
    const title = await chart.locator('figcaption').textContent();
    contrast[kind] = Number(title.match(/relative contrast (\d+\.\d+)/)[1]);
  }
  assert.ok(contrast.embeddings > contrast.random + 0.3, JSON.stringify(contrast));
  assert.match(await page.getByTestId('similarity-explanation').textContent(), /greedy walk/);
  await screenshot(page, 'data-similarity-both');

  // The other data's curves, once both ran with otherwise equal parameters.
  for (const [step, charts] of [
    ['ef_sweep', ['chart-ef-latency', 'chart-ef-recall']],
    ['ivf_compare', ['chart-recall-qps']],
    ['ivf_pq', ['chart-memory-recall']],
  ]) {
    await page.getByTestId(`step-${step}`).click();
    for (const id of charts) {
      const names = await legend(page, id);
      assert.ok(names.some((n) => / · embeddings$/.test(n)), `${id}: ${names}`);
      assert.ok(names.some((n) => / · random$/.test(n)), `${id}: ${names}`);
    }
    await screenshot(page, `data-overlay-${step}`);
  }
  // The corrections quote what was measured on the other data.
  await page.getByTestId('step-search').click();
  const corrections = await page.getByTestId('corrections').textContent();
  assert.match(corrections, /on embedding-like data: on embeddings the top-10 stands apart/);
  assert.match(corrections, /on the tutorial's random data the same search measured recall@10 [01]\.\d\d/);
  assert.match(corrections, /exact best was -?\d\.\d{4} \(step 4\)/);
  await page.getByTestId('step-ivf_compare').click();
  assert.match(await page.getByTestId('corrections').textContent(), /on the tutorial's random data it was \d+\.\d× (faster|slower)/);
  assert.deepEqual(errors, []);
});

test('step 10 at 10,000 × 1536: recall at ef=64 is below 0.6 on random data and at least 0.9 on embeddings', async () => {
  const { page, errors } = ctx.browser;
  const recall = {};
  for (const data of ['random', 'embeddings']) {
    const t0 = Date.now();
    await page.goto(`${ctx.server.url}/?n=10000&dim=1536&seed=42&lang=en&step=ef_sweep&data=${data}`);
    await page.getByTestId('run-step').click();
    await page.locator('[data-testid="step-ef_sweep"].done').waitFor({ timeout: 240_000 });
    await page.locator('[data-testid="run-step"]:not([disabled])').waitFor({ timeout: 240_000 });
    const points = sweep(await page.getByTestId('output').textContent());
    assert.deepEqual(points.map((p) => p.ef), [16, 32, 64, 128], data);
    // Latencies rise with ef from the first to the last (each the mean of ten
    // single searches; neighbours may tie at the page clock's resolution).
    assert.ok(points[3].ms > points[0].ms, `${data}: ${JSON.stringify(points)}`);
    assert.ok(new Set(points.map((p) => p.ms)).size >= 3, `${data}: ${JSON.stringify(points)}`);
    recall[data] = points.find((p) => p.ef === 64).recall;
    process.stderr.write(`step 10 at 10000 × 1536 on ${data}: ${((Date.now() - t0) / 1000).toFixed(1)} s, recall@10 at ef=64 ${recall[data]}\n`);
    await screenshot(page, `data-ef-sweep-full-${data}`);
  }
  assert.ok(recall.random < 0.6, JSON.stringify(recall));
  assert.ok(recall.embeddings >= 0.9, JSON.stringify(recall));
  assert.deepEqual(errors, []);
});
