/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_RAPPORT_API_URL?: string;
  readonly VITE_RAPPORT_API_KEY?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
