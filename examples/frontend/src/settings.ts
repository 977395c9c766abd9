// Where the API is and which key to send. Saved in the browser by the settings form; until
// then taken from the Vite environment (VITE_RAPPORT_API_URL, VITE_RAPPORT_API_KEY).

export interface Settings {
  apiUrl: string;
  apiKey: string;
}

const STORAGE_KEY = "rapport.settings";
const DEFAULT_API_URL = "http://127.0.0.1:8000/graphql";

function fromEnvironment(): Settings {
  return {
    apiUrl: import.meta.env.VITE_RAPPORT_API_URL || DEFAULT_API_URL,
    apiKey: import.meta.env.VITE_RAPPORT_API_KEY || "",
  };
}

export function loadSettings(): Settings {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === null) return fromEnvironment();
  try {
    const parsed = JSON.parse(saved) as Partial<Settings>;
    return { ...fromEnvironment(), ...parsed };
  } catch {
    // Written by hand or by an older version: start again from the defaults.
    return fromEnvironment();
  }
}

export function saveSettings(settings: Settings): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
}

export function isComplete(settings: Settings): boolean {
  return settings.apiUrl.trim() !== "" && settings.apiKey.trim() !== "";
}

/** The WebSocket address of the same endpoint: subscriptions are served on `/graphql` too. */
export function socketUrl(apiUrl: string): string {
  const url = new URL(apiUrl, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
