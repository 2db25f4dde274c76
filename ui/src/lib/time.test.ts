// The default time zone on every OS: the webview's IANA zone, else UTC.

import { afterEach, describe, expect, it, vi } from "vitest";
import { localZone } from "./time";

afterEach(() => vi.restoreAllMocks());

describe("localZone", () => {
  it("is the zone the OS reports, as an IANA name", () => {
    const real = Intl.DateTimeFormat.prototype.resolvedOptions;
    vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockImplementation(function (this: Intl.DateTimeFormat) {
      return { ...real.call(this), timeZone: "Europe/Amsterdam" };
    });
    expect(localZone()).toBe("Europe/Amsterdam");
  });

  it("falls back to UTC when the webview reports none", () => {
    const real = Intl.DateTimeFormat.prototype.resolvedOptions;
    vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockImplementation(function (this: Intl.DateTimeFormat) {
      return { ...real.call(this), timeZone: undefined as unknown as string };
    });
    expect(localZone()).toBe("UTC");
  });
});
