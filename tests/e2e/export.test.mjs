// Export as a new user would: a month's statement of a demo wallet saved as
// XLSX and as PDF through the real native save dialog. The XLSX is read back
// by LibreOffice (numbers are numbers, dates are dates), the PDF by poppler
// (the statement's figures are in its text), and page 1 of the PDF is
// rendered into tests/e2e/output/ as export-statement-page1.png.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { cli, OUTPUT, start } from "./harness.mjs";

const run = promisify(execFile);
const FROM = "2025-03-01";
const TO = "2025-03-31";
let app;
let wallet;

before(async () => {
  app = await start({ demo: true });
  assert.ok(app.demoLoaded, "the demo workspace is loaded");
  wallet = app.wallets.find((w) => w.currency === "EUR" && w.transaction_count > 0) ?? app.wallets[0];
});

after(async () => {
  await app?.stop();
});

/** Pick the statement, the month and the format, then save through the dialog. */
async function saveStatement(format, file) {
  await app.open("export");
  await (await app.find("[data-testid=mode-statement]")).click();
  await app.select("[data-testid=export-wallet]", String(wallet.id));
  await app.setValue("[data-testid=export-from]", FROM);
  await app.setValue("[data-testid=export-to]", TO);
  await app.select("[data-testid=export-format]", format);
  await app.screenshot(`export-${format}`);
  await (await app.find("[data-testid=export-run]")).click();
  await app.answerSaveDialog(`Save the ${format.toUpperCase()}`, file);
  await app.driver.wait(async () => (await app.texts("[data-testid=export-outcome]")).length > 0, 60000, "export finished");
  const [outcome] = await app.texts("[data-testid=export-outcome]");
  assert.match(outcome, /^Saved \d+ rows? to /, outcome);
  assert.ok(existsSync(file), `${file} written`);
  return Number(outcome.match(/Saved (\d+)/)[1]);
}

/** The same statement as CSV from the CLI: the figures to compare with. */
async function csvStatement() {
  const file = path.join(app.tmp, "statement.csv");
  await cli(app.db, "export", "statement", "--wallet", String(wallet.id), "--from", FROM, "--to", TO, "--zone", "UTC", "--out", file);
  const lines = readFileSync(file, "utf8").split("\r\n");
  // The header block ends with an empty record, written as "".
  const blank = lines.indexOf('""');
  const head = Object.fromEntries(lines.slice(0, blank).map((l) => l.split(",")));
  return { head, rows: lines.slice(blank + 2).filter((l) => l) };
}

test("a month's statement saved as XLSX reads back with numbers and dates", async () => {
  const file = path.join(app.tmp, "march.xlsx");
  const written = await saveStatement("xlsx", file);
  const { head, rows } = await csvStatement();
  assert.equal(written, rows.length);
  const out = mkdtempSync(path.join(os.tmpdir(), "walletbook-lo-"));
  const profile = `-env:UserInstallation=file://${out}/profile`;
  await run("soffice", [profile, "--headless", "--convert-to", "fods", "--outdir", out, file]);
  const xml = readFileSync(path.join(out, "march.fods"), "utf8");
  assert.ok(!xml.includes("table:formula"), "no cell is a formula");
  const dates = xml.match(/office:value-type="date"/g) ?? [];
  assert.ok(dates.length >= written, `one date cell per row (${dates.length} for ${written})`);
  const closing = head["Closing balance"];
  assert.ok(xml.includes(`office:value-type="float" office:value="${Number(closing)}"`), `closing ${closing} is a number`);
  await app.screenshot("export-xlsx-saved");
});

test("a month's statement saved as PDF reads like a bank statement", async () => {
  const file = path.join(app.tmp, "march.pdf");
  const written = await saveStatement("pdf", file);
  await app.screenshot("export-pdf-saved");
  const { head, rows } = await csvStatement();
  assert.equal(written, rows.length);
  const { stdout: text } = await run("pdftotext", ["-layout", file, "-"], { maxBuffer: 64 << 20 });
  for (const k of ["Opening balance", "Closing balance", "Credits", "Debits"]) {
    const value = Number(head[k]).toFixed(2);
    assert.ok(text.includes(`${value} EUR`), `${k} ${value} in the PDF`);
  }
  assert.match(text, /page 1 of \d+/);
  assert.match(text, /data as of/);
  const { stdout: info } = await run("pdfinfo", [file]);
  const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
  assert.ok(text.includes(`page ${pages} of ${pages}`), "the last page says so");

  const dir = mkdtempSync(path.join(os.tmpdir(), "walletbook-ppm-"));
  await run("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", file, path.join(dir, "page")]);
  const png = readdirSync(dir).find((f) => f.endsWith(".png"));
  assert.ok(png, "page 1 rendered");
  copyFileSync(path.join(dir, png), path.join(OUTPUT, "export-statement-page1.png"));
});
