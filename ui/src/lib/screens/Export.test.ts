// The Export screen with the IPC mocked: format choice, the dialog it asks
// for, the options it sends, batch statements, and cancel.

import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { wallet } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import { clearBanners } from "../errors.svelte";
import Export from "./Export.svelte";
import { defaultFileName, formatsFor, requestExportMode } from "./export";

beforeEach(() => clearBanners());

async function ready() {
  render(Export);
  await vi.waitFor(() => expect((screen.getByTestId("export-wallet") as HTMLSelectElement).value).toBe("1"));
}

describe("Export screen", () => {
  it("offers the spreadsheet date style only with a BOM or semicolons", async () => {
    mockCommands({ list_wallets: () => [wallet()] });
    await ready();
    expect(screen.queryByTestId("export-spreadsheet-dates")).toBeTruthy();
    await fireEvent.click(screen.getByTestId("export-bom"));
    expect(screen.queryByTestId("export-spreadsheet-dates")).toBeNull();
    await fireEvent.change(screen.getByTestId("export-delimiter"), { target: { value: "semicolon" } });
    expect(screen.getByLabelText(/Dates a spreadsheet reads as dates/)).toBeTruthy();
  });

  it("saves a PDF statement where the save dialog said", async () => {
    const seen: Record<string, Record<string, unknown>> = {};
    mockCommands({
      list_wallets: () => [wallet()],
      choose_save_file: (a) => ((seen.dialog = a), "/home/me/jan.pdf"),
      export_statement: (a) => ((seen.export = a), 12),
    });
    await ready();
    await fireEvent.change(screen.getByTestId("export-format"), { target: { value: "pdf" } });
    expect(screen.queryByTestId("export-delimiter")).toBeNull();
    await fireEvent.click(screen.getByTestId("export-run"));
    const outcome = await screen.findByTestId("export-outcome");
    expect(outcome.textContent).toBe("Saved 12 rows to /home/me/jan.pdf");
    expect(seen.dialog).toMatchObject({ format: "pdf" });
    expect(String(seen.dialog.defaultName)).toMatch(/^statement-Main-EUR-.*\.pdf$/);
    expect(seen.export).toMatchObject({ path: "/home/me/jan.pdf", request: { wallet_id: 1 }, options: { format: "pdf" } });
  });

  it("sends the spreadsheet date style when chosen", async () => {
    let options: unknown = null;
    mockCommands({ list_wallets: () => [wallet()], choose_save_file: () => "/tmp/s.csv", export_statement: (a) => ((options = a.options), 1) });
    await ready();
    await fireEvent.click(screen.getByTestId("export-spreadsheet-dates"));
    await fireEvent.click(screen.getByTestId("export-run"));
    await screen.findByTestId("export-outcome");
    expect(options).toMatchObject({ format: "csv", dates: "spreadsheet", bom: true });
  });

  it("writes every wallet's statement into a chosen folder", async () => {
    let args: Record<string, unknown> | null = null;
    mockCommands({
      list_wallets: () => [wallet(), wallet({ id: 2, name: "Second" })],
      choose_folder: () => "/home/me/statements",
      export_statements: (a) => ((args = a), { files: ["/a.pdf", "/b.pdf"], statements: 2, rows: 30 }),
    });
    await ready();
    await fireEvent.click(screen.getByTestId("mode-statements"));
    expect(screen.queryByTestId("export-wallet")).toBeNull();
    await fireEvent.change(screen.getByTestId("export-format"), { target: { value: "pdf" } });
    expect(screen.getByTestId("export-run").textContent).toContain("Choose folder");
    await fireEvent.click(screen.getByTestId("export-run"));
    expect((await screen.findByTestId("export-outcome")).textContent).toBe("Saved 2 statements (30 rows) to 2 files in /home/me/statements");
    expect(args).toMatchObject({ layout: { kind: "per_wallet", path: "/home/me/statements" }, options: { format: "pdf" }, request: { wallet_ids: [] } });
  });

  it("nothing happens when the dialog is dismissed", async () => {
    const calls = mockCommands({ list_wallets: () => [wallet()], choose_save_file: () => null });
    await ready();
    await fireEvent.click(screen.getByTestId("export-run"));
    await vi.waitFor(() => expect(calls).toContain("choose_save_file"));
    expect(calls).not.toContain("export_statement");
    expect(screen.queryByTestId("export-outcome")).toBeNull();
  });

  it("cancels a running export", async () => {
    let reject: (e: unknown) => void = () => {};
    mockCommands({
      list_wallets: () => [wallet()],
      choose_save_file: () => "/tmp/big.xlsx",
      export_statement: () => new Promise((_, r) => (reject = r)),
      export_cancel: () => (reject({ code: "cancelled", message: "The export was cancelled; nothing was saved." }), true),
    });
    await ready();
    await fireEvent.click(screen.getByTestId("export-run"));
    await fireEvent.click(await screen.findByTestId("export-cancel"));
    expect((await screen.findByTestId("export-outcome")).textContent).toBe("Cancelled: nothing was saved.");
    expect(screen.queryByTestId("export-progress")).toBeNull();
  });

  it("offers no PDF for a history view", async () => {
    requestExportMode("history");
    mockCommands({ list_wallets: () => [wallet()] });
    render(Export);
    const options = [...(screen.getByTestId("export-format") as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(["csv", "xlsx"]);
  });
});

describe("export helpers", () => {
  it("lists the formats each choice can be written as", () => {
    expect(formatsFor("statement", false).map((f) => f.value)).toEqual(["csv", "xlsx", "pdf"]);
    expect(formatsFor("statements", true).map((f) => f.value)).toEqual(["xlsx", "pdf"]);
  });

  it("suggests file names with the right extension", () => {
    const today = new Date(2026, 10, 30);
    expect(defaultFileName({ mode: "history", format: "xlsx", from: "", to: "" }, today)).toBe("walletbook-history-2026-11-30.xlsx");
    expect(defaultFileName({ mode: "statements", format: "pdf", from: "2025-01-01", to: "2025-01-31" })).toBe("statements-2025-01-01-to-2025-01-31.pdf");
    expect(defaultFileName({ mode: "statement", format: "csv", wallet: wallet({ name: "Main / EUR" }), from: "a", to: "b" })).toBe("statement-Main-EUR-a-to-b.csv");
  });
});
