// Vitest setup: a clean mocked IPC and DOM between tests.
import { afterEach } from "vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

// jsdom has no layout: a ResizeObserver that never fires is enough for
// components that measure themselves (bind:clientHeight).
if (!("ResizeObserver" in globalThis)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  (globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = ResizeObserverStub;
}
