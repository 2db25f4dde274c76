// Team mode: the real app on a shared PostgreSQL cache. The demo workspace
// is loaded into a fresh database on the private server scripts/test.sh
// starts (WALLETBOOK_TEST_PG) and, as ground truth, into an SQLite file.
// Two app processes (two desks) open the PostgreSQL cache at once and show
// the same history and summaries as each other and as the SQLite twin; a
// third starts on a local file and switches through "Open a shared cache…".

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { cli, start } from "./harness.mjs";

const execFileP = promisify(execFile);
const ADMIN = process.env.WALLETBOOK_TEST_PG;
const tmp = mkdtempSync(path.join(os.tmpdir(), "walletbook-e2e-pg-"));
let url;
let total = 0;
let twin;
let desks = [];

function databaseUrl(name) {
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
}

before(async () => {
  assert.ok(ADMIN, "WALLETBOOK_TEST_PG is not set: run the e2e tests through scripts/test.sh, which starts a private PostgreSQL server");
  const name = `wb_e2e_${process.pid}`;
  await execFileP("psql", [ADMIN, "-v", "ON_ERROR_STOP=1", "-c", `DROP DATABASE IF EXISTS ${name}`, "-c", `CREATE DATABASE ${name}`]);
  url = databaseUrl(name);
  await cli(url, "demo");
  twin = path.join(tmp, "twin.sqlite");
  await cli(twin, "demo");
  const wallets = JSON.parse(await cli(url, "wallets", "--json"));
  total = wallets.reduce((n, w) => n + w.transaction_count, 0);
  const twinTotal = JSON.parse(await cli(twin, "wallets", "--json")).reduce((n, w) => n + w.transaction_count, 0);
  assert.ok(total > 1000, `the demo filled the shared cache (${total} rows)`);
  assert.equal(total, twinTotal, "the shared cache holds what the same demo puts in an SQLite file");
  desks = [await start({ demo: false, db: url }), await start({ demo: false, db: url })];
});

after(async () => {
  for (const d of desks) await d?.stop();
});

const shownCount = async (app) => {
  const t = await (await app.find("main header p")).getText();
  return /transaction/.test(t) ? Number(t.split(" transaction")[0].replace(/[^0-9]/g, "")) : -1;
};

test("both desks show the shared cache's whole history", async () => {
  for (const [i, app] of desks.entries()) {
    await app.open("history");
    await app.find("[data-testid=history-row]");
    await app.driver.wait(async () => (await shownCount(app)) === total, 20000, `desk ${i + 1} counts ${total} rows`);
    const first = await app.texts("[data-testid=history-row]");
    assert.ok(first.length > 10, "rows are listed");
    await app.screenshot(`shared-history-desk-${i + 1}`);
  }
  const [a, b] = await Promise.all(desks.map((d) => d.texts("[data-testid=history-row]")));
  assert.deepEqual(a.slice(0, 10), b.slice(0, 10), "both desks list the same newest rows");
});

const totalsOnScreen = (app) =>
  app.driver.executeScript(`return [...document.querySelectorAll('[data-testid=total-row]')].map((r) => ({
      period: r.dataset.period, currency: r.dataset.currency,
      credits: r.querySelector('[data-field=credits]').textContent.trim(),
      debits: r.querySelector('[data-field=debits]').textContent.trim() }));`);

test("summaries on both desks equal the same demo summed on SQLite", async () => {
  const seen = [];
  for (const app of desks) {
    await app.open("summaries");
    await app.find("[data-testid=total-row]", 20000);
    seen.push(await totalsOnScreen(app));
  }
  assert.deepEqual(seen[0], seen[1], "both desks show the same totals");
  const zone = await desks[0].driver.executeScript("return document.querySelector('[data-testid=summary-zone]').value");
  const truth = JSON.parse(await cli(twin, "summary", "--format", "json", "--zone", zone));
  const shared = JSON.parse(await cli(url, "summary", "--format", "json", "--zone", zone));
  assert.deepEqual(shared.totals, truth.totals, "the CLI on the shared cache sums exactly what SQLite sums");
  assert.equal(seen[0].length, truth.totals.length, "one row per month and currency");
  const periods = seen[0].map((r) => `${r.period} ${r.currency.toUpperCase()}`).sort();
  assert.deepEqual(periods, truth.totals.map((t) => `${t.period} ${t.currency.toUpperCase()}`).sort());
  await desks[0].screenshot("shared-summaries");
});

test("a desk on a local file switches to the shared cache through Open a shared cache…", async () => {
  const config = path.join(tmp, "config");
  const app = await start({ demo: false, env: { XDG_CONFIG_HOME: config } });
  desks.push(app);
  await app.open("about");
  await (await app.find("[data-testid=open-shared-cache]")).click();
  await (await app.find("[data-testid=shared-cache-url]")).sendKeys(url);
  await (await app.find("[data-testid=shared-cache-test]")).click();
  await app.driver.wait(async () => /a Walletbook cache, ready to open/.test((await app.texts("[data-testid=shared-cache-verdict]"))[0] ?? ""), 15000, "the connection test answers");
  await app.screenshot("shared-cache-dialog");
  await (await app.find("[data-testid=shared-cache-open]")).click();
  // The window reloads (every screen then reads the shared cache); About says where it is.
  await app.driver.wait(async () => {
    try {
      await app.open("about");
      return /team's cache/.test((await app.texts("[data-testid=cache-location-text]"))[0] ?? "");
    } catch {
      return false;
    }
  }, 30000, "the window reloads on the shared cache");
  await app.open("history");
  await app.driver.wait(async () => (await shownCount(app)) === total, 20000, "the history is the shared one");
  await app.screenshot("shared-cache-switched");
});
