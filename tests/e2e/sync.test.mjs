// The Sync screen with five connections (one per provider) against fake
// providers that answer slowly: how many connections sync at once is a
// remembered setting, Cancel stops every running connection and keeps what
// was stored, and a sync shows every connection and the overall bar with
// the time left while it runs, never going back, to 100%, with no more
// connections under way at once than the setting says.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { cli, start, startFakes } from "./harness.mjs";

let app;
let fakes;
let home;
const NAMES = ["spaaza", "flexprice", "papaya", "exlr8", "baanx"];
// Secret fields per provider (the rest of the fake's fields are settings).
const SECRETS = new Set(["token_id", "token_secret", "api_key", "client_secret", "access_token"]);

before(async () => {
  fakes = await startFakes(["--latency-ms", "200", "--transactions", "200"]);
  home = mkdtempSync(path.join(os.tmpdir(), "walletbook-e2e-sync-"));
  const db = path.join(home, "cache.sqlite");
  for (const name of NAMES) {
    const { base_url, ...fields } = fakes.providers[name];
    const args = Object.entries(fields).flatMap(([k, v]) => [SECRETS.has(k) ? "--secret" : "--set", `${k}=${v}`]);
    await cli(db, "connections", "add", `${name} (fake)`, "--provider", name, "--base-url", base_url, ...args);
  }
  // The preferences file goes to this config folder, not the user's.
  app = await start({ demo: false, db, env: { XDG_CONFIG_HOME: path.join(home, "config") } });
});

after(async () => {
  await app?.stop();
  fakes?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const result = (name) => `[data-testid=sync-connection][data-name="${name} (fake)"] [data-testid=sync-result] .pill`;

/** The overall bar's state, read in the page (null before the first event). */
const overall = () =>
  app.driver.executeScript(`
    const bar = document.querySelector('[data-testid=sync-overall-bar]');
    if (!bar) return null;
    return { now: Number(bar.getAttribute('aria-valuenow')), spoken: bar.getAttribute('aria-valuetext'),
             left: document.querySelector('[data-testid=sync-time-left]').textContent.trim(),
             text: document.querySelector('[data-testid=sync-overall-text]').textContent.trim(),
             // Under way and holding a slot: a connection whose provider prepares its export lends its slot.
             running: document.querySelectorAll('[data-testid=sync-connection][data-phase]:not([data-phase=done]):not([data-phase=preparing])').length,
             syncing: !!document.querySelector('[data-testid=cancel-sync]') };`);

test("connections at once is a setting the app remembers", async () => {
  await app.open("sync");
  const input = await app.find("[data-testid=sync-concurrency]");
  await app.driver.wait(async () => (await input.getAttribute("value")) === "4", 10000, "the default, 4, is shown");
  await app.setValue("[data-testid=sync-concurrency]", "40");
  const [problem] = await app.texts("[data-testid=sync-concurrency-problem]");
  assert.equal(problem, "Connections synced at once must be a whole number from 1 to 32, not 40.");
  await app.setValue("[data-testid=sync-concurrency]", "5");
  const file = path.join(home, "config", "walletbook", "preferences.json");
  await app.driver.wait(async () => existsSync(file) && JSON.parse(readFileSync(file, "utf8")).sync_concurrency === 5, 10000, "saved");
  assert.equal((await app.findAll("[data-testid=sync-concurrency-problem]")).length, 0);
});

test("Cancel stops every running connection and keeps what was stored", async () => {
  await (await app.find("[data-testid=sync-all]")).click();
  // Cancel while several run at once and a wallet has finished somewhere.
  await app.driver.wait(async () => {
    const o = await overall();
    return o && o.running >= 3 && !o.left.startsWith("estimating");
  }, 60000, "connections running at once and a wallet finished");
  await app.screenshot("sync-before-cancel");
  await (await app.find("[data-testid=cancel-sync]")).click();
  await app.find("[data-testid=sync-all]", 60000);
  const statuses = [];
  for (const name of NAMES) statuses.push(...(await app.texts(result(name))));
  assert.equal(statuses.length, 5, statuses.join(","));
  assert.ok(statuses.every((s) => s === "Cancelled" || s === "Synced"), statuses.join(","));
  assert.ok(statuses.filter((s) => s === "Cancelled").length >= 2, `the running ones stopped: ${statuses}`);
  // The overall bar stopped where the cancel found it and says so.
  const o = await overall();
  assert.ok(o.now < 100, `a cancelled sync is not complete: ${o.text}`);
  assert.match(o.text, /· cancelled after \d+ s$/);
  await app.screenshot("sync-cancelled");
  const stored = JSON.parse(await cli(app.db, "wallets", "--json")).reduce((n, w) => n + w.transaction_count, 0);
  assert.ok(stored > 0, "what was stored before the cancel stays");
});

test("every connection and the overall bar with the time left, to 100%, two connections at a time", async () => {
  // The setting reaches the engine: never more than two connections under way.
  await app.setValue("[data-testid=sync-concurrency]", "2");
  const file = path.join(home, "config", "walletbook", "preferences.json");
  await app.driver.wait(async () => JSON.parse(readFileSync(file, "utf8")).sync_concurrency === 2, 10000, "saved");
  await (await app.find("[data-testid=sync-all]")).click();
  const seen = [];
  let shot = false;
  for (let i = 0; i < 1200; i++) {
    const o = await overall();
    if (o) seen.push(o);
    if (o && !shot && o.syncing && o.running >= 2 && o.now > 0 && o.now < 100 && /left$/.test(o.left)) {
      await app.screenshot("sync-overall-running");
      shot = true;
    }
    if (o && !o.syncing) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(shot, `the bar was seen mid-sync with a time left: ${JSON.stringify(seen.slice(-3))}`);
  assert.equal(Math.max(...seen.filter((o) => o.syncing).map((o) => o.running)), 2, "two connections at a time");
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].now >= seen[i - 1].now, `went back: ${JSON.stringify(seen.slice(i - 1, i + 1))}`);
  const last = seen[seen.length - 1];
  assert.equal(last.now, 100);
  assert.match(last.spoken, /^100%, took \d+ s$/);
  assert.match(last.text, /^100% · 5 of 5 connections, (\d+) of \1 wallets done · took \d+ s$/);
  for (const name of NAMES) assert.deepEqual(await app.texts(result(name)), ["Synced"], name);
  await app.screenshot("sync-overall-done");
});
