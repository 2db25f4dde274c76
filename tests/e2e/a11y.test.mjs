// Accessibility: axe-core (the npm package, pinned in package.json) injected
// into the real window on every screen, on the demo workspace, in the light
// and the dark theme. Any violation, of any impact, fails the test and is
// listed with its rule, impact and the first elements it names.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, describe, test } from "node:test";
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
      });
    }
  });
}
