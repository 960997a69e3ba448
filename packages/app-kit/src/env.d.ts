/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The bank address suggested on the Setup screens (default: the page's own origin). */
  readonly VITE_BANK_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
