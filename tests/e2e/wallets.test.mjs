// Smoke test: the real window opens on a demo cache and lists its wallets;
// every screen of the sidebar opens and is captured to tests/e2e/output/.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

let app;

before(async () => {
  app = await start({ demo: true });
});

after(async () => {
  await app?.stop();
});

test("the window is titled Walletbook", async () => {
  await app.find("nav[aria-label=Main]");
  assert.equal(await app.driver.getTitle(), "Walletbook");
});

test("the wallet list shows the cache's wallets", async (t) => {
  const expected = app.wallets;
  if (expected.length === 0) {
    await app.find("[data-testid=empty-state]");
    await app.screenshot("wallets-empty");
    t.skip("walletbook demo is not available yet: checked the empty state instead");
    return;
  }
  await app.find("[data-testid=wallet-row]");
  const rows = await app.findAll("[data-testid=wallet-row]");
  assert.equal(rows.length, expected.length, "one row per wallet in the cache");
  const ids = await Promise.all(rows.map((r) => r.getAttribute("data-wallet-id")));
  assert.deepEqual(ids.map(Number).sort((a, b) => a - b), expected.map((w) => w.id).sort((a, b) => a - b));
  const groups = await app.findAll("[data-testid=connection-group] h2");
  const names = new Set(await Promise.all(groups.map((g) => g.getText())));
  assert.deepEqual(names, new Set(expected.map((w) => w.connection_name)));
  await app.screenshot("wallets");
});

test("every screen opens from the sidebar", async () => {
  for (const screen of ["history", "summaries", "reconciliation", "sync", "connections", "export", "wallets"]) {
    await app.open(screen);
    await app.find("main h1");
    await app.screenshot(`screen-${screen}`);
  }
});

test("the strict CSP blocked nothing", async () => {
  const violations = await app.driver.executeScript("return window.__cspViolations ?? ['no CSP listener']");
  assert.deepEqual(violations, []);
});
