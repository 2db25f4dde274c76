// Accessibility: axe-core (the npm package, pinned in package.json) injected
// into the real window on every screen, on the demo workspace, in the light
// and the dark theme. Any violation, of any impact, fails the test and is
// listed with its rule, impact and the first elements it names. In the
// light theme each screen is also walked with Tab alone: every control is
// reached and shows a focus ring.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, describe, test } from "node:test";
import { Key } from "selenium-webdriver";
import { start } from "./harness.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SCREENS = ["wallets", "connections", "sync", "history", "summaries", "reconciliation", "export", "about"];
// What each screen shows once its data is there (axe then sees the real content).
const READY = {
  history: "[data-testid=history-row]",
  summaries: "main table, main [data-testid=empty-state]",
  wallets: "[data-testid=wallet-row]",
  about: "[data-testid=about-version]",
};

/** Run axe on the whole document; returns its violations, trimmed for printing. */
async function scan(app) {
  await app.driver.executeScript(`if (!window.axe) { ${AXE_SOURCE}\n }`);
  const result = await app.driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    window.axe
      .run(document, { resultTypes: ["violations", "passes"] })
      .then((r) => done(r.passes.length === 0 ? [{ id: "axe-ran-nothing", impact: "critical", help: "axe checked no rule", nodes: 0, targets: [] }] : r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.length,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(1, 2).join(" ").trim()),
      }))))
      .catch((e) => done([{ id: "axe-error", impact: "critical", help: String(e), nodes: 0, targets: [] }]));
  `);
  return result;
}

// Everything a person can act on, in the window as rendered.
const INTERACTIVE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex='0']";

/**
 * Tab through the screen from the top: every interactive element is reached,
 * and each shows a focus ring (an outline) while focused.
 */
async function tabThrough(app) {
  const total = await app.driver.executeScript(
    // A radio group is one Tab stop (its checked radio; arrows move inside it).
    `const radioStop = (e) => e.type !== "radio" || e.checked || !document.querySelector(\`input[type=radio][name="\${e.name}"]:checked\`);
     const all = [...document.querySelectorAll(arguments[0])].filter((e) => e.getClientRects().length > 0 && radioStop(e));
     all.forEach((e, i) => (e.dataset.a11yIndex = String(i)));
     document.activeElement?.blur();
     return all.length;`,
    INTERACTIVE,
  );
  const reached = new Set();
  const noRing = [];
  // Date inputs take one Tab per field (month, day, year): allow for them.
  for (let step = 0; step < total * 3 + 5 && reached.size < total; step++) {
    await app.driver.actions().sendKeys(Key.TAB).perform();
    const seen = await app.driver.executeScript(`
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const s = getComputedStyle(e);
      const ring = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
      return { index: e.dataset.a11yIndex ?? null, ring, what: e.outerHTML.slice(0, 80) };`);
    if (!seen) continue;
    if (seen.index !== null) reached.add(seen.index);
    if (!seen.ring) noRing.push(seen.what);
  }
  const missed = await app.driver.executeScript(
    "return [...document.querySelectorAll('[data-a11y-index]')].filter((e) => !arguments[0].includes(e.dataset.a11yIndex)).map((e) => e.outerHTML.slice(0, 80));",
    [...reached],
  );
  return { total, missed, noRing };
}

function report(screen, theme, violations) {
  return violations
    .map((v) => `${theme}/${screen}: ${v.id} (${v.impact}) on ${v.nodes} node(s): ${v.help}\n    ${v.targets.join("\n    ")}`)
    .join("\n");
}

for (const theme of ["light", "dark"]) {
  describe(`axe-core finds no violation on any screen (${theme})`, () => {
    let app;
    const env = theme === "dark" ? { GTK_THEME: "Adwaita:dark" } : { GTK_THEME: "Adwaita" };

    after(async () => {
      await app?.stop();
    });

    for (const screen of SCREENS) {
      test(`${screen} (${theme})`, async () => {
        app ??= await start({ demo: true, env });
        await app.open(screen);
        await app.find("main h1");
        if (READY[screen]) await app.find(READY[screen]).catch(() => {});
        await app.screenshot(`a11y-${theme}-${screen}`);
        const violations = await scan(app);
        if (violations.length) console.log(report(screen, theme, violations));
        assert.deepEqual(violations.map((v) => `${v.id} (${v.impact}) x${v.nodes}`), [], report(screen, theme, violations));
        if (theme === "light") {
          const keys = await tabThrough(app);
          assert.ok(keys.total > 0, "the screen has something to act on");
          assert.deepEqual(keys.missed, [], `${screen}: not reachable with Tab`);
          assert.deepEqual(keys.noRing, [], `${screen}: focused without a visible focus ring`);
        }
      });
    }

    // The review workflow's overlays: a row's notes and tags, the sign-off dialog, a wallet's notes.
    test(`review overlays (${theme})`, async () => {
      app ??= await start({ demo: true, env });
      const check = async (name) => {
        await app.screenshot(`a11y-${theme}-${name}`);
        const violations = await scan(app);
        assert.deepEqual(violations.map((v) => `${v.id} (${v.impact}) x${v.nodes}`), [], report(name, theme, violations));
      };
      await app.open("history");
      const grid = await app.find("[data-testid=history-grid]");
      await grid.click();
      await grid.sendKeys(Key.HOME, Key.ENTER);
      await app.find("[data-testid=annotations] [data-testid=note-input]");
      await check("history-annotations");
      await grid.sendKeys(Key.ESCAPE);
      await app.open("reconciliation");
      await (await app.find("[data-testid=signoff-open]")).click();
      await app.find("[data-testid=signoff-dialog] [data-testid=signoff-confirm]");
      await app.find("[data-testid=signoff-closing], [data-testid=signoff-dialog] .err", 15000);
      await check("signoff-dialog");
      await app.driver.actions().sendKeys(Key.ESCAPE).perform();
      await app.open("wallets");
      await (await app.find("[data-testid=wallet-notes]")).click();
      await app.find("[data-testid=wallet-notes-dialog]");
      await check("wallet-notes-dialog");
      await app.driver.actions().sendKeys(Key.ESCAPE).perform();
    });
  });
}
