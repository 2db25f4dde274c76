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
/** The row the fake will amend: the oldest of the wallet, inside the signed-off month. */
let target;
let through;

before(async () => {
  fakes = await startFakes(["--transactions", "60"]);
  const tmpDb = `${process.env.TMPDIR ?? "/tmp"}/walletbook-review-${process.pid}.sqlite`;
  const flex = fakes.providers.flexprice;
  await cli(tmpDb, "connections", "add", NAME, "--provider", "flexprice", "--base-url", flex.base_url, "--secret", `api_key=${flex.api_key}`);
  await cli(tmpDb, "sync");
  wallet = JSON.parse(await cli(tmpDb, "wallets", "--json")).sort((a, b) => b.transaction_count - a.transaction_count)[0];
  const page = JSON.parse(await cli(tmpDb, "history", "--wallet", String(wallet.id), "--asc", "--limit", "1", "--format", "json", "--zone", "UTC"));
  target = page.rows[0];
  // Sign off through the last day of the month that holds the oldest row.
  const d = new Date(target.occurred_at_utc);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
  through = last.toISOString().slice(0, 10);
  app = await start({ demo: false, db: tmpDb, env: { TZ: "UTC" } });
});

after(async () => {
  await app?.stop();
  fakes?.stop();
});

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
  await (await app.find("[data-testid=note-input]")).sendKeys("Refund agreed with the client by phone");
  await (await app.find("[data-testid=add-note]")).click();
  await app.find("[data-testid=annotations] [data-testid=note]");
  await (await app.find("[data-testid=tag-input]")).sendKeys("to-check", Key.ENTER);
  await app.find("[data-testid=annotations] [data-testid=tag]");
  assert.deepEqual(await app.texts("[data-testid=annotations] [data-testid=tag]"), ["to-check×"]);
  await app.screenshot("review-annotations");
  // The row in the table shows the tag and the note mark.
  await waitFor(async () => (await app.texts("[data-testid=history-row] [data-testid=row-tag]")).includes("to-check"), "tag in the row");
  await grid.click();
  await grid.sendKeys(Key.ESCAPE);
  await waitFor(async () => (await app.findAll("[data-testid=transaction-detail]")).length === 0, "detail closed");
  // Search covers notes.
  await (await app.find("[data-testid=filter-text]")).sendKeys("phone");
  await waitFor(async () => (await app.findAll("[data-testid=history-row]")).length === 1, "one row matches the note");
  await (await app.find("[data-testid=filter-text]")).clear();
  await app.setValue("[data-testid=filter-text]", "");
  await waitFor(async () => (await app.findAll("[data-testid=history-row]")).length > 1, "all rows again");
});

test("2. mark rows reviewed with the keyboard", async () => {
  const grid = await app.find("[data-testid=history-grid]");
  await grid.click();
  await grid.sendKeys(Key.HOME, Key.chord(Key.SHIFT, Key.ARROW_DOWN), Key.chord(Key.SHIFT, Key.ARROW_DOWN), Key.SPACE);
  await waitFor(async () => (await app.findAll("[data-testid=history-row][data-reviewed=true]")).length === 3, "three rows reviewed");
  const [status] = await app.texts("[data-testid=review-status]");
  assert.match(status, /3 rows marked reviewed/);
  await app.screenshot("review-marked");
  // The "not reviewed yet" filter leaves them out.
  await app.select("[data-testid=filter-review]", "not_reviewed");
  await waitFor(async () => {
    const t = await (await app.find("main header p")).getText();
    return /^\d/.test(t) && Number(t.replace(/[^0-9].*$/, "").replace(/\D/g, "")) === wallet.transaction_count - 3;
  }, "three fewer rows");
  await app.select("[data-testid=filter-review]", "");
  await app.open("wallets");
  await waitFor(async () => (await app.texts(`[data-wallet-id="${wallet.id}"] [data-testid=reviewed-count]`))[0]?.startsWith("3 /"), "reviewed count on Wallets");
});

test("3. sign off a month", async () => {
  await app.open("reconciliation");
  const card = `[data-testid=reconcile-wallet][data-wallet-id="${wallet.id}"]`;
  await (await app.find(`${card} [data-testid=signoff-open]`)).click();
  await app.find("[data-testid=signoff-dialog]");
  await app.setValue("[data-testid=signoff-date]", through);
  await app.find("[data-testid=signoff-closing]");
  assert.equal((await app.texts("[data-testid=signoff-zone]"))[0], "UTC");
  if ((await app.findAll("[data-testid=signoff-why]")).length) await (await app.find("[data-testid=signoff-note]")).sendKeys("Breaks explained by the provider's fee rounding");
  await app.screenshot("review-signoff-dialog");
  await (await app.find("[data-testid=signoff-confirm]")).click();
  await waitFor(async () => (await app.findAll("[data-testid=signoff-dialog]")).length === 0, "dialog closed");
  await waitFor(async () => (await (await app.find(`${card} [data-testid=last-signoff]`)).getAttribute("data-through")) === through, "sign-off shown");
  await app.screenshot("review-reconciliation");
});

test("4-5. the provider amends a row; sync reports it and the banner shows before and after", async () => {
  await amendRow(fakes, "flexprice", wallet.provider_wallet_id, target.record_id);
  await app.open("sync");
  await (await app.find(`[data-testid=sync-connection][data-name="${NAME}"] [data-testid=sync-one]`)).click();
  await app.find("[data-testid=sync-result]", 120000);
  await app.find("[data-testid=sync-late-changes]", 20000).catch(async () => {
    // An incremental sync may not re-read so old a row: verify the signed-off periods.
    await app.open("reconciliation");
    await (await app.find("[data-testid=verify-signoffs]")).click();
    await app.find("[data-testid=verify-result]", 120000);
  });
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
  if ((await app.findAll("[data-testid=signoff-why]")).length) await (await app.find("[data-testid=signoff-note]")).sendKeys("Amount corrected by the provider");
  await app.screenshot("review-resign-dialog");
  await (await app.find("[data-testid=signoff-confirm]")).click();
  await waitFor(async () => (await app.findAll("[data-testid=late-changes]")).length === 0, "banner gone");
  await app.open("reconciliation");
  await app.find("[data-testid=last-signoff]");
  assert.equal((await app.findAll("[data-testid=late-changes]")).length, 0);
  await app.screenshot("review-resigned");
});
