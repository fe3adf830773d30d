// The first screen and the page's honesty and accessibility: served cross-origin
// isolated (so the worker's clock ticks in microseconds), the clock's resolution
// measured and shown, times below 100 ticks repeated and said so; the page opens
// on the tutorial with what it teaches and Run all's last measured duration; each
// step's parameters beside it; copy buttons; readable at 1280×800 and 390×844
// (no horizontal overflow); axe-core on every step page (no serious or critical
// violation); every control reachable with Tab and named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { servedPage, screenshot } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const ctx = servedPage(before, after);
const SMALL = 'n=1000&dim=32&seed=7&nlist=16&batch_size=250';

const STEPS = [
  'connect', 'schema', 'index', 'data', 'insert', 'load', 'search', 'batch_search',
  'filtered_search', 'ef_sweep', 'stats', 'ivf_compare', 'cleanup', 'ivf_pq', 'cluster',
  'monitoring',
];

/** The document is no wider than the window (nothing scrolls sideways). */
async function assertNoOverflow(page, what) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${what}: the document is ${scroll} px wide in a ${width} px window`);
}

/** axe-core (from node_modules, no CDN) finds no serious or critical violation. */
async function assertAccessible(page, what) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE });
  }
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${what}: axe`);
}

test('served cross-origin isolated: the worker measures its clock and timings say how they were taken', async () => {
  const { page, errors } = ctx.browser;
  await page.goto(`${ctx.server.url}/?${SMALL}&lang=en&step=ef_sweep`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'crossOriginIsolated');
  const clock = page.getByTestId('clock-resolution');
  assert.match(await clock.textContent(), /measured when the first step runs; the page is cross-origin isolated/);
  await page.getByTestId('run-step').click();
  await page.locator('[data-testid="step-ef_sweep"].done').waitFor({ timeout: 240_000 });
  // The engine's worker (and trunk's loader for it) loaded under COEP.
  assert.ok(page.workers().length >= 1, 'the engine worker');
  const text = await clock.textContent();
  const m = text.match(/Timing clock resolution (\d+(?:\.\d+)?) µs \(measured in the engine's worker\)/);
  assert.ok(m, text);
  // Isolated Chromium: 5 µs (100 µs without isolation).
  assert.ok(Number(m[1]) > 0 && Number(m[1]) <= 20, text);
  const output = await page.getByTestId('output').textContent();
  assert.match(output, /\((timed over \d+(–\d+)? repetitions|each time measured once); clock resolution \d+(\.\d+)? µs\)/);
  const caption = await page.getByTestId('chart-ef-latency').textContent();
  assert.match(caption, /(Timed over \d+(–\d+)? repetitions|Each time measured once)/);
  assert.deepEqual(errors, []);
});

test('the first screen teaches, at 1280×800 and on a 390×844 phone', async () => {
  const { page, errors } = ctx.browser;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.goto(`${ctx.server.url}/?lang=en`);
    await page.getByTestId('intro').waitFor();
    assert.match(await page.getByTestId('step-title').textContent(), /^1 · /);
    assert.equal(await page.getByTestId('learn').locator('li').count(), 4);
    assert.match(await page.getByTestId('run-all-estimate').textContent(), /not measured on this machine yet/);
    await assertNoOverflow(page, `${width}×${height}`);
    await screenshot(page, `first-screen-${width}x${height}`, { fullPage: false });
  }
  // A step with a result table at phone width.
  await page.goto(`${ctx.server.url}/?${SMALL}&lang=en&step=search`);
  await page.getByTestId('run-step').click();
  await page.locator('[data-testid="step-hits"] tbody tr').nth(9).waitFor({ timeout: 120_000 });
  await assertNoOverflow(page, 'step 7 at 390 px');
  await screenshot(page, 'phone-390-step-07-search');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The step's own parameters beside it; the data in the bar above.
  await page.getByTestId('step-filtered_search').click();
  const own = page.getByTestId('step-params');
  assert.equal(await own.getByTestId('param-ef').count(), 1);
  assert.equal(await own.getByTestId('param-filter').count(), 1);
  assert.equal(await own.getByTestId('param-nlist').count(), 0);
  assert.equal(await page.getByTestId('tutorial-params').getByTestId('param-n').count(), 1);

  // Copy buttons copy the code shown and say so.
  for (const which of ['pymilvus', 'annlab']) {
    await page.getByTestId(`copy-${which}`).click();
    await page.getByTestId(`copy-${which}`).filter({ hasText: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await page.getByTestId(`code-${which}`).textContent());
  }
  assert.deepEqual(errors, []);
});

test('every step page passes axe-core; every control is reached with Tab and named; Run all\'s time is kept', async () => {
  const { page, errors } = ctx.browser;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${ctx.server.url}/?${SMALL}&lang=en`);
  await page.evaluate(() => localStorage.removeItem('annlab.run_all'));
  await page.getByTestId('run-all').click();
  await page.locator('[data-testid="step-monitoring"].done').waitFor({ timeout: 300_000 });
  await page.locator('[data-testid="run-all"]:not([disabled])').waitFor({ timeout: 120_000 });
  const estimate = page.getByTestId('run-all-estimate');
  await estimate.filter({ hasText: /≈ \d+ s on this machine, measured by the last Run all \(n = 1000, dim = 32\)/ }).waitFor();

  await page.getByTestId('step-architecture').click();
  await assertAccessible(page, 'architecture');
  for (const key of STEPS) {
    await page.getByTestId(`step-${key}`).click();
    if (key === 'index') await page.getByTestId('toy-stats').waitFor();
    await assertAccessible(page, key);
  }

  // Tab through the page (step 3: the toy's panels and slider too).
  await page.getByTestId('step-index').click();
  await page.getByTestId('toy-stats').waitFor();
  const walk = await page.evaluate(() => {
    const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const controls = [...document.querySelectorAll('button, input, select, textarea, summary, a[href], [tabindex]')]
      .filter((e) => e.tabIndex >= 0 && !e.disabled && visible(e));
    return controls.map((e) => e.dataset.testid ?? e.outerHTML.slice(0, 80));
  });
  const reached = new Map();
  await page.evaluate(() => document.activeElement?.blur());
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const labelled = e.getAttribute('aria-labelledby');
      const name = (e.getAttribute('aria-label')
        ?? (labelled && document.getElementById(labelled)?.textContent)
        ?? (e.labels && e.labels[0]?.textContent)
        ?? e.textContent
        ?? e.getAttribute('title') ?? '').trim();
      return { id: e.dataset.testid ?? e.outerHTML.slice(0, 80), name };
    });
    if (!focused) continue;
    // Once round the page (Tab wraps from the last control to the first).
    if (reached.size > 0 && reached.keys().next().value === focused.id) break;
    reached.set(focused.id, focused.name);
  }
  assert.ok(walk.length >= 20, `only ${walk.length} controls found`);
  for (const id of walk) assert.ok(reached.has(id), `Tab never reached ${id}`);
  for (const [id, name] of reached) assert.ok(name.length > 0, `${id} has no accessible name`);
  // Keep this run's estimate for a new visit.
  await page.reload();
  assert.match(await page.getByTestId('run-all-estimate').textContent(), /≈ \d+ s on this machine/);
  assert.deepEqual(errors, []);
});
