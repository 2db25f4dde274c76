// Money formatting from decimal strings. Amounts cross IPC as strings and are
// never turned into floats: the integer part is grouped by Intl through BigInt
// (exact), the fraction digits are copied as given. Nothing is rounded away;
// trailing zeros beyond the currency's usual digits are dropped.

import { appLocale } from "./locale";

export interface ParsedDecimal {
  negative: boolean;
  integer: string; // digits, no leading zeros except a single "0"
  fraction: string; // digits, as given
}

const DECIMAL_RE = /^\s*([+-])?(\d*)(?:\.(\d*))?\s*$/;

/** Parse a plain decimal string ("-1234.5600"); null when it is not one. */
export function parseDecimal(text: string): ParsedDecimal | null {
  const m = DECIMAL_RE.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const integer = m[2].replace(/^0+(?=\d)/, "") || "0";
  const fraction = m[3] ?? "";
  const zero = /^0*$/.test(integer) && /^0*$/.test(fraction);
  return { negative: m[1] === "-" && !zero, integer, fraction };
}

const cache = new Map<string, { nf: Intl.NumberFormat; minDigits: number; code: boolean }>();

function formatterFor(locale: string, currency: string) {
  const key = `${locale}|${currency}`;
  let entry = cache.get(key);
  if (!entry) {
    try {
      const nf = new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        currencyDisplay: "symbol",
        minimumFractionDigits: 0,
        maximumFractionDigits: 0,
      });
      const minDigits = new Intl.NumberFormat(locale, { style: "currency", currency }).resolvedOptions()
        .minimumFractionDigits ?? 2;
      entry = { nf, minDigits, code: false };
    } catch {
      // Not an ISO 4217 code (points, tokens): plain number, code appended.
      const nf = new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 0 });
      entry = { nf, minDigits: 2, code: true };
    }
    cache.set(key, entry);
  }
  return entry;
}

function decimalSeparator(locale: string): string {
  const part = new Intl.NumberFormat(locale, { minimumFractionDigits: 1 }).formatToParts(1.5).find((p) => p.type === "decimal");
  return part?.value ?? ".";
}

export interface MoneyOptions {
  locale?: string;
  /** Show a plus sign on positive amounts (signed columns). */
  signDisplay?: "auto" | "always";
}

/**
 * Format a decimal string as money in `currency` for `locale`, exactly.
 * `formatMoney("-1234567.891", "EUR", {locale: "de-DE"})` → "-1.234.567,891 €".
 * Text that is not a decimal is returned unchanged.
 */
export function formatMoney(amount: string, currency: string, opts: MoneyOptions = {}): string {
  const d = parseDecimal(amount);
  if (!d) return amount;
  const locale = opts.locale ?? appLocale();
  const { nf, minDigits, code } = formatterFor(locale, currency.toUpperCase());
  let fraction = d.fraction.replace(/0+$/, "");
  if (fraction.length < minDigits) fraction = fraction.padEnd(minDigits, "0");

  const grouped = nf
    .formatToParts(BigInt(d.integer))
    .filter((p) => p.type === "integer" || p.type === "group")
    .map((p) => p.value)
    .join("");
  const number = fraction ? grouped + decimalSeparator(locale) + fraction : grouped;

  // Sign and symbol placement come from a template formatted by Intl itself.
  const template = nf.formatToParts(d.negative ? -1n : 1n);
  let out = "";
  let placed = false;
  for (const p of template) {
    if (p.type === "integer") {
      if (!placed) out += number;
      placed = true;
    } else if (p.type !== "group" && p.type !== "decimal" && p.type !== "fraction") {
      out += p.value;
    }
  }
  if (opts.signDisplay === "always" && !d.negative && !/^0*$/.test(d.integer + d.fraction)) out = "+" + out;
  return code ? `${out} ${currency}` : out;
}

/** Exact decimal addition on strings (for small UI tallies; no floats). */
export function addDecimals(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) throw new Error(`not a decimal: ${x ? b : a}`);
  const scale = Math.max(x.fraction.length, y.fraction.length);
  const toBig = (v: ParsedDecimal) => {
    const n = BigInt(v.integer + v.fraction.padEnd(scale, "0"));
    return v.negative ? -n : n;
  };
  const sum = toBig(x) + toBig(y);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return (neg ? "-" : "") + int + (scale ? "." + frac : "");
}
