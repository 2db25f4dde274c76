// Light and dark follow the system: with GTK's dark theme the window turns
// dark, with nothing else changed.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

let app;

before(async () => {
  app = await start({ demo: true, env: { GTK_THEME: "Adwaita:dark" } });
});

after(async () => {
  await app?.stop();
});

test("a dark system theme gives a dark window", async () => {
  await app.find("[data-testid=wallet-row], [data-testid=empty-state]");
  const dark = await app.driver.executeScript("return matchMedia('(prefers-color-scheme: dark)').matches");
  assert.equal(dark, true, "the webview reports the dark scheme");
  const bg = await app.driver.executeScript("return getComputedStyle(document.body).backgroundColor");
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 200, `dark background, got ${bg}`);
  await app.screenshot("dark-wallets");
  await app.open("history");
  await app.find("[data-testid=history-row], [data-testid=empty-state]");
  await app.screenshot("dark-history");
});
