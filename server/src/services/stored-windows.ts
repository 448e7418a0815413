/** What ingest hands on after a commit when several instances share the evaluation of wards. */
/** A window just stored, as the instance that evaluates its ward needs to find it. */
export interface StoredWindowRef {
  wardId: string | null;
  stayId: string;
  deviceId: string;
  seq: number;
  windowEnd: string;
}

/**
 * Several instances (docs/scale-out.md): stored windows go to the ward's owner for evaluation
 * instead of straight through the rules here.
 */
export interface StoredWindowsSink {
  windowsStored(windows: StoredWindowRef[]): Promise<void>;
}
