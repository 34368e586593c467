import { createContext, useContext, type ReactNode } from 'react';

/*
 * The Content-Security-Policy nonce of this response (decision 105): made per request by the app server
 * (app/server/security-headers.ts), put on every inline and module script Remix renders. Only the server render
 * has it; in the browser the value is '' (browsers hide the attribute anyway, and scripts added after hydration
 * are modules loaded from 'self').
 */
const NonceContext = createContext('');

export function NonceProvider({ nonce, children }: { nonce: string; children: ReactNode }) {
  return <NonceContext.Provider value={nonce}>{children}</NonceContext.Provider>;
}

export function useNonce(): string {
  return useContext(NonceContext);
}
