// A new user's first run against the fake providers: add a connection in the
// window (its secret goes to the real Secret Service), test it, sync it with
// the progress bar, and see the wallets it brought in.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Key } from "selenium-webdriver";
import { cli, start, startFakes } from "./harness.mjs";

let app;
let fakes;
const NAME = "Flexprice (fake)";

before(async () => {
  fakes = await startFakes(["--transactions", "400"]);
  app = await start({ demo: false });
});

after(async () => {
  await app?.stop();
  fakes?.stop();
});

test("add a connection through the form", async () => {
  await app.open("connections");
  await (await app.find("[data-testid=add-connection]")).click();
  await app.select("[data-testid=field-provider]", "flexprice");
  const flex = fakes.providers.flexprice;
  await (await app.find("[data-testid=field-name]")).sendKeys(NAME);
  await (await app.find("[data-testid=field-base_url]")).sendKeys(flex.base_url);
  await (await app.find("[data-testid=field-api_key]")).sendKeys(flex.api_key);
  await app.screenshot("connections-form");
  await (await app.find("[data-testid=save-connection]")).click();
  await app.find(`[data-testid=connection][data-name="${NAME}"]`);
  const cards = await app.texts("[data-testid=connection] h2");
  assert.deepEqual(cards, [NAME]);
});

test("test connection answers in plain words, with the secret from the keychain", async () => {
  await (await app.find(`[data-testid=connection][data-name="${NAME}"] [data-testid=test-connection]`)).click();
  await app.find("[data-testid=test-result]");
  const [result] = await app.texts("[data-testid=test-result]");
  assert.match(result, /^✓/, result);
  await app.screenshot("connections");
});

test("sync shows progress and the result", async () => {
  await app.open("sync");
  await (await app.find(`[data-testid=sync-connection][data-name="${NAME}"] [data-testid=sync-one]`)).click();
  // The bar shows while the sync runs (it may finish quickly on loopback).
  await app.driver.wait(
    async () => (await app.findAll("[data-testid=sync-progress], [data-testid=sync-result]")).length > 0,
    15000,
    "progress or result shown",
  );
  await app.screenshot("sync-running");
  await app.find("[data-testid=sync-result]", 120000);
  const [result] = await app.texts("[data-testid=sync-result] .pill");
  assert.equal(result, "Synced");
  // Progress events reached the window over the IPC channel, to the last one.
  const phase = await app.driver.executeScript(
    `return document.querySelector('[data-testid=sync-connection][data-name="${NAME}"]').dataset.phase`,
  );
  assert.equal(phase, "done");
  await app.screenshot("sync");
});

test("the synced wallets appear with their balances", async () => {
  await app.open("wallets");
  await app.find("[data-testid=wallet-row]");
  const rows = await app.findAll("[data-testid=wallet-row]");
  assert.ok(rows.length > 0);
  const pills = await app.texts("[data-testid=wallet-row] .pill");
  assert.ok(pills.every((p) => p === "Synced"), pills.join(","));
  await app.screenshot("wallets-synced");
});

test("find a synced transaction: filter the history and open its row", async () => {
  await app.open("history");
  await app.find("[data-testid=history-row]");
  await app.select("[data-testid=filter-direction]", "debit");
  await app.driver.wait(async () => {
    const amounts = await app.texts("[data-testid=history-row] [data-testid=amount]");
    return amounts.length > 0 && amounts.every((a) => a.startsWith("-"));
  }, 15000, "only debits listed");
  const grid = await app.find("[data-testid=history-grid]");
  await grid.click();
  await grid.sendKeys(Key.HOME, Key.ENTER);
  const raw = await app.find("[data-testid=raw-record]");
  const [record] = await app.texts("[data-testid=raw-record]");
  assert.match(record, /"id"|"amount"/, "the provider's own record");
  assert.ok(await raw.isDisplayed());
  await app.screenshot("history-synced-detail");
  await grid.sendKeys(Key.ESCAPE);
  await app.select("[data-testid=filter-direction]", "");
});

test("a sync that cannot reach the provider says so", async () => {
  const offline = "Flexprice (offline)";
  await app.open("connections");
  await (await app.find("[data-testid=add-connection]")).click();
  await app.select("[data-testid=field-provider]", "flexprice");
  await (await app.find("[data-testid=field-name]")).sendKeys(offline);
  // Port 9 on loopback: nothing listens, as when the network is off.
  await (await app.find("[data-testid=field-base_url]")).sendKeys("http://127.0.0.1:9/v1");
  await (await app.find("[data-testid=field-api_key]")).sendKeys("key");
  await (await app.find("[data-testid=save-connection]")).click();
  await app.find(`[data-testid=connection][data-name="${offline}"]`);
  await app.open("sync");
  await (await app.find(`[data-testid=sync-connection][data-name="${offline}"] [data-testid=sync-one]`)).click();
  const result = `[data-testid=sync-connection][data-name="${offline}"] [data-testid=sync-result]`;
  await app.find(result, 120000);
  const [text] = await app.texts(result);
  assert.match(text, /Failed/);
  assert.match(text, /could not be reached|network/i, text);
  await app.screenshot("sync-offline");
  // The cached data is untouched and still readable.
  await app.open("wallets");
  assert.ok((await app.findAll("[data-testid=wallet-row]")).length > 0);
  // The sync log says why the run failed.
  await app.open("sync");
  await app.find("[data-testid=run][data-status=failed] [data-testid=run-message]");
  const [why] = await app.texts("[data-testid=run][data-status=failed] [data-testid=run-message]");
  assert.match(why, /could not be reached|network/i, why);
  await app.screenshot("sync-log-failed");
});

// --- Reading the synced data: a month's totals, then a statement file. ---

const plain = (money) => {
  // "$1,234.50" / "-€0.10" -> "1234.5" / "-0.1": digits only, exact.
  const neg = /-/.test(money);
  const s = money.replace(/[^0-9.]/g, "").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  return (neg && !/^0$/.test(s) ? "-" : "") + s;
};
let month;

/** A decimal string as an integer of 10^-28 units: exact, no float anywhere. */
const scaled = (d) => {
  const [i, f = ""] = d.replace("-", "").split(".");
  const v = BigInt(i + f.padEnd(28, "0"));
  return d.startsWith("-") ? -v : v;
};

/** "YYYY-MM" of an RFC 3339 instant in an IANA zone, as the Summaries screen names months. */
function monthIn(zone, at) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit" }).formatToParts(new Date(at));
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get("year")}-${get("month")}`;
}

test("a month's totals on the Summaries screen match the fake's own data", async () => {
  // The ground truth comes from the fake (FakeHandle::expected and its
  // completed rows), not from the cache: the figures are summed here.
  const [walletExt, truth] = Object.entries(fakes.expected.flexprice)[0];
  const wallet = JSON.parse(await cli(app.db, "wallets", "--json")).find((w) => w.provider_wallet_id === walletExt);
  assert.ok(wallet, `the fake's wallet ${walletExt} was synced`);
  await app.open("summaries");
  await app.find("[data-testid=total-row]");
  const zone = await app.driver.executeScript("return document.querySelector('[data-testid=summary-zone]').value");
  const months = new Map();
  for (const [at, dir, amount] of truth.completed) {
    const m = monthIn(zone, at);
    const t = months.get(m) ?? { credits: 0n, debits: 0n };
    t[dir === "credit" ? "credits" : "debits"] += scaled(amount);
    months.set(m, t);
  }
  const busy = [...months].filter(([, t]) => t.credits > 0n && t.debits > 0n);
  const [period, want] = busy[Math.floor(busy.length / 2)];
  assert.ok(want.credits > 0n && want.debits > 0n, `${period} moves money both ways`);
  // Sanity: the rows the fake printed add up to its own wallet totals.
  const all = [...months.values()].reduce((a, t) => ({ credits: a.credits + t.credits, debits: a.debits + t.debits }), { credits: 0n, debits: 0n });
  assert.equal(all.credits, scaled(truth.credits));
  assert.equal(all.debits, scaled(truth.debits));

  await app.select("[data-testid=summary-wallet]", String(wallet.id));
  const read = () =>
    app.driver.executeScript(`
      const r = [...document.querySelectorAll('[data-testid=total-row]')].find((r) => r.dataset.period === arguments[0]
        && r.dataset.currency.toUpperCase() === arguments[1].toUpperCase());
      if (!r) return null;
      const f = (k) => r.querySelector('[data-field=' + k + ']').textContent.trim();
      return { period: r.dataset.period, currency: r.dataset.currency, start: r.dataset.start, end: r.dataset.end,
               credits: f('credits'), debits: f('debits') };`, period, truth.currency);
  let shown = null;
  const matches = (row) => row && scaled(plain(row.credits)) === want.credits && scaled(plain(row.debits)) === want.debits;
  await app.driver.wait(async () => matches((shown = await read())), 15000).catch(() => {});
  assert.ok(shown, `the screen lists ${period} ${truth.currency} for wallet ${walletExt}`);
  assert.equal(scaled(plain(shown.credits)), want.credits, `credits of ${period}: screen ${shown.credits}`);
  assert.equal(scaled(plain(shown.debits)), want.debits, `debits of ${period}: screen ${shown.debits}`);
  month = { ...shown, walletId: wallet.id };
  await app.screenshot("summaries");
});

test("a statement saved through the native dialog has the right rows and totals", async () => {
  await app.open("export");
  await app.select("[data-testid=export-wallet]", String(month.walletId));
  await app.setValue("[data-testid=export-from]", month.start);
  await app.setValue("[data-testid=export-to]", month.end);
  await app.screenshot("export");
  const file = path.join(app.tmp, "statement.csv");
  await (await app.find("[data-testid=export-run]")).click();
  await app.answerSaveDialog("Save the CSV", file);
  await app.find("[data-testid=export-outcome]", 60000);
  const [outcome] = await app.texts("[data-testid=export-outcome]");
  assert.match(outcome, /^Saved \d+ rows? to /, outcome);
  await app.screenshot("export-saved");

  const records = parseCsv(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
  const headerAt = records.findIndex((r) => r[0] === "date");
  const head = Object.fromEntries(records.slice(0, headerAt).filter((r) => r.length >= 2));
  const rows = records.slice(headerAt + 1).filter((r) => r.length > 1);
  const written = Number(outcome.match(/Saved (\d+)/)[1]);
  assert.equal(rows.length, written, "one record per transaction");
  assert.equal(Number(head.Count), written);
  // The amounts add up to the statement's net, exactly (integers of 10^-28).
  const amountAt = records[headerAt].indexOf("amount");
  const sum = rows.reduce((acc, r) => acc + scaled(r[amountAt]), 0n);
  const fees = scaled(head.Fees ?? "0");
  assert.equal(sum - fees, scaled(head.Net), "amounts minus fees equal the net");
});

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text) {
  const out = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field), out.push(row), (row = []), (field = "");
    } else field += c;
  }
  if (field || row.length) row.push(field), out.push(row);
  return out;
}

test("a connection can be edited and removed", async () => {
  const offline = "Flexprice (offline)";
  await app.open("connections");
  const card = `[data-testid=connection][data-name="${offline}"]`;
  await (await app.find(`${card} [data-testid=edit-connection]`)).click();
  const url = await app.find("[data-testid=field-base_url]");
  await url.clear();
  await url.sendKeys("http://127.0.0.1:10/v1");
  // The stored secret is kept: the field says so and may stay empty.
  const key = await app.find("[data-testid=field-api_key]");
  assert.match(await key.getAttribute("placeholder"), /keychain/);
  await (await app.find("[data-testid=save-connection]")).click();
  await app.driver.wait(async () => (await app.texts(`${card} .mono`))[0] === "http://127.0.0.1:10/v1", 10000, "new base URL shown");
  await (await app.find(`${card} [data-testid=remove-connection]`)).click();
  await (await app.find(`${card} [data-testid=confirm-remove]`)).click();
  await app.driver.wait(async () => (await app.findAll(card)).length === 0, 10000, "connection removed");
  assert.deepEqual(await app.texts("[data-testid=connection] h2"), [NAME]);
});
