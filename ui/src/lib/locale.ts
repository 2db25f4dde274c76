// The locale numbers and dates are formatted in: the system's, except that a
// bare C/POSIX environment (LANG=C, common on servers and in CI) gets plain
// en-US instead of ICU's POSIX variant, which has no digit grouping.

let cached: string | undefined;

export function appLocale(): string {
  if (cached) return cached;
  const langs = typeof navigator === "undefined" ? [] : [...(navigator.languages ?? []), navigator.language];
  const usable = langs.find((l) => l && !/^(c|posix)([._-].*)?$/i.test(l));
  let locale = usable ?? "en-US";
  try {
    locale = new Intl.NumberFormat(locale).resolvedOptions().locale.replace(/-u-va-posix$/i, "");
  } catch {
    locale = "en-US";
  }
  cached = locale;
  return locale;
}

/** A count with the locale's digit grouping (1,115). */
export function formatCount(n: number | bigint): string {
  return new Intl.NumberFormat(appLocale()).format(n);
}
