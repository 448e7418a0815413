/** What a camera or wearable source reports about itself; the status message adds `no_consent` and `not_configured`. */
export type SourceState = 'streaming' | 'stopped' | 'error';
