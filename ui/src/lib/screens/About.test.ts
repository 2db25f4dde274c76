// The About screen: version, cache location and schema; a refused cache
// shows the core's sentence as a banner.

import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { ipcError, mockCommands } from "../../test/ipc";
import { banners, clearBanners } from "../errors.svelte";
import About from "./About.svelte";

beforeEach(() => clearBanners());

describe("About", () => {
  it("shows the version, the cache file and its schema version", async () => {
    mockCommands({
      about: () => ({ version: "0.1.0", cache_path: "C:\\Users\\ann\\AppData\\Roaming\\Walletbook\\walletbook.sqlite", schema_version: 4, known_schema_version: 4 }),
    });
    render(About);
    expect((await screen.findByTestId("about-version")).textContent).toBe("0.1.0");
    expect(screen.getByTestId("about-cache-path").textContent).toContain("AppData\\Roaming\\Walletbook");
    expect(screen.getByTestId("about-schema").textContent).toMatch(/version 4\s+\(this build reads up to 4\)/);
  });

  it("shows a cache from a newer Walletbook as the core's sentence", async () => {
    const sentence = "/data/c.sqlite was written by a newer Walletbook (schema version 9, this build knows 4): update Walletbook to open it";
    mockCommands({ about: ipcError("cache", sentence) });
    render(About);
    await screen.findByText("Reading the cache…");
    await new Promise((r) => setTimeout(r, 0));
    expect(banners[0]?.message).toBe(sentence);
  });
});
