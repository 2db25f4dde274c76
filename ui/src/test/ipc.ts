// mockIPC with a table of handlers: unknown commands reject like Tauri does.

import { mockIPC } from "@tauri-apps/api/mocks";

export type Handler = (args: Record<string, unknown>) => unknown;

/** Review reads that every screen makes; empty unless a test says otherwise. */
const REVIEW_DEFAULTS: Record<string, Handler> = {
  all_tags: () => [],
  list_notes: () => [],
  list_signoffs: () => [],
  list_late_changes: () => [],
  cache_location: () => ({ location: "/home/ann/.local/share/walletbook/walletbook.sqlite", shared: false }),
};

export function mockCommands(handlers: Record<string, Handler>): string[] {
  const calls: string[] = [];
  mockIPC((cmd, args) => {
    calls.push(cmd);
    const h = handlers[cmd] ?? REVIEW_DEFAULTS[cmd];
    if (!h) return Promise.reject(`Command ${cmd} not found`);
    return h((args ?? {}) as Record<string, unknown>);
  });
  return calls;
}

/** A rejection shaped like the Rust side's IpcError. */
export function ipcError(code: string, message: string) {
  return () => Promise.reject({ code, message });
}
