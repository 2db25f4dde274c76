// Facts loaded once at start: app info and the provider catalogue.

import type { AppInfo } from "./bindings/AppInfo";
import type { Provider } from "./bindings/Provider";
import type { ProviderInfo } from "./bindings/ProviderInfo";
import { showError } from "./errors.svelte";
import { api } from "./ipc";

export const catalog = $state<{ info: AppInfo | null; providers: ProviderInfo[] }>({ info: null, providers: [] });

export async function loadCatalog(): Promise<void> {
  try {
    const [info, providers] = await Promise.all([api.appInfo(), api.listProviders()]);
    catalog.info = info;
    catalog.providers = providers;
  } catch (e) {
    showError(e);
  }
}

/** The provider's display name ("Papaya Global"), or its id until loaded. */
export function providerName(id: Provider): string {
  return catalog.providers.find((p) => p.id === id)?.name ?? id;
}
