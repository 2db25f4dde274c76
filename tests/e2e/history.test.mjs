// History: the virtual table over the demo cache, filters, sorting, the row
// detail with its raw provider record, and keyboard navigation.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Key } from "selenium-webdriver";
import { start } from "./harness.mjs";

let app;
let expectedTotal = 0;

before(async () => {
  app = await start({ demo: true });
  expectedTotal = app.wallets.reduce((n, w) => n + w.transaction_count, 0);
});

after(async () => {
  await app?.stop();
});

const subtitle = async () => (await app.find("main header p")).getText();
const digits = (s) => Number(s.replace(/[^0-9]/g, ""));

async function waitForCount(predicate, what) {
  await app.driver.wait(async () => {
    const t = await subtitle();
    return /transaction/.test(t) && predicate(digits(t.split(" transaction")[0]));
  }, 15000, what);
  return digits((await subtitle()).split(" transaction")[0]);
}

test("the history shows every cached transaction, newest first", async (t) => {
  if (!expectedTotal) return t.skip("no demo workspace");
  await app.open("history");
  await app.find("[data-testid=history-row]");
  const total = await waitForCount((n) => n > 0, "count shown");
  assert.equal(total, expectedTotal);
  await app.screenshot("history");
});

test("filters narrow the list and sorting by amount works", async (t) => {
  if (!expectedTotal) return t.skip("no demo workspace");
  await app.select("[data-testid=filter-direction]", "credit");
  const credits = await waitForCount((n) => n > 0 && n < expectedTotal, "direction filter applied");
  const search = await app.find("[data-testid=filter-text]");
  await search.sendKeys("refund");
  const refunds = await waitForCount((n) => n > 0 && n < credits, "text filter applied");
  assert.ok(refunds < credits);
  await app.driver.wait(async () => {
    const amounts = await app.texts("[data-testid=history-row] [data-testid=amount]");
    return amounts.length > 0 && amounts.every((a) => a.startsWith("+"));
  }, 10000, "only credits are listed");
  await (await app.find("button[data-sort=amount]")).click();
  await app.driver.wait(async () => (await app.texts("button[data-sort=amount]"))[0]?.includes("↓"), 5000, "sorted by amount");
  await app.screenshot("history-filtered");
});

test("keyboard opens a row's detail with its raw record", async (t) => {
  if (!expectedTotal) return t.skip("no demo workspace");
  const grid = await app.find("[data-testid=history-grid]");
  await grid.click();
  await grid.sendKeys(Key.HOME, Key.ARROW_DOWN, Key.ENTER);
  const raw = await app.find("[data-testid=raw-record]");
  assert.match(await raw.getText(), /[{[]/);
  await app.screenshot("history-detail");
  await grid.sendKeys(Key.ESCAPE);
  await app.driver.wait(async () => (await app.findAll("[data-testid=transaction-detail]")).length === 0, 5000);
});
