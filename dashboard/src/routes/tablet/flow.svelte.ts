/**
 * The bedside tablet's state and steps, apart from their markup: which screen shows, the pairing
 * (ward and code), the patient's choices, and the calls to the server. The page renders the step
 * that `screen` names; each step component gets what it shows and calls back here.
 */
import { tick } from 'svelte';
import { ApiError, getTabletState, getTabletTexts, getTabletWards, pairTablet, stopFromTablet, submitTabletConsent } from '$lib/api/client';
import type { ConsentTexts, TabletState, TabletWard } from '$lib/api/types';
import { translate, type Lang, type MessageKey } from '$lib/i18n';
import { noChoice, type ConsentChoice } from './consent-choice';
import { isPairingWordKey, pairingWord, type PairingWordKey } from './pairing-words';
import { rememberPaired, setStoredLang, setStoredWard, storedLang, storedWard, wasPaired, type TabletWardChoice } from './tablet-storage';

export type Screen = 'loading' | 'pair' | 'explain' | 'choose' | 'confirm' | 'status' | 'error';
export type Field = 'who' | 'proxyName' | 'proxyRelationship' | 'typedName' | 'code' | 'ward';
/** Each field's message, in words, for the step that shows the field. */
export type FieldErrors = Partial<Record<Field, string>>;
/** What the last action told the patient on the status screen. */
export type StatusNotice = { kind: 'saved' } | { kind: 'stopped'; deleted: { scoreWindows: number; alerts: number } | null };

const POLL_MS = 5000;

/** The server no longer accepts this tablet: discharged, unpaired, or never paired. */
function sessionGone(err: unknown): boolean {
  return err instanceof ApiError && [401, 403, 404, 410].includes(err.status);
}

function errorFor(err: unknown): MessageKey {
  return err instanceof ApiError && err.code === 'network' ? 'tablet.error.network' : 'tablet.error.generic';
}

/** Moves focus to an element by id once the DOM shows it. */
function focusId(id: string): void {
  document.getElementById(id)?.focus();
}

export class TabletFlow {
  screen = $state<Screen>('loading');
  lang = $state<Lang>(storedLang());
  tablet = $state<TabletState | null>(null);
  /** The tablet was paired before and the server no longer accepts it. */
  ended = $state(false);
  texts = $state<ConsentTexts | null>(null);
  textsError = $state(false);
  errorKey = $state<MessageKey | null>(null);
  busy = $state(false);

  code = $state('');
  ward = $state<TabletWardChoice | null>(storedWard());
  wards = $state<TabletWard[] | null>(null);
  wardsError = $state(false);
  wardChoice = $state('');
  /** Minutes a paused ward asks to wait (from Retry-After). */
  pausedMinutes = $state(0);
  choice = $state<ConsentChoice>(noChoice());
  typedName = $state('');
  /** Per field: a chrome message key, or 'mismatch' for the server's own typed-name wording. */
  errors = $state<Partial<Record<Field, MessageKey | PairingWordKey | 'mismatch'>>>({});

  /** The confirmation of "also delete what was recorded", offered after a stop. */
  deleteOpen = $state(false);
  deleteTrigger = $state<HTMLElement | null>(null);
  notice = $state<StatusNotice | null>(null);
  noticeEl = $state<HTMLElement | undefined>();

  /** Consent texts already fetched, per language; cleared when the pairing or the words change. */
  private readonly textCache = new Map<string, ConsentTexts>();
  private textsVersion = $state(0);
  /** Whether the server accepts this tablet: the texts follow this, not every poll's new state. */
  private readonly paired = $derived(!!this.tablet);

  readonly consent = $derived(this.tablet?.consent ?? null);
  /** Each field's message in the chosen language, for the step that shows the field. */
  readonly fieldErrors = $derived.by(() => {
    const out: FieldErrors = {};
    for (const [field, e] of Object.entries(this.errors) as [Field, MessageKey | PairingWordKey | 'mismatch'][]) {
      if (e === 'mismatch') out[field] = this.texts?.confirm.nameMismatch ?? '';
      else out[field] = isPairingWordKey(e) ? pairingWord(this.lang, e, { minutes: this.pausedMinutes }) : translate(this.lang, e);
    }
    return out;
  });

  /** Keeps the tablet in step with the server and the page. Call while the page initialises: it sets up effects. */
  connect(): void {
    // The ward list, on the pairing screen; a remembered ward that no longer exists is asked again.
    $effect(() => {
      if (this.screen === 'pair' && this.wards === null && !this.wardsError) void this.loadWards();
    });
    // The page speaks the chosen language to screen readers and the browser.
    $effect(() => {
      document.documentElement.lang = this.lang;
      return () => {
        document.documentElement.lang = 'en';
      };
    });
    this.followTexts();
    this.followServer();
  }

  /** Starts the tablet from its address, once mounted: a QR link carries the ward and the code. */
  open(url: URL, forgetCode: () => void): void {
    const fromQr = url.searchParams.get('code');
    const wardFromQr = url.searchParams.get('ward');
    // The QR link names the ward: this is the tablet's ward from now on.
    if (wardFromQr && wardFromQr !== this.ward?.id) this.setWard({ id: wardFromQr.slice(0, 200), name: null });
    if (fromQr) {
      this.code = fromQr.replace(/\D/g, '').slice(0, 6);
      // Do not keep a used code in the address bar or history (after the first await: the router
      // is not ready while the page mounts).
      void this.pair().finally(forgetCode);
      return;
    }
    getTabletState()
      .then((s) => this.enter(s))
      .catch((err: unknown) => {
        if (sessionGone(err)) this.endSession();
        else {
          this.errorKey = errorFor(err);
          this.screen = 'error';
        }
      });
  }

  /** Consent text in the chosen language, once paired (the server serves it to paired tablets only). */
  private followTexts(): void {
    $effect(() => {
      const l = this.lang;
      void this.textsVersion;
      if (!this.paired) return;
      const cached = this.textCache.get(l);
      if (cached) {
        this.texts = cached;
        this.textsError = false;
        return;
      }
      this.texts = null;
      this.textsError = false;
      getTabletTexts(l)
        .then((tx) => {
          this.textCache.set(l, tx);
          if (this.lang === l) this.texts = tx;
        })
        .catch((err: unknown) => {
          if (sessionGone(err)) this.endSession();
          else if (this.lang === l) this.textsError = true;
        });
    });
  }

  /** Follows changes made elsewhere (a nurse recorded "patient asked to stop", discharge, transfer). */
  private followServer(): void {
    $effect(() => {
      if (!this.tablet) return;
      const timer = setInterval(() => {
        getTabletState()
          .then((s) => {
            if (!this.tablet) return;
            if (s.stayId !== this.tablet.stayId) this.enter(s);
            else this.tablet = s;
          })
          .catch((err: unknown) => {
            if (sessionGone(err)) this.endSession();
          });
      }, POLL_MS);
      return () => clearInterval(timer);
    });
  }

  setLang(l: Lang): void {
    this.lang = l;
    setStoredLang(l);
  }

  private setWard(next: TabletWardChoice | null): void {
    this.ward = next;
    setStoredWard(next);
  }

  async loadWards(): Promise<void> {
    this.wardsError = false;
    try {
      const list = await getTabletWards();
      this.wards = list;
      if (this.ward) {
        const known = list.find((x) => x.id === this.ward!.id);
        this.setWard(known ? { id: known.id, name: known.name } : null);
      }
      if (!this.ward && list.length === 1) this.wardChoice = list[0]!.id;
    } catch {
      this.wardsError = true;
    }
  }

  chooseWard(): void {
    const chosen = this.wards?.find((x) => x.id === this.wardChoice);
    if (!chosen) {
      this.errors = { ward: 'tablet.ward.missing' };
      focusId('ward-0');
      return;
    }
    this.errors = {};
    this.setWard({ id: chosen.id, name: chosen.name });
    void tick().then(() => focusId('pair-code'));
  }

  changeWard(): void {
    this.wardChoice = this.ward?.id ?? '';
    this.setWard(null);
    this.code = '';
    this.errors = {};
    void tick().then(() => this.focusHeading());
  }

  /** Shows a screen with its heading focused and the page scrolled to the top. */
  show(next: Screen): void {
    this.screen = next;
    this.errorKey = null;
    void tick().then(() => {
      this.focusHeading();
      window.scrollTo(0, 0);
    });
  }

  /** Every screen has one h1 that takes focus, so a screen reader starts at the new step. */
  private focusHeading(): void {
    document.querySelector<HTMLElement>('#main h1')?.focus();
  }

  private endSession(): void {
    const hadSession = this.tablet !== null || wasPaired();
    this.tablet = null;
    this.texts = null;
    this.deleteOpen = false;
    this.ended = hadSession;
    rememberPaired(false);
    this.code = '';
    this.errors = {};
    this.show('pair');
  }

  private resetChoices(): void {
    this.choice = noChoice();
    this.typedName = '';
    this.errors = {};
  }

  private enter(state: TabletState): void {
    this.tablet = state;
    this.ended = false;
    rememberPaired(true);
    if (state.consent) {
      this.show('status');
    } else {
      this.resetChoices();
      this.show('explain');
    }
  }

  async pair(): Promise<void> {
    if (this.busy) return;
    const digits = this.code.replace(/\D/g, '');
    if (!this.ward) {
      // An old link without the ward: ask for it, the code stays filled in.
      if (this.screen === 'loading') this.show('pair');
      return;
    }
    if (digits.length !== 6) {
      this.errors = { code: 'tablet.pair.badFormat' };
      focusId('pair-code');
      if (this.screen === 'loading') this.show('pair');
      return;
    }
    this.busy = true;
    this.errors = {};
    try {
      const state = await pairTablet(this.ward.id, digits);
      this.textCache.clear();
      this.enter(state);
    } catch (err) {
      if (this.screen === 'loading') this.show('pair');
      if (err instanceof ApiError && err.status === 429 && err.code === 'pairing_paused') {
        this.pausedMinutes = Math.max(1, Math.ceil((err.retryAfterS ?? 60) / 60));
        this.errors = { code: this.pausedMinutes === 1 ? 'tablet.pair.pausedOneMinute' : 'tablet.pair.paused' };
      } else if (err instanceof ApiError && err.status === 429) this.errors = { code: 'tablet.pair.tooMany' };
      else if (err instanceof ApiError && err.code !== 'network' && err.status < 500) {
        this.errors = { code: 'tablet.pair.failed' };
        // A ward removed since it was remembered fails like a wrong code: fetch the list again, which forgets it.
        this.wards = null;
      } else this.errorKey = errorFor(err);
      await tick();
      focusId('pair-code');
    } finally {
      this.busy = false;
    }
  }

  startChoosing(): void {
    this.resetChoices();
    this.notice = null;
    this.show('explain');
  }

  toConfirm(): void {
    const { actor, proxyName, proxyRelationship } = this.choice;
    const next: Partial<Record<Field, MessageKey>> = {};
    if (!actor) next.who = 'tablet.choose.whoMissing';
    if (actor === 'proxy') {
      if (!proxyName.trim()) next.proxyName = 'tablet.choose.proxyNameMissing';
      if (!proxyRelationship.trim()) next.proxyRelationship = 'tablet.choose.proxyRelationshipMissing';
    }
    this.errors = next;
    const first = next.who ? 'who-patient' : next.proxyName ? 'proxy-name' : next.proxyRelationship ? 'proxy-relationship' : null;
    if (first) {
      focusId(first);
      return;
    }
    this.typedName = '';
    this.show('confirm');
  }

  async submitConsent(): Promise<void> {
    const { texts, choice } = this;
    const { actor } = choice;
    if (this.busy || !texts || !actor) return;
    if (!this.typedName.trim()) {
      this.errors = { typedName: 'tablet.confirm.typedMissing' };
      focusId('typed-name');
      return;
    }
    this.busy = true;
    this.errors = {};
    this.errorKey = null;
    try {
      const state = await submitTabletConsent({
        camera: choice.camera,
        wearable: choice.wearable,
        actor,
        ...(actor === 'proxy' ? { proxyName: choice.proxyName.trim(), proxyRelationship: choice.proxyRelationship.trim() } : {}),
        typedName: this.typedName.trim(),
        language: texts.language,
        textHash: texts.hash,
      });
      this.tablet = state;
      this.notice = { kind: 'saved' };
      this.show('status');
    } catch (err) {
      if (sessionGone(err)) this.endSession();
      else if (err instanceof ApiError && err.status === 400 && err.fields.typedName) {
        this.errors = { typedName: 'mismatch' };
        await tick();
        focusId('typed-name');
      } else if (err instanceof ApiError && err.status === 400 && err.fields.textHash) {
        // The words changed on the server: read the new ones first.
        this.textCache.clear();
        this.texts = null;
        this.textsVersion += 1;
        this.show('explain');
        this.errorKey = 'tablet.confirm.textChanged';
      } else {
        this.errorKey = errorFor(err);
      }
    } finally {
      this.busy = false;
    }
  }

  /** After a stop: offers deleting what was recorded, as a choice of its own with its own confirmation. */
  openDelete(trigger: HTMLElement): void {
    this.deleteTrigger = trigger;
    this.errorKey = null;
    this.deleteOpen = true;
  }

  /**
   * Stops everything now, keeping what was recorded: one tap, nothing to tick or confirm first. With
   * `erase` (offered after the stop, confirmed on its own) it deletes what was recorded: monitoring is
   * already off then, so the server records no second withdrawal and only erases (audited).
   */
  async stop(erase: boolean): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.errorKey = null;
    try {
      const res = await stopFromTablet(erase);
      this.tablet = res.tablet;
      // Counts are reported only when erasure was asked for (the server answers zeros otherwise).
      this.notice = { kind: 'stopped', deleted: erase ? res.deleted : null };
      this.deleteOpen = false;
      await tick();
      this.noticeEl?.focus();
    } catch (err) {
      if (sessionGone(err)) this.endSession();
      else this.errorKey = errorFor(err);
    } finally {
      this.busy = false;
    }
  }
}
