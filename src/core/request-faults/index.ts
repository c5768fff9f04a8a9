// The request-level fault actions and matchers the HTTP-speaking twins (http, stripe, oidc) share:
// one meaning for `delay`, `hang`, `error` (HTTP status form), `disconnect` and `corrupt`, one path
// syntax, one body reader. Each twin keeps only its protocol's own forms (see the README table).
export * from './corrupt.ts';
export * from './delay.ts';
export * from './disconnect.ts';
export * from './error.ts';
export * from './http-answer.ts';
export * from './path-glob.ts';
export * from './request-body.ts';
export * from './request-match.ts';
export * from './value-matcher.ts';
