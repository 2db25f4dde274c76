// The review workflow's types as Rust sends them. Until the generated
// bindings land these mirror the Rust structs; then each line becomes a
// re-export from ../bindings.

export type { MarkOutcome } from "../bindings/MarkOutcome";
export type { Note } from "../bindings/Note";
export type { NoteTarget } from "../bindings/NoteTarget";
export type { ReviewMark } from "../bindings/ReviewMark";
export type { TagCount } from "../bindings/TagCount";
export type { TransactionAnnotations } from "../bindings/TransactionAnnotations";

export type BalanceSourceName = "reported" | "derived";

export interface Signoff {
  id: number;
  wallet_id: number;
  wallet_name: string;
  currency: string;
  through_date: string;
  zone: string;
  closing_balance: string | null;
  balance_source: BalanceSourceName;
  note: string | null;
  forced: boolean;
  signed_by: string;
  signed_at: string;
  open_changes: number;
  resolves: number[];
}

export interface SignoffPreview {
  wallet_id: number;
  through_date: string;
  zone: string;
  closing_balance: string | null;
  balance_source: BalanceSourceName;
  breaks: number;
  note_required: boolean;
}

export interface SignoffRequest {
  wallet_id: number;
  through_date: string;
  zone: string;
  note: string | null;
}

export interface RowValues {
  amount: string | null;
  fee: string | null;
  status: string | null;
  balance: string | null;
}

export interface LateChange {
  id: number;
  wallet_id: number;
  wallet_name: string;
  currency: string;
  transaction_id: number | null;
  record_id: string;
  kind: "new" | "changed" | "removed";
  occurred_at: string;
  before: RowValues;
  after: RowValues;
  detected_at: string;
  signoff_id: number;
  through_date: string;
  zone: string;
}

export interface VerifyReport {
  wallets: number;
  late_changes: number;
}
