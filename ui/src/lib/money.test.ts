import { describe, expect, it } from "vitest";
import { addDecimals, formatMoney, parseDecimal } from "./money";

describe("formatMoney", () => {
  it("groups and places symbols per locale", () => {
    expect(formatMoney("1234567.5", "USD", { locale: "en-US" })).toBe("$1,234,567.50");
    expect(formatMoney("-1234567.891", "EUR", { locale: "de-DE" })).toBe("-1.234.567,891\u00a0€");
    expect(formatMoney("1234567", "INR", { locale: "en-IN" })).toBe("₹12,34,567.00");
  });

  it("uses the currency's own minimum digits", () => {
    expect(formatMoney("1500", "JPY", { locale: "en-US" })).toBe("¥1,500");
    expect(formatMoney("1.5", "BHD", { locale: "en-US" })).toBe("BHD\u00a01.500");
  });

  it("never rounds: 28 significant digits survive", () => {
    expect(formatMoney("1234567890123456789.012345678", "EUR", { locale: "en-US" })).toBe(
      "€1,234,567,890,123,456,789.012345678",
    );
    expect(formatMoney("0.1000000000000000000000000001", "USD", { locale: "en-US" })).toBe(
      "$0.1000000000000000000000000001",
    );
  });

  it("keeps the sign of small negatives and drops -0", () => {
    expect(formatMoney("-0.50", "GBP", { locale: "en-GB" })).toBe("-£0.50");
    expect(formatMoney("-0.00", "GBP", { locale: "en-GB" })).toBe("£0.00");
    expect(formatMoney("12", "GBP", { locale: "en-GB", signDisplay: "always" })).toBe("+£12.00");
  });

  it("appends codes Intl does not know", () => {
    expect(formatMoney("1200.5", "POINTS", { locale: "en-US" })).toBe("1,200.50 POINTS");
  });

  it("returns non-decimals unchanged", () => {
    expect(formatMoney("n/a", "USD")).toBe("n/a");
    expect(parseDecimal("1e5")).toBeNull();
  });
});

describe("addDecimals", () => {
  it("adds exactly", () => {
    expect(addDecimals("0.1", "0.2")).toBe("0.3");
    expect(addDecimals("-5.25", "2")).toBe("-3.25");
    expect(addDecimals("79228162514264337593543950335", "1")).toBe("79228162514264337593543950336");
  });
});
