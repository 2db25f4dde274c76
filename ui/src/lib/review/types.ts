// The review workflow's types, from the bindings ts-rs generates, plus the
// sign-off dialog's preview (composed in the UI from summary and reconciliation).

export type { MarkOutcome } from "../bindings/MarkOutcome";
export type { Note } from "../bindings/Note";
export type { NoteTarget } from "../bindings/NoteTarget";
export type { ReviewMark } from "../bindings/ReviewMark";
export type { TagCount } from "../bindings/TagCount";
export type { TransactionAnnotations } from "../bindings/TransactionAnnotations";

export type { LateChange } from "../bindings/LateChange";
export type { LateValues } from "../bindings/LateValues";
export type { Signoff } from "../bindings/Signoff";
export type { SignoffRequest } from "../bindings/SignoffRequest";
export type { VerifyReport } from "../bindings/VerifyReport";

/** What the sign-off dialog shows before signing: read from the summary and reconciliation of the period. */
export interface SignoffPreview {
  /** Closing balance at the end of the date, exact, from Rust. */
  closing_balance: string | null;
  /** "reported" by the provider, else "derived" from the rows. */
  balance_source: "reported" | "derived";
  /** Unexplained balance breaks with a row in the period. */
  breaks: number;
}
