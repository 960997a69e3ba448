/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The bank address suggested on the Setup screens (default http://127.0.0.1:8787). */
  readonly VITE_BANK_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
