// Banners shown at the top of the window: one per error, dismissable.

import { IpcError } from "./ipc";

export interface Banner {
  id: number;
  title: string;
  message: string;
  code: string;
}

let next = 1;
export const banners = $state<Banner[]>([]);

/** Show any error as a readable banner; returns it as an IpcError. */
export function showError(e: unknown): IpcError {
  const err = IpcError.from(e);
  // The same message twice in a row is shown once.
  if (!banners.some((b) => b.code === err.code && b.message === err.message)) {
    banners.push({ id: next++, title: err.title, message: err.message, code: err.code });
  }
  return err;
}

export function dismiss(id: number): void {
  const i = banners.findIndex((b) => b.id === id);
  if (i >= 0) banners.splice(i, 1);
}

export function clearBanners(): void {
  banners.splice(0, banners.length);
}
