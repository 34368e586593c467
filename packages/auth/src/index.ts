export * from './tokens.ts';
export { createEmbeddedAuthApi, toGoTrueUser } from './embedded-auth-api.ts';
export type { AuthApiLogger, EmbeddedAuthApi, EmbeddedAuthApiOptions, EmbeddedAuthRateLimits, SignUpConfirmation } from './embedded-auth-api.ts';
export { isSessionLive } from './auth-store.ts';
export { GoTrueError, type GoTrueErrorCode } from './gotrue-errors.ts';
export { createRateLimiter, type RateLimitRule, type RateLimiter } from './rate-limiter.ts';
