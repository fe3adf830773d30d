// The walking skeleton end to end: the built playground in headless Chromium gives
// the same top-10 as the native `annlab search` for the same seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { servedPage, screenshot } from './harness.mjs';

const ANNLAB = process.env.ANNLAB_BIN ?? 'target/debug/annlab';
const ctx = servedPage(before, after);

async function readTable(page) {
  return page.$$eval('[data-testid="hit"]', (rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
}

test('a click on Run gives the same top-10 as the native CLI', async () => {
  const { page, errors } = ctx.browser;
  await page.goto(ctx.server.url);
  await page.getByTestId('param-n').fill('3000');
  await page.getByTestId('param-dim').fill('256');
  await page.getByTestId('param-seed').fill('42');
  await page.getByTestId('run').click();
  await page.locator('[data-testid="hit"]').nth(9).waitFor({ timeout: 60_000 });
  const rows = await readTable(page);
  await screenshot(page, 'skeleton-top10');

  const native = JSON.parse(execFileSync(ANNLAB, [
    'search', '--n', '3000', '--dim', '256', '--seed', '42', '--json',
  ], { encoding: 'utf8' }));
  assert.equal(rows.length, 10);
  // Same ids, texts and sources; scores equal to 4 decimals give or take one unit
  // (the native build sums with AVX2, the browser with simd128: the last bits of a
  // float may differ).
  rows.forEach((row, i) => {
    const h = native.hits[i];
    assert.deepEqual([row[0], row[1], row[3], row[4]], [String(h.rank), String(h.id), h.text, h.source]);
    assert.ok(Math.abs(Number(row[2]) - h.score) <= 1.01e-4, `rank ${i + 1}: ${row[2]} vs ${h.score}`);
  });
  // The summary shows a measured time, and the URL now reproduces the run.
  const summary = await page.getByTestId('summary').textContent();
  assert.match(summary, /n = 3000, dim = 256, seed = 42: generated and searched in \d+\.\d ms/);
  assert.match(page.url(), /\?n=3000&dim=256&seed=42&step=connect&lang=(zh|en)$/);
  assert.deepEqual(errors, []);
});

test('a shared link restores the parameters and an invalid one is explained', async () => {
  const { page } = ctx.browser;
  await page.goto(`${ctx.server.url}/?n=500&dim=40000&seed=1`);
  assert.equal(await page.getByTestId('param-n').inputValue(), '500');
  await page.getByTestId('run').click();
  const err = page.getByTestId('param-dim-error');
  await err.waitFor();
  assert.match(await err.textContent(), /invalid dimension: 40000. should be in range 1 ~ 32768/);
  assert.equal(await page.locator('[data-testid="hit"]').count(), 0);
  await screenshot(page, 'skeleton-invalid');
});
