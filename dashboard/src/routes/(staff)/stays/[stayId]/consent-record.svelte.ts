/**
 * The checks a nurse runs on a stay's consent record from its timeline: verify that no event was
 * altered, and download the consent as a FHIR R4 Consent resource. The page clears the verdict
 * when the consent changes (it no longer describes the record).
 */
import { ApiError, describeError, getConsentFhir, verifyConsent } from '$lib/api/client';
import type { ConsentVerification } from '$lib/api/types';

export class ConsentRecordCheck {
  verifying = $state(false);
  verification = $state<ConsentVerification | null>(null);
  verifyError = $state<string | null>(null);
  exporting = $state(false);
  exportMessage = $state<string | null>(null);
  exportError = $state<string | null>(null);

  async verify(stayId: string): Promise<void> {
    this.verifying = true;
    this.verifyError = null;
    this.verification = null;
    try {
      this.verification = await verifyConsent(stayId);
    } catch (err) {
      this.verifyError = describeError(err);
    } finally {
      this.verifying = false;
    }
  }

  async exportFhir(stayId: string): Promise<void> {
    this.exporting = true;
    this.exportError = null;
    this.exportMessage = null;
    try {
      const resource = await getConsentFhir(stayId);
      const blob = new Blob([JSON.stringify(resource, null, 2)], { type: 'application/fhir+json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `consent-${stayId}.fhir.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.exportMessage = `Downloaded consent-${stayId}.fhir.json (FHIR R4 Consent).`;
    } catch (err) {
      this.exportError =
        err instanceof ApiError && err.status === 404
          ? 'No consent has been recorded for this stay yet: there is nothing to export.'
          : describeError(err);
    } finally {
      this.exporting = false;
    }
  }
}
