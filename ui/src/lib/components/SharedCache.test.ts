// "Open a shared cache…": the connection test shows the core's sentence,
// a failed open keeps the dialog with the reason, a good one reloads.

import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { ipcError, mockCommands } from "../../test/ipc";
import SharedCache from "./SharedCache.svelte";

const URL = "postgres://ann:s3cret@db.example:5432/books";

async function openDialog() {
  await fireEvent.click(await screen.findByTestId("open-shared-cache"));
  await fireEvent.input(screen.getByTestId("shared-cache-url"), { target: { value: URL } });
}

describe("SharedCache", () => {
  it("tests an address and shows what is there, without opening it", async () => {
    const calls = mockCommands({ test_shared_cache: (a) => `Connected to ${String(a.url).replace("s3cret", "***")}: a Walletbook cache, ready to open.` });
    const reload = vi.fn();
    render(SharedCache, { reload });
    await openDialog();
    await fireEvent.click(screen.getByTestId("shared-cache-test"));
    expect(await screen.findByText(/a Walletbook cache, ready to open/)).toBeTruthy();
    expect(screen.getByTestId("shared-cache-verdict").textContent).not.toContain("s3cret");
    expect(calls).not.toContain("open_shared_cache");
    expect(reload).not.toHaveBeenCalled();
  });

  it("keeps the dialog open with the server's sentence when opening fails", async () => {
    const sentence = "The PostgreSQL server for postgres://ann:***@db.example:5432/books did not answer (connection refused): check that it is running and reachable from this machine, then try again";
    mockCommands({ open_shared_cache: ipcError("network", sentence) });
    const reload = vi.fn();
    render(SharedCache, { reload });
    await openDialog();
    await fireEvent.click(screen.getByTestId("shared-cache-open"));
    expect(await screen.findByText(sentence)).toBeTruthy();
    expect(screen.getByTestId("shared-cache-dialog")).toBeTruthy();
    expect(reload).not.toHaveBeenCalled();
  });

  it("opens the shared cache, then reloads every screen, and offers the way back", async () => {
    let shared = false;
    mockCommands({
      cache_location: () => ({ location: shared ? "postgres://ann:***@db.example:5432/books" : "/tmp/w.sqlite", shared }),
      open_shared_cache: () => ((shared = true), { location: "postgres://ann:***@db.example:5432/books", shared: true }),
    });
    const reload = vi.fn();
    render(SharedCache, { reload });
    await openDialog();
    await fireEvent.click(screen.getByTestId("shared-cache-open"));
    await vi.waitFor(() => expect(reload).toHaveBeenCalledOnce());
    expect(screen.getByTestId("cache-location-text").textContent).toContain("team's cache at postgres://ann:***@db.example:5432/books");
    expect(screen.getByTestId("use-local-cache")).toBeTruthy();
  });
});
