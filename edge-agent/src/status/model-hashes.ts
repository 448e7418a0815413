/**
 * The sha256 of each model the agent loaded, for the status (`modelSha256`): the manifest's, which
 * the loader checked each file against before running it (openVerifiedSession refuses a mismatch).
 */
import { findModel, loadManifest, MANIFEST_PATH } from '@attune/models';

export function loadedModelHashes(manifestPath: string | undefined, names: readonly string[]): Record<string, string> {
  const manifest = loadManifest(manifestPath ?? MANIFEST_PATH);
  return Object.fromEntries(names.map((name) => [name, findModel(manifest, name).sha256]));
}
