// The only door to the Rust side. Every command goes through `call`, which
// turns a rejected invoke into a typed `IpcError` ({code, message} from Rust,
// or `internal` for anything else), so screens never handle `unknown`.

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { DemoReport } from "./bindings/DemoReport";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError as IpcErrorShape } from "./bindings/IpcError";
import type { ProviderInfo } from "./bindings/ProviderInfo";
import type { Wallet } from "./bindings/Wallet";

const CODES: readonly ErrorCode[] = [
  "invalid_input",
  "not_found",
  "cache",
  "config",
  "credentials",
  "auth",
  "network",
  "provider",
  "io",
  "cancelled",
  "internal",
];

function isShape(e: unknown): e is IpcErrorShape {
  if (typeof e !== "object" || e === null) return false;
  const o = e as Record<string, unknown>;
  return typeof o.message === "string" && typeof o.code === "string" && (CODES as readonly string[]).includes(o.code);
}

export class IpcError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "IpcError";
    this.code = code;
  }

  /** Whatever a command rejected with, as an IpcError. */
  static from(e: unknown): IpcError {
    if (e instanceof IpcError) return e;
    if (isShape(e)) return new IpcError(e.code, e.message);
    if (e instanceof Error) return new IpcError("internal", e.message);
    return new IpcError("internal", typeof e === "string" ? e : "Unexpected error from the app");
  }

  /** A short heading for banners. */
  get title(): string {
    return ERROR_TITLES[this.code];
  }
}

const ERROR_TITLES: Record<ErrorCode, string> = {
  invalid_input: "Check the input",
  not_found: "Not found",
  cache: "The local cache has a problem",
  config: "Configuration problem",
  credentials: "Keychain problem",
  auth: "The provider refused the credentials",
  network: "No connection to the provider",
  provider: "The provider reported an error",
  io: "File problem",
  cancelled: "Cancelled",
  internal: "Something went wrong",
};

/** Invoke a command; rejections become `IpcError`. */
export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw IpcError.from(e);
  }
}

/** Typed commands, one per Rust `#[tauri::command]`. */
export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  listProviders: () => call<ProviderInfo[]>("list_providers"),
  listWallets: () => call<Wallet[]>("list_wallets"),
  loadDemo: () => call<DemoReport>("load_demo"),
};
