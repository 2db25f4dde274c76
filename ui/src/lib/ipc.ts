// The only door to the Rust side. Every command goes through `call`, which
// turns a rejected invoke into a typed `IpcError` ({code, message} from Rust,
// or `internal` for anything else), so screens never handle `unknown`.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { About } from "./bindings/About";
import type { AppInfo } from "./bindings/AppInfo";
import type { BatchLayout } from "./bindings/BatchLayout";
import type { CacheLocationInfo } from "./bindings/CacheLocationInfo";
import type { BatchReport } from "./bindings/BatchReport";
import type { BatchRequest } from "./bindings/BatchRequest";
import type { Connection } from "./bindings/Connection";
import type { ConnectionInput } from "./bindings/ConnectionInput";
import type { DemoReport } from "./bindings/DemoReport";
import { ErrorCode } from "./bindings/ErrorCode";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ExportOptions } from "./bindings/ExportOptions";
import type { HistoryFilter } from "./bindings/HistoryFilter";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { ImportReport } from "./bindings/ImportReport";
import type { HistoryPage } from "./bindings/HistoryPage";
import type { HistoryQuery } from "./bindings/HistoryQuery";
import type { Reconciliation } from "./bindings/Reconciliation";
import type { ReconcileRequest } from "./bindings/ReconcileRequest";
import type { StatementRequest } from "./bindings/StatementRequest";
import type { Summary } from "./bindings/Summary";
import type { SummaryRequest } from "./bindings/SummaryRequest";
import type { SyncProgress } from "./bindings/SyncProgress";
import type { SyncReport } from "./bindings/SyncReport";
import type { SyncRequest } from "./bindings/SyncRequest";
import type { SyncRunEntry } from "./bindings/SyncRunEntry";
import type { TransactionDetail } from "./bindings/TransactionDetail";
import type { IpcError as IpcErrorShape } from "./bindings/IpcError";
import type { Preferences } from "./bindings/Preferences";
import type { ProviderInfo } from "./bindings/ProviderInfo";
import type { QuarantineEntry } from "./bindings/QuarantineEntry";
import type { Wallet } from "./bindings/Wallet";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { AuditFilter } from "./bindings/AuditFilter";
import type { LateChangesRequest } from "./bindings/LateChangesRequest";
import type { VerifyRequest } from "./bindings/VerifyRequest";
import type {
  LateChange,
  MarkOutcome,
  Note,
  NoteTarget,
  Signoff,
  SignoffRequest,
  TagCount,
  TransactionAnnotations,
  VerifyReport,
} from "./review/types";

/** Every code Rust sends, from the generated enum (never a copy kept here). */
const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

function isShape(e: unknown): e is IpcErrorShape {
  if (typeof e !== "object" || e === null) return false;
  const o = e as Record<string, unknown>;
  return typeof o.message === "string" && typeof o.code === "string" && CODES.has(o.code);
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
    if (e instanceof Error) return new IpcError(ErrorCode.internal, e.message);
    return new IpcError(ErrorCode.internal, typeof e === "string" ? e : "Unexpected error from the app");
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

function channel<T>(onMessage: (m: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}

/** Typed commands, one per Rust `#[tauri::command]`. */
export const api = {
  about: () => call<About>("about"),
  appInfo: () => call<AppInfo>("app_info"),
  listProviders: () => call<ProviderInfo[]>("list_providers"),
  listWallets: () => call<Wallet[]>("list_wallets"),
  loadDemo: () => call<DemoReport>("load_demo"),
  listConnections: () => call<Connection[]>("list_connections"),
  addConnection: (input: ConnectionInput) => call<Connection>("add_connection", { input }),
  updateConnection: (id: number, input: ConnectionInput) => call<void>("update_connection", { id, input }),
  removeConnection: (name: string) => call<void>("remove_connection", { name }),
  storedSecretKeys: (name: string) => call<string[]>("stored_secret_keys", { name }),
  testConnection: (name: string) => call<string>("test_connection", { name }),
  syncRun: (request: SyncRequest, onProgress: (p: SyncProgress) => void) =>
    call<SyncReport>("sync_run", { request, progress: channel(onProgress) }),
  syncCancel: () => call<boolean>("sync_cancel"),
  getPreferences: () => call<Preferences>("get_preferences"),
  cacheLocation: () => call<CacheLocationInfo>("cache_location"),
  /** One sentence on what is at a PostgreSQL address; nothing is written there. */
  testSharedCache: (url: string) => call<string>("test_shared_cache", { url }),
  openSharedCache: (url: string) => call<CacheLocationInfo>("open_shared_cache", { url }),
  useLocalCache: () => call<CacheLocationInfo>("use_local_cache"),
  /** Connections synced at once from the next sync on (1 to 32). */
  setSyncConcurrency: (connections: number) => call<Preferences>("set_sync_concurrency", { connections }),
  listRuns: (limit: number) => call<SyncRunEntry[]>("list_runs", { limit }),
  listQuarantine: (limit: number) => call<QuarantineEntry[]>("list_quarantine", { limit }),
  historyPage: (query: HistoryQuery) => call<HistoryPage>("history_page", { query }),
  /** The page starting at row `position` of the query's order (a scrollbar jump). */
  historySeek: (query: HistoryQuery, position: number) => call<HistoryPage>("history_seek", { query, position }),
  historyCount: (filter: HistoryFilter, zone: string | null) => call<number>("history_count", { filter, zone }),
  transactionDetail: (id: number, zone: string | null) => call<TransactionDetail>("transaction_detail", { id, zone }),
  summarise: (request: SummaryRequest) => call<Summary>("summarise", { request }),
  reconcile: (request: ReconcileRequest) => call<Reconciliation>("reconcile", { request }),
  importFile: (connection: string, path: string, onProgress: (p: ImportProgress) => void) =>
    call<ImportReport>("import_file", { connection, path, progress: channel(onProgress) }),
  /** The native save dialog for a `format` file; the chosen path is the only one the export commands accept. */
  chooseSaveFile: (format: ExportFormat, defaultName: string) => call<string | null>("choose_save_file", { format, defaultName }),
  /** The native folder dialog (statements, one file per wallet). */
  chooseFolder: (title: string) => call<string | null>("choose_folder", { title }),
  /** The native open dialog (a provider export file to import). */
  chooseOpenFile: (title: string, filterName: string, extensions: string[]) =>
    call<string | null>("choose_open_file", { title, filterName, extensions }),
  exportCancel: () => call<boolean>("export_cancel"),
  exportStatements: (request: BatchRequest, layout: BatchLayout, options: ExportOptions, onRows: (n: number) => void) =>
    call<BatchReport>("export_statements", { request, layout, options, progress: channel(onRows) }),
  exportHistory: (filter: HistoryFilter, options: ExportOptions, path: string, onRows: (n: number) => void) =>
    call<number>("export_history", { filter, options, path, progress: channel(onRows) }),
  // The review workflow: notes, tags, reviewed marks, sign-offs and late changes.
  transactionAnnotations: (id: number) => call<TransactionAnnotations>("transaction_annotations", { id }),
  listNotes: (target: NoteTarget) => call<Note[]>("list_notes", { target }),
  addNote: (target: NoteTarget, body: string) => call<Note>("add_note", { target, body }),
  removeNote: (noteId: number) => call<Note>("remove_note", { noteId }),
  addTag: (transactionId: number, tag: string) => call<string[]>("add_tag", { transactionId, tag }),
  removeTag: (transactionId: number, tag: string) => call<string[]>("remove_tag", { transactionId, tag }),
  allTags: () => call<TagCount[]>("all_tags"),
  /** Who changed which note, tag or mark, and when; newest first. */
  auditLog: (filter: AuditFilter) => call<AuditEntry[]>("audit_log", { filter }),
  markReviewed: (ids: number[]) => call<MarkOutcome>("mark_reviewed", { ids }),
  unmarkReviewed: (ids: number[]) => call<MarkOutcome>("unmark_reviewed", { ids }),
  createSignoff: (request: SignoffRequest) => call<Signoff>("create_signoff", { request }),
  /** Each wallet's live sign-offs, latest date first. */
  listSignoffs: () => call<Signoff[]>("list_signoffs"),
  verifySignoffs: (request: VerifyRequest) => call<VerifyReport>("verify_signoffs", { request }),
  listLateChanges: (request: LateChangesRequest) => call<LateChange[]>("list_late_changes", { request }),
  acknowledgeLateChange: (id: number, note: string, zone: string | null) =>
    call<LateChange>("acknowledge_late_change", { id, note, zone }),
  exportStatement: (request: StatementRequest, options: ExportOptions, path: string, onRows: (n: number) => void) =>
    call<number>("export_statement", { request, options, path, progress: channel(onRows) }),
};
