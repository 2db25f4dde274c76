// Screens are addressed by the URL hash (#/history), so reloads and tests can
// open one directly.

export const SCREENS = [
  { id: "wallets", label: "Wallets" },
  { id: "history", label: "History" },
  { id: "summaries", label: "Summaries" },
  { id: "reconciliation", label: "Reconciliation" },
  { id: "sync", label: "Sync" },
  { id: "connections", label: "Connections" },
  { id: "export", label: "Export" },
  { id: "about", label: "About" },
] as const;

export type ScreenId = (typeof SCREENS)[number]["id"];

function fromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, "").split("?")[0];
  return (SCREENS.find((s) => s.id === id)?.id ?? "wallets") as ScreenId;
}

export const route = $state({ screen: fromHash(typeof location === "undefined" ? "" : location.hash) });

export function go(screen: ScreenId): void {
  route.screen = screen;
  if (typeof location !== "undefined" && location.hash !== `#/${screen}`) location.hash = `#/${screen}`;
}

if (typeof window !== "undefined") {
  window.addEventListener("hashchange", () => {
    route.screen = fromHash(location.hash);
  });
}
