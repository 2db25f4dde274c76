import { describe, expect, it } from "vitest";
import { mockCommands } from "../test/ipc";
import { ErrorCode } from "./bindings/ErrorCode";
import { IpcError, call } from "./ipc";

describe("call", () => {
  it("returns the command's value", async () => {
    mockCommands({ echo: (a) => a.x });
    expect(await call<number>("echo", { x: 3 })).toBe(3);
  });

  it("types Rust errors", async () => {
    mockCommands({ boom: () => Promise.reject({ code: "network", message: "offline" }) });
    const err = await call("boom").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect((err as IpcError).code).toBe("network");
    expect((err as IpcError).title).toBe("No connection to the provider");
  });

  it("maps anything else to internal", async () => {
    mockCommands({});
    const err = (await call("missing").catch((e: unknown) => e)) as IpcError;
    expect(err.code).toBe("internal");
    expect(err.message).toContain("missing");
    expect(IpcError.from({ code: "weird", message: "x" }).code).toBe("internal");
  });

  it("accepts every code Rust defines, each with a title", () => {
    const codes = Object.values(ErrorCode);
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) {
      const err = IpcError.from({ code, message: "m" });
      expect(err.code).toBe(code);
      expect(err.title.length).toBeGreaterThan(0);
    }
  });
});
