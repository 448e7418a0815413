/** Who is signed in, and the wards they can see. Filled by the root layout. */
import type { User, WardSummary } from './api/types';

class Session {
  /** undefined: not checked yet; null: signed out. */
  user = $state<User | null | undefined>(undefined);
  wards = $state<WardSummary[]>([]);
  /** Name of the ward the current page shows, for the header. */
  wardName = $state<string | null>(null);

  get canReadBoards(): boolean {
    return this.user?.role === 'nurse' || this.user?.role === 'charge_nurse';
  }

  get canReadDevices(): boolean {
    return this.user?.role === 'it_admin';
  }

  /** IT admins manage users (create, reset passwords, deactivate). */
  get canManageUsers(): boolean {
    return this.user?.role === 'it_admin';
  }

  /** IT admins set up wards and beds (create, rename, retire) and enrol bedside agents. */
  get canSetUpWards(): boolean {
    return this.user?.role === 'it_admin';
  }

  /** Signed in with a password an administrator set: nothing opens until the user picks their own. */
  get mustChangePassword(): boolean {
    return this.user?.mustChangePassword === true;
  }
}

export const session = new Session();
