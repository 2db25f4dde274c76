import { describe, expect, it } from "vitest";
import { prettyJson } from "./json";

describe("prettyJson", () => {
  it("indents without touching numbers or strings", () => {
    const raw = '{"amount":0.1000000000000000000000000001,"note":"a, {b}: \\"c\\"","tags":[],"n":[1,2]}';
    expect(prettyJson(raw)).toBe(
      '{\n  "amount": 0.1000000000000000000000000001,\n  "note": "a, {b}: \\"c\\"",\n  "tags": [],\n  "n": [\n    1,\n    2\n  ]\n}',
    );
  });
});
