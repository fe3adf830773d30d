// The playground's performance in headless Chromium, measured (not a test: a
// benchmark, run by hand; see README "Performance in the browser"):
//
//   node tests/e2e/perf.mjs [--n 10000] [--dim 1536] [--data random|embeddings] [--native target/release/annlab]
//
// Runs every step of the tutorial (and the IVF_PQ exercise) in the served dist/ at
// the given size, one after the other as a learner would, and prints the wall time
// of each step and the total. With --native, the same scenario runs in the native
// CLI (same data, same seed) and compared: the ef sweep's per-query latencies
// (ten single searches per ef, as the tutorial times them: noisy) and step 12's
// HNSW QPS over the batch of queries at every ef (browser / native). Prints one
// JSON object at the end.
import { execFileSync } from 'node:child_process';
import { serveDist, launch } from './harness.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const n = Number(args.n ?? 10000);
const dim = Number(args.dim ?? 1536);
const data = args.data ?? 'random';
const STEPS = [
  'connect', 'schema', 'index', 'data', 'insert', 'load', 'search', 'batch_search',
  'filtered_search', 'ef_sweep', 'stats', 'ivf_compare', 'cleanup', 'ivf_pq',
];

/** `ef= 64: mean latency=1.34ms, recall@10=0.273` lines of the ef sweep's output. */
function sweep(text) {
  const out = {};
  for (const m of text.matchAll(/ef=\s*(\d+): mean latency=([\d.]+)ms, recall@10=([\d.]+)/g)) {
    out[m[1]] = { ms: Number(m[2]), recall: Number(m[3]) };
  }
  return out;
}

/** `HNSW         ef=64   recall@10=0.279  1450 QPS` lines of step 12's table
 * (`index` HNSW, or HNSW_SQ for the quantised graph's rows). */
function qpsTable(text, index = 'HNSW') {
  const out = {};
  for (const m of text.matchAll(new RegExp(`^${index}\\s+ef=(\\d+)\\s+recall@10=([\\d.]+)\\s+(\\d+) QPS`, 'gm'))) {
    out[m[1]] = { qps: Number(m[3]), recall: Number(m[2]) };
  }
  return out;
}

const server = await serveDist();
const browser = await launch();
const { page, errors } = browser;
const steps = [];
let browserSweep = {};
let browserQps = {};
let browserSqQps = {};
try {
  await page.goto(`${server.url}/?n=${n}&dim=${dim}&seed=42&data=${data}&lang=en&step=connect`);
  await page.getByTestId('run-step').waitFor();
  for (const key of STEPS) {
    await page.getByTestId(`step-${key}`).click();
    const t0 = Date.now();
    await page.getByTestId('run-step').click();
    await page.locator(`[data-testid="step-${key}"].done`).waitFor({ timeout: 600_000 });
    await page.locator('[data-testid="run-step"]:not([disabled])').waitFor({ timeout: 600_000 });
    const s = (Date.now() - t0) / 1000;
    // The step's own timing lines (build times, throughput, latencies).
    const output = await page.getByTestId('output').innerText();
    const timings = output.split('\n').filter((l) => /\d(\.\d+)?\s*(ms|s|秒)\b|vectors\/s/.test(l) && !/⚠|measured:/.test(l));
    steps.push({ step: key, wall_s: s, timings });
    process.stderr.write(`${key}: ${s.toFixed(2)} s\n`);
    if (key === 'ef_sweep') browserSweep = sweep(output);
    if (key === 'ivf_compare') {
      browserQps = qpsTable(output);
      browserSqQps = qpsTable(output, 'HNSW_SQ');
    }
  }
} finally {
  await browser.close();
  await server.close();
}
if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);

const total = steps.reduce((s, x) => s + x.wall_s, 0);
/** a[ef].qps / b[ef].qps at every ef both have. */
const ratios = (a, b) => Object.fromEntries(Object.keys(a).filter((ef) => b[ef]).map((ef) => [ef, a[ef].qps / b[ef].qps]));
const result = {
  n, dim, data, total_wall_s: total, steps, browser_sweep: browserSweep, browser_qps: browserQps,
  browser_hnsw_sq_qps: browserSqQps, browser_hnsw_sq_over_hnsw: ratios(browserSqQps, browserQps),
};
if (args.native) {
  /** The native CLI's output for one step of the same scenario. */
  const native = (step) => execFileSync(
    args.native,
    ['scenario', '--n', String(n), '--dim', String(dim), '--seed', '42', '--data', data, '--lang', 'en', '--quiet', '--step', step],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const nativeSweep = sweep(native('ef_sweep'));
  result.native_sweep = nativeSweep;
  result.browser_over_native = Object.fromEntries(
    Object.keys(browserSweep).filter((ef) => nativeSweep[ef]).map((ef) => [ef, browserSweep[ef].ms / nativeSweep[ef].ms]),
  );
  const step12 = native('ivf_compare');
  const nativeQps = qpsTable(step12);
  const nativeSqQps = qpsTable(step12, 'HNSW_SQ');
  result.native_qps = nativeQps;
  result.browser_qps_over_native = ratios(browserQps, nativeQps);
  result.native_hnsw_sq_qps = nativeSqQps;
  result.native_hnsw_sq_over_hnsw = ratios(nativeSqQps, nativeQps);
  result.browser_hnsw_sq_over_native = ratios(browserSqQps, nativeSqQps);
}
console.log(JSON.stringify(result, null, 1));
