// The walking skeleton end to end, now the tutorial's step 7: the page opens on
// the tutorial, and step 7's search, run in the engine's worker with ef as large
// as the collection (so that HNSW answers exactly), gives the same top-10 as the
// native `annlab search` (exact) and as `annlab scenario --step search` for the
// same seed, without a long task on the main thread (measured in CPU time).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { servedPage, screenshot, mainThreadTasks, longTasks } from './harness.mjs';

const ANNLAB = process.env.ANNLAB_BIN ?? 'target/debug/annlab';
const ctx = servedPage(before, after);

async function readTable(page) {
  return page.$$eval('[data-testid="step-hits"] tbody tr', (rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
}

test('the page opens on the tutorial; step 7 gives the same top-10 as the native CLI', async () => {
  const { page, errors } = ctx.browser;
  await page.goto(ctx.server.url);
  assert.match(await page.getByTestId('step-title').textContent(), /^1 · /);
  assert.equal(await page.getByTestId('run').count(), 0, 'no quick start above the tutorial');

  await page.getByTestId('param-n').fill('3000');
  await page.getByTestId('param-dim').fill('256');
  await page.getByTestId('param-seed').fill('42');
  await page.getByTestId('param-ef').fill('3000');
  await page.getByTestId('step-search').click();
  // No task on the main thread with more than 200 ms of its CPU time while the
  // step runs: the search runs in the worker.
  const tasks = await mainThreadTasks(page, async () => {
    await page.getByTestId('run-step').click();
    await page.locator('[data-testid="step-hits"] tbody tr').nth(9).waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="run-step"]:not([disabled])').waitFor({ timeout: 120_000 });
  });
  assert.deepEqual(longTasks(tasks), [], 'main-thread tasks over 200 ms of CPU while step 7 ran');
  const rows = await readTable(page);
  await screenshot(page, 'skeleton-top10');

  const native = JSON.parse(execFileSync(ANNLAB, [
    'search', '--n', '3000', '--dim', '256', '--seed', '42', '--json',
  ], { encoding: 'utf8' }));
  const scenario = JSON.parse(execFileSync(ANNLAB, [
    'scenario', '--n', '3000', '--dim', '256', '--seed', '42', '--ef', '3000',
    '--step', 'search', '--json', '--quiet',
  ], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const step7 = scenario.steps.at(-1);
  assert.equal(step7.step, 'search');
  assert.equal(rows.length, 10);
  // Same ids, texts and sources; scores equal to 4 decimals give or take one unit
  // (the native build sums with AVX2, the browser with simd128: the last bits of a
  // float may differ). Every hit is in the exact top-10.
  rows.forEach((row, i) => {
    const h = native.hits[i];
    assert.deepEqual([row[0], row[1], row[3], row[4], row[5]], [String(h.rank), String(h.id), h.text, h.source, '✓']);
    assert.ok(Math.abs(Number(row[2]) - h.score) <= 1.01e-4, `rank ${i + 1}: ${row[2]} vs ${h.score}`);
    assert.equal(step7.hits[i].id, String(h.id), `rank ${i + 1}: annlab scenario`);
  });
  // The URL now reproduces the run.
  assert.match(page.url(), /\?n=3000&dim=256&seed=42&step=search&lang=(zh|en)&ef=3000$/);
  assert.deepEqual(errors, []);
});

test('a shared link restores the parameters and an invalid one is explained', async () => {
  const { page } = ctx.browser;
  await page.goto(`${ctx.server.url}/?n=500&dim=40000&seed=1`);
  assert.equal(await page.getByTestId('param-n').inputValue(), '500');
  await page.getByTestId('run-step').click();
  const err = page.getByTestId('param-dim-error');
  await err.filter({ hasText: 'invalid dimension' }).waitFor();
  assert.match(await err.textContent(), /invalid dimension: 40000. should be in range 1 ~ 32768/);
  assert.equal(await page.locator('[data-testid="step-hits"]').count(), 0);
  await screenshot(page, 'skeleton-invalid');
});
