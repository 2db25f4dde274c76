// A new user's first run against the fake providers: add a connection in the
// window (its secret goes to the real Secret Service), test it, sync it with
// the progress bar, and see the wallets it brought in.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { start, startFakes } from "./harness.mjs";

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
  assert.equal(result, "ok");
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
