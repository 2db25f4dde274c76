import { describe, expect, it } from "vitest";
import { MAX_HEIGHT, layout, scrollTopFor } from "./virtual";

describe("virtual layout", () => {
  it("renders only the visible rows plus overscan", () => {
    const l = layout({ total: 1000, rowHeight: 30, height: 300, scrollTop: 3000, overscan: 2 });
    expect(l.contentHeight).toBe(30000);
    expect(l.start).toBe(98);
    expect(l.end).toBe(112);
    expect(l.offset).toBe(98 * 30);
  });

  it("compresses a million rows under the height cap and still reaches both ends", () => {
    const v = { total: 1_000_000, rowHeight: 34, height: 600 };
    const top = layout({ ...v, scrollTop: 0, overscan: 0 });
    expect(top.contentHeight).toBe(MAX_HEIGHT);
    expect(top.start).toBe(0);
    const bottom = layout({ ...v, scrollTop: MAX_HEIGHT - 600, overscan: 0 });
    expect(bottom.end).toBe(1_000_000);
    // The last row ends exactly at the bottom of the viewport.
    expect(bottom.offset + (bottom.end - bottom.start) * 34).toBeCloseTo(MAX_HEIGHT, 0);
  });

  it("maps a row to a scroll position and back", () => {
    const v = { total: 1_000_000, rowHeight: 34, height: 600 };
    const st = scrollTopFor(500_000, v);
    expect(layout({ ...v, scrollTop: st, overscan: 0 }).start).toBe(500_000);
  });
});
