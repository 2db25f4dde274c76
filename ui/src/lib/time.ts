// Times cross IPC as RFC 3339 UTC strings and are shown in the local zone,
// with the zone visible ("21 Nov 2026, 14:05 CET").

import { appLocale } from "./locale";

export interface TimeOptions {
  locale?: string;
  timeZone?: string;
}

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Date and time with the zone name; "—" for a missing value. */
export function formatDateTime(iso: string | null | undefined, opts: TimeOptions = {}): string {
  if (!iso) return "—";
  const d = parse(iso);
  if (!d) return iso;
  return new Intl.DateTimeFormat(opts.locale ?? appLocale(), {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: opts.timeZone,
    timeZoneName: "short",
  }).format(d);
}

/** The date alone, in the local zone. */
export function formatDate(iso: string | null | undefined, opts: TimeOptions = {}): string {
  if (!iso) return "—";
  const d = parse(iso);
  if (!d) return iso;
  return new Intl.DateTimeFormat(opts.locale ?? appLocale(), { year: "numeric", month: "short", day: "2-digit", timeZone: opts.timeZone }).format(d);
}

/** The IANA name of the zone times are shown in. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

/** "3 minutes ago" style text for recent times; falls back to the date. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date(), locale?: string): string {
  if (!iso) return "never";
  const d = parse(iso);
  if (!d) return iso;
  const secs = Math.round((d.getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale ?? appLocale(), { numeric: "auto" });
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(secs, "second");
  if (abs < 3600) return rtf.format(Math.round(secs / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), "hour");
  if (abs < 86400 * 30) return rtf.format(Math.round(secs / 86400), "day");
  return formatDate(iso, { locale: locale ?? appLocale() });
}

const rowFormats = new Map<string, Intl.DateTimeFormat>();

/** Compact date and time for table rows (the zone is named in the header). */
export function formatRowTime(iso: string, timeZone?: string): string {
  const key = timeZone ?? "";
  let f = rowFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(appLocale(), {
      year: "numeric",
      month: "short",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      timeZone,
    });
    rowFormats.set(key, f);
  }
  const d = parse(iso);
  return d ? f.format(d) : iso;
}

/** The zone's short name now ("CET", "GMT+1", "UTC"). */
export function zoneAbbrev(timeZone?: string): string {
  const part = new Intl.DateTimeFormat(appLocale(), { timeZone, timeZoneName: "short" })
    .formatToParts(new Date())
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone ?? "local";
}
