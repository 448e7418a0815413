// A client-only single-page app: the Attune server serves build/ and falls back to index.html.
export const ssr = false;
export const prerender = false;
