// The tutorial pages: a step runs in the engine's Web Worker (with the steps it
// needs first) and its output, corrections and results appear in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { servedPage, screenshot } from './harness.mjs';

const ctx = servedPage(before, after);

test('a search step runs in the worker and shows measured output and corrections', async () => {
  const { page, errors } = ctx.browser;
  await page.goto(`${ctx.server.url}/?n=2000&dim=64&seed=7&lang=zh`);
  await page.getByTestId('step-search').click();
  assert.match(await page.getByTestId('code-pymilvus').textContent(), /collection\.search/);
  await page.getByTestId('run-step').click();
  const output = page.getByTestId('output');
  await output.filter({ hasText: 'Top-10结果' }).waitFor({ timeout: 120_000 });
  const text = await output.textContent();
  assert.match(text, /查询延迟: \d+\.\d\dms/);
  assert.match(text, /recall@10: (0|1)\.\d\d/);
  assert.equal(await page.locator('[data-testid="step-hits"] tbody tr').count(), 10);
  assert.match(await page.getByTestId('corrections').textContent(), /0\.9234/);
  // The steps it needed ran too and are marked done.
  assert.match(await page.getByTestId('step-insert').getAttribute('class'), /done/);
  await screenshot(page, 'tutorial-search');

  // English: the same report in other words at once, nothing asked of the worker
  // (Run stays enabled, no progress); then a step that reuses the collection.
  await page.getByTestId('lang').selectOption('en');
  await output.filter({ hasText: 'Top-10 results' }).waitFor();
  assert.match(await output.textContent(), /Search latency: \d+\.\d\dms/);
  assert.equal(await page.getByTestId('run-step').isDisabled(), false);
  assert.match(await page.getByTestId('step-title').textContent(), /7 · Single search/);
  await page.getByTestId('step-stats').click();
  await page.getByTestId('run-step').click();
  await page.getByTestId('corrections').filter({ hasText: 'AttributeError' }).waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId('step-title').textContent(), /Index statistics/);
  await screenshot(page, 'tutorial-stats');
  // The link reproduces the page: parameters, step and language.
  assert.match(page.url(), /\?n=2000&dim=64&seed=7&step=stats&lang=en$/);
  await page.goto(page.url());
  assert.match(await page.getByTestId('step-title').textContent(), /11 · Index statistics/);
  assert.equal(await page.getByTestId('lang').inputValue(), 'en');
  assert.deepEqual(errors, []);
});

test('a bad parameter is explained, not crashed on', async () => {
  const { page } = ctx.browser;
  await page.goto(`${ctx.server.url}/?n=2000&dim=0&seed=7`);
  await page.getByTestId('run-step').click();
  await page.getByTestId('step-error').filter({ hasText: 'invalid dimension: 0' }).waitFor();
});
