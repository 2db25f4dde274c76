// The accountant's review workflow in the real window, against the fake
// providers: annotate a transaction (note and tag), mark rows reviewed with
// the keyboard, sign a month off, let the fake provider amend a row in it,
// sync, see the late-change banner with its before and after, and re-sign.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Key } from "selenium-webdriver";
import { cli, start, startFakes } from "./harness.mjs";

const NAME = "Flexprice review";
let app;
let fakes;
let wallet;
/** The row the fake will amend: the wallet's newest, inside the signed-off month. */
let target;
let through;
/** Rows in the cache (every wallet of the connection). */
let totalRows = 0;

before(async () => {
  fakes = await startFakes(["--transactions", "60"]);
  const tmpDb = `${process.env.TMPDIR ?? "/tmp"}/walletbook-review-${process.pid}.sqlite`;
  const flex = fakes.providers.flexprice;
  await cli(tmpDb, "connections", "add", NAME, "--provider", "flexprice", "--base-url", flex.base_url, "--secret", `api_key=${flex.api_key}`);
  await cli(tmpDb, "sync");
  const wallets = JSON.parse(await cli(tmpDb, "wallets", "--json"));
  totalRows = wallets.reduce((n, w) => n + w.transaction_count, 0);
  wallet = wallets.sort((a, b) => b.transaction_count - a.transaction_count)[0];
  const page = JSON.parse(await cli(tmpDb, "history", "--wallet", String(wallet.id), "--limit", "1", "--format", "json", "--zone", "UTC"));
  target = page.rows[0];
  // Sign off through the last day of the month that holds the newest row (the whole history).
  const d = new Date(target.occurred_at_utc);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
  through = last.toISOString().slice(0, 10);
  app = await start({ demo: false, db: tmpDb, env: { TZ: "UTC", USER: "accountant" } });
});

after(async () => {
  await app?.stop();
  fakes?.stop();
});

/** Ask the fake provider to correct a past row, as providers do (walletbook-fakes' control endpoint). */
async function amendRow(provider, walletId, recordId, amount) {
  const res = await fetch(`${fakes.root}/_control/amend`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider, wallet: walletId, transaction: recordId, amount }),
  });
  assert.ok(res.ok, `the fake refused the amendment: ${res.status} ${await res.text()}`);
}

/** How many elements match, counted in the page (no element handles that a re-render could make stale). */
async function count(css) {
  return app.driver.executeScript("return document.querySelectorAll(arguments[0]).length;", css);
}

async function waitFor(predicate, what, ms = 15000) {
  await app.driver.wait(predicate, ms, what);
}

test("1. add a note and a tag to a transaction", async () => {
  await app.open("history");
  await app.find("[data-testid=history-row]");
  const grid = await app.find("[data-testid=history-grid]");
  await grid.click();
  await grid.sendKeys(Key.HOME, Key.ENTER);
  await app.find("[data-testid=annotations] [data-testid=note-input]");
  await (await app.find("[data-testid=note-input]")).sendKeys("Refund agreed with the client by telephone, ref ZEBRA-42");
  await (await app.find("[data-testid=add-note]")).click();
  await app.find("[data-testid=annotations] [data-testid=note]");
  await (await app.find("[data-testid=tag-input]")).sendKeys("to-check", Key.ENTER);
  await app.find("[data-testid=annotations] [data-testid=tag]");
  assert.deepEqual(await app.texts("[data-testid=annotations] [data-testid=tag-label]"), ["to-check"]);
  await app.screenshot("review-annotations");
  // The row in the table shows the tag and the note mark.
  await waitFor(async () => (await app.texts("[data-testid=history-row] [data-testid=row-tag]")).includes("to-check"), "tag in the row");
  await grid.click();
  await grid.sendKeys(Key.ESCAPE);
  await waitFor(async () => (await count("[data-testid=transaction-detail]")) === 0, "detail closed");
  // Search covers notes.
  await (await app.find("[data-testid=filter-text]")).sendKeys("zebra");
  await waitFor(async () => (await count("[data-testid=history-row]")) === 1, "one row matches the note");
  await (await app.find("[data-testid=filter-text]")).clear();
  await app.setValue("[data-testid=filter-text]", "");
  await waitFor(async () => (await count("[data-testid=history-row]")) > 1, "all rows again");
});

test("2. mark rows reviewed with the keyboard", async () => {
  const grid = await app.find("[data-testid=history-grid]");
  await grid.click();
  await grid.sendKeys(Key.HOME);
  await app.driver.actions().keyDown(Key.SHIFT).sendKeys(Key.ARROW_DOWN, Key.ARROW_DOWN).keyUp(Key.SHIFT).perform();
  await app.driver.actions().sendKeys(Key.SPACE).perform();
  await waitFor(async () => (await count("[data-testid=history-row][data-reviewed=true]")) === 3, "three rows reviewed");
  const [status] = await app.texts("[data-testid=review-status]");
  assert.match(status, /3 rows marked reviewed/);
  await app.screenshot("review-marked");
  // The "not reviewed yet" filter leaves them out.
  await app.select("[data-testid=filter-review]", "not_reviewed");
  await waitFor(async () => {
    const t = await (await app.find("main header p")).getText();
    return /match/.test(t) && Number(t.split(" ")[0].replace(/\D/g, "")) === totalRows - 3;
  }, "three fewer rows");
  await app.select("[data-testid=filter-review]", "");
  await app.open("wallets");
  // The three newest rows may be in different wallets: the counts add up to three.
  await waitFor(async () => {
    const counts = await app.texts("[data-testid=reviewed-count]");
    return counts.length > 0 && counts.reduce((n, c) => n + Number(c.split("/")[0].replace(/\D/g, "")), 0) === 3;
  }, "reviewed counts on Wallets");
  await app.screenshot("review-wallets-reviewed");
});

test("3. sign off a month", async () => {
  await app.open("reconciliation");
  const card = `[data-testid=reconcile-wallet][data-wallet-id="${wallet.id}"]`;
  await (await app.find(`${card} [data-testid=signoff-open]`)).click();
  await app.find("[data-testid=signoff-dialog]");
  await app.setValue("[data-testid=signoff-date]", through);
  await app.find("[data-testid=signoff-closing]");
  assert.equal((await app.texts("[data-testid=signoff-zone]"))[0], "UTC");
  if ((await count("[data-testid=signoff-why]"))) await (await app.find("[data-testid=signoff-note]")).sendKeys("Breaks explained by the provider's fee rounding");
  await app.screenshot("review-signoff-dialog");
  await (await app.find("[data-testid=signoff-confirm]")).click();
  await waitFor(async () => (await count("[data-testid=signoff-dialog]")) === 0, "dialog closed");
  await waitFor(async () => (await (await app.find(`${card} [data-testid=last-signoff]`)).getAttribute("data-through")) === through, "sign-off shown");
  await app.screenshot("review-reconciliation");
});

test("4-5. the provider amends a row; sync reports it and the banner shows before and after", async () => {
  const newAmount = (Math.abs(Number(target.amount)) + 1.25).toFixed(2);
  await amendRow("flexprice", wallet.provider_wallet_id, target.record_id, newAmount);
  await app.open("sync");
  await (await app.find(`[data-testid=sync-connection][data-name="${NAME}"] [data-testid=sync-one]`)).click();
  await app.find("[data-testid=sync-result]", 120000);
  const [late] = await app.texts("[data-testid=sync-late-changes]");
  assert.match(late ?? "", /1 late change in signed-off periods/);
  await app.screenshot("review-sync-late");
  await app.open("wallets");
  await app.find("[data-testid=late-change]");
  const texts = await app.texts("[data-testid=late-change]");
  assert.equal(texts.length, 1, texts.join("\n"));
  assert.match(texts[0], new RegExp(target.record_id));
  const before = await app.texts("[data-testid=late-change] [data-testid=before]");
  const afterV = await app.texts("[data-testid=late-change] [data-testid=after]");
  assert.ok(before.length > 0 && before.some((b, i) => b !== afterV[i]), `before ${before} after ${afterV}`);
  await app.screenshot("review-late-banner");
});

test("6. re-sign resolves the late change", async () => {
  await (await app.find("[data-testid=late-change] [data-testid=resign]")).click();
  await app.find("[data-testid=signoff-dialog]");
  assert.equal(await (await app.find("[data-testid=signoff-date]")).getAttribute("value"), through);
  await app.find("[data-testid=signoff-closing]");
  if ((await count("[data-testid=signoff-why]"))) await (await app.find("[data-testid=signoff-note]")).sendKeys("Amount corrected by the provider");
  await app.screenshot("review-resign-dialog");
  await (await app.find("[data-testid=signoff-confirm]")).click();
  await waitFor(async () => (await count("[data-testid=late-changes]")) === 0, "banner gone");
  await app.open("reconciliation");
  await app.find("[data-testid=last-signoff]");
  assert.equal((await count("[data-testid=late-changes]")), 0);
  // Verifying the signed-off periods with the provider finds nothing new.
  await (await app.find("[data-testid=verify-signoffs]")).click();
  await app.find("[data-testid=verify-result]", 120000);
  assert.match((await app.texts("[data-testid=verify-result]"))[0], /nothing changed/);
  await app.screenshot("review-resigned");
});

test("summaries mark the signed-off months", async () => {
  await app.open("summaries");
  await app.find("[data-testid=summary-rows] [data-testid=signed-off]");
  const marked = await app.driver.executeScript(
    "return [...document.querySelectorAll('[data-testid=summary-rows] tbody tr')].filter((r) => r.querySelector('[data-testid=signed-off]')).map((r) => r.cells[0].textContent.trim());",
  );
  assert.ok(marked.some((p) => p.startsWith(through.slice(0, 7))), `the signed-off month is marked: ${marked}`);
  await app.driver.executeScript("document.querySelector('[data-testid=summary-rows] [data-testid=signed-off]').scrollIntoView({ block: 'center' });");
  await app.screenshot("review-summaries");
});
