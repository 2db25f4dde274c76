// Performance of the history over a 1M-row cache: time to the first rows
// after the window opens, a scrollbar jump to the middle (one seek), and
// scrolling to the end without freezing the window. Figures go to tests/e2e/output/perf.json and the test log.
//
// The cache comes from `walletbook-bench review` (kept in .tmp/ and reused);
// E2E_PERF_ROWS changes its size.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Key } from "selenium-webdriver";
import { BENCH_BIN, OUTPUT, ROOT, start } from "./harness.mjs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const ROWS = Number(process.env.E2E_PERF_ROWS ?? 1_000_000);
const CACHE = path.join(ROOT, ".tmp", `perf-${ROWS}.sqlite`);
const READY = `${CACHE}.ready`;
const figures = { rows: ROWS };
/** The longest frame gap that does not count as a frozen window (2 cores, shared with the tests). */
const FREEZE_MS = 1000;
let app;
/** In-page monitor of the longest gap between two frames (read from window.__maxGap). */
const FRAME_MONITOR = `
  window.__maxGap = 0; let last = performance.now();
  const tick = (t) => { window.__maxGap = Math.max(window.__maxGap, t - last); last = t; window.__raf = requestAnimationFrame(tick); };
  window.__raf = requestAnimationFrame(tick);`;

before(async () => {
  if (!existsSync(READY)) {
    rmSync(CACHE, { force: true });
    await buildCache();
    writeFileSync(READY, `${new Date().toISOString()}\n`);
  }
  const t0 = Date.now();
  app = await start({ demo: false, db: CACHE });
  await app.find("nav[aria-label=Main]");
  figures.window_open_ms = Date.now() - t0;
  // The window is open once its first screen (the wallets, counted over the
  // million rows) is shown.
  await app.find("[data-testid=wallet-row]", 60000);
  figures.wallets_shown_ms = Date.now() - t0;
});

after(async () => {
  writeFileSync(path.join(OUTPUT, "perf.json"), JSON.stringify(figures, null, 2) + "\n");
  console.log(`[perf] ${JSON.stringify(figures)}`);
  await app?.stop();
});

test("the history shows its first rows within 1 s of opening it", async () => {
  // Timed inside the page, from the click to the first row in the DOM, so the
  // figure is the window's and not WebDriver's round trips.
  await app.driver.executeScript(`
    const link = document.querySelector('nav a[data-screen=history]');
    link.addEventListener('click', () => {
      window.__clickAt = performance.now();
      const seen = new MutationObserver(() => {
        if (document.querySelector('[data-testid=history-row]')) {
          window.__firstRowsAt = performance.now();
          seen.disconnect();
        }
      });
      seen.observe(document.body, { childList: true, subtree: true });
    }, { capture: true, once: true });`);
  const opened = Date.now();
  await app.open("history");
  await app.find("[data-testid=history-row]", 30000);
  figures.first_rows_wall_ms = Date.now() - opened;
  await app.driver.wait(async () => app.driver.executeScript("return window.__firstRowsAt !== undefined"), 10000);
  figures.first_rows_ms = Math.round(await app.driver.executeScript("return window.__firstRowsAt - window.__clickAt"));
  figures.first_page_ipc_ms = Math.round(await app.driver.executeScript("return window.__historyFirstPageMs ?? -1"));
  await app.driver.wait(async () => /transactions/.test((await app.texts("main header p"))[0] ?? ""), 60000, "count shown");
  figures.count_ms = Date.now() - opened;
  const [subtitle] = await app.texts("main header p");
  assert.equal(Number(subtitle.split(" transaction")[0].replace(/[^0-9]/g, "")), ROWS, subtitle);
  await app.screenshot("perf-history-1m");
  assert.ok(figures.first_rows_ms < 1000, `first rows after ${figures.first_rows_ms} ms`);
});

test("a jump 2% down the list is one seek, the window stays live", async () => {
  await app.driver.executeScript(FRAME_MONITOR + `
    const s = document.querySelector('[data-testid=history-scroller]');
    s.scrollTop = (s.scrollHeight - s.clientHeight) * 0.02;`);
  const started = Date.now();
  await app.driver.wait(
    async () =>
      app.driver.executeScript(
        "const r = document.querySelector('[data-testid=history-row]');" +
          "const n = Number(document.querySelector('[data-testid=history-grid]').getAttribute('aria-rowcount'));" +
          "return !!r && Number(r.getAttribute('aria-rowindex')) > n / 100 && !document.querySelector('[data-testid=history-row-loading]');",
      ),
    120000,
    "the rows 2% down are shown",
  );
  figures.jump_2pct_ms = Date.now() - started;
  figures.jump_2pct_max_frame_gap_ms = Math.round(await app.driver.executeScript("cancelAnimationFrame(window.__raf); return window.__maxGap;"));
  await app.screenshot("perf-history-2pct");
  assert.ok(figures.jump_2pct_max_frame_gap_ms < FREEZE_MS, `the window froze for ${figures.jump_2pct_max_frame_gap_ms} ms`);
});

test("a jump to the middle of the list is one seek, the window stays live", async () => {
  // Timed inside the page, from setting scrollTop to the middle rows in the
  // DOM with no placeholder left.
  await app.driver.executeScript(FRAME_MONITOR + `
    const s = document.querySelector('[data-testid=history-scroller]');
    const half = Number(document.querySelector('[data-testid=history-grid]').getAttribute('aria-rowcount')) / 2;
    const shown = () => {
      const r = document.querySelector('[data-testid=history-row]');
      return !!r && Math.abs(Number(r.getAttribute('aria-rowindex')) - half) < half / 50 && !document.querySelector('[data-testid=history-row-loading]');
    };
    window.__middleAt = undefined;
    const seen = new MutationObserver(() => {
      if (shown()) { window.__middleAt = performance.now(); seen.disconnect(); }
    });
    seen.observe(document.body, { childList: true, subtree: true, attributes: true });
    window.__jumpAt = performance.now();
    s.scrollTop = (s.scrollHeight - s.clientHeight) * 0.5;`);
  const started = Date.now();
  await app.driver.wait(async () => app.driver.executeScript("return window.__middleAt !== undefined"), 60000, "the middle rows are shown");
  figures.jump_middle_wall_ms = Date.now() - started;
  figures.jump_middle_ms = Math.round(await app.driver.executeScript("return window.__middleAt - window.__jumpAt"));
  figures.jump_middle_max_frame_gap_ms = Math.round(await app.driver.executeScript("cancelAnimationFrame(window.__raf); return window.__maxGap;"));
  await app.screenshot("perf-history-middle");
  assert.ok(figures.jump_middle_max_frame_gap_ms < FREEZE_MS, `the window froze for ${figures.jump_middle_max_frame_gap_ms} ms`);
  assert.ok(figures.jump_middle_ms < 5000, `the middle rows took ${figures.jump_middle_ms} ms`);
});

test("scrolling to the end fetches pages without freezing the window", async () => {
  // A frame-gap monitor in the page: the longest time between two frames.
  await app.driver.executeScript(FRAME_MONITOR);
  const started = Date.now();
  // Drag-like scrolling through the first part of the list, then End.
  for (let i = 1; i <= 10; i++) {
    await app.driver.executeScript("const s = document.querySelector('[data-testid=history-scroller]'); s.scrollTop += 2000;");
    await new Promise((r) => setTimeout(r, 80));
  }
  const grid = await app.find("[data-testid=history-grid]");
  await grid.sendKeys(Key.END);
  await app.driver.wait(
    async () =>
      app.driver.executeScript(
        "const r = document.querySelector('[data-testid=history-grid]'); const n = r.getAttribute('aria-rowcount');" +
          "return !!document.querySelector('[data-testid=history-row][aria-rowindex=\"' + n + '\"]');",
      ),
    30000,
    "the last row is shown",
  );
  figures.scroll_to_end_ms = Date.now() - started;
  figures.max_frame_gap_ms = Math.round(await app.driver.executeScript("cancelAnimationFrame(window.__raf); return window.__maxGap;"));
  await app.screenshot("perf-history-end");
  assert.ok(figures.max_frame_gap_ms < FREEZE_MS, `the window froze for ${figures.max_frame_gap_ms} ms`);
});

/** `walletbook-bench review --build-only` (the development-only bench binary) builds the synthetic cache and its rollups, then exits. */
async function buildCache() {
  mkdirSync(path.dirname(CACHE), { recursive: true });
  try {
    await promisify(execFile)(BENCH_BIN, ["review", "--rows", String(ROWS), "--cache", CACHE, "--build-only"], {
      maxBuffer: 16 << 20,
      timeout: 30 * 60 * 1000,
    });
  } catch (e) {
    throw new Error(`no cache built: ${String(e.stderr ?? e).slice(-2000)}`);
  }
}
