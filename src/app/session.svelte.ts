/**
 * The one session state: encoders chosen, thresholds, floor, per-image cap and view settings.
 * Sliders, draggable threshold lines and presets all write the same fields here; the state is
 * persisted (debounced) through a settings store and restored on load. It owns its reactions:
 * `filterRequest` is the one derived value the mining state sends, and `attach` persists every
 * change without a view having to list what changed.
 */
import { MINING_DEFAULTS, THRESHOLD_PRESETS, roundThreshold, type FilterOptions, type ThresholdPreset } from '../core/mining/index.ts';
import type { EncoderDtype } from '../core/encoders/registry.ts';
import { sanitiseLedger, type CommitLedger } from '../core/encoders/revision.ts';

export interface SessionSnapshot {
  clipEncoderId: string;
  dinoEncoderId: string;
  clipMin: number;
  dinoMax: number;
  floor: number;
  maxPerImage: number;
  excludeNearDuplicates: boolean;
  duplicateThreshold: number;
  sameCategoryOnly: boolean;
  projection: 'pca' | 'umap';
  backendPreference: 'auto' | 'webgpu' | 'wasm';
  /** Weights both encoders run with: fp32 unless the user picks fp16 (WebGPU) or q8. */
  precision: EncoderDtype;
  keepOriginals: boolean;
  theme: 'system' | 'light' | 'dark';
  /** The hub commits each encoder revision key loaded on earlier visits, so a branch that moved is said. */
  hubCommits: CommitLedger;
}

export const DEFAULT_SESSION: SessionSnapshot = {
  clipEncoderId: 'biomedclip',
  dinoEncoderId: 'dinov2-small',
  clipMin: MINING_DEFAULTS.clipMin,
  dinoMax: MINING_DEFAULTS.dinoMax,
  floor: MINING_DEFAULTS.floor,
  maxPerImage: MINING_DEFAULTS.maxPerImage,
  excludeNearDuplicates: MINING_DEFAULTS.excludeNearDuplicates,
  duplicateThreshold: MINING_DEFAULTS.duplicateThreshold,
  sameCategoryOnly: MINING_DEFAULTS.sameCategoryOnly,
  projection: 'pca',
  backendPreference: 'auto',
  precision: 'fp32',
  keepOriginals: false,
  theme: 'system',
  hubCommits: {},
};

export interface SettingsBackend {
  load(key: string): Promise<unknown>;
  save(key: string, value: unknown): Promise<void>;
}

const SESSION_KEY = 'session';

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/** Restores what it can from an untrusted stored value; unknown or invalid fields keep defaults. */
export function sanitiseSnapshot(value: unknown): SessionSnapshot {
  const out: SessionSnapshot = { ...DEFAULT_SESSION };
  if (!value || typeof value !== 'object') return out;
  const v = value as Record<string, unknown>;
  const num = (k: keyof SessionSnapshot, lo: number, hi: number) => {
    if (typeof v[k] === 'number' && Number.isFinite(v[k])) (out[k] as number) = clamp(v[k] as number, lo, hi);
  };
  const str = <K extends keyof SessionSnapshot>(k: K, allowed?: readonly string[]) => {
    if (typeof v[k] === 'string' && (!allowed || allowed.includes(v[k] as string))) (out[k] as string) = v[k] as string;
  };
  const bool = (k: keyof SessionSnapshot) => {
    if (typeof v[k] === 'boolean') (out[k] as boolean) = v[k] as boolean;
  };
  str('clipEncoderId');
  str('dinoEncoderId');
  num('clipMin', -1, 1);
  num('dinoMax', -1, 1);
  num('floor', -1, 1);
  num('maxPerImage', 0, 1000);
  num('duplicateThreshold', 0, 1);
  bool('excludeNearDuplicates');
  bool('sameCategoryOnly');
  bool('keepOriginals');
  str('projection', ['pca', 'umap']);
  str('backendPreference', ['auto', 'webgpu', 'wasm']);
  str('precision', ['fp32', 'fp16', 'q8']);
  str('theme', ['system', 'light', 'dark']);
  out.hubCommits = sanitiseLedger(v.hubCommits);
  // A stored threshold below the stored floor would ask for pairs that were never kept.
  out.clipMin = Math.max(out.clipMin, out.floor);
  return out;
}

export class SessionState {
  clipEncoderId = $state(DEFAULT_SESSION.clipEncoderId);
  dinoEncoderId = $state(DEFAULT_SESSION.dinoEncoderId);
  clipMin = $state(DEFAULT_SESSION.clipMin);
  dinoMax = $state(DEFAULT_SESSION.dinoMax);
  floor = $state(DEFAULT_SESSION.floor);
  maxPerImage = $state(DEFAULT_SESSION.maxPerImage);
  excludeNearDuplicates = $state(DEFAULT_SESSION.excludeNearDuplicates);
  duplicateThreshold = $state(DEFAULT_SESSION.duplicateThreshold);
  sameCategoryOnly = $state(DEFAULT_SESSION.sameCategoryOnly);
  projection = $state(DEFAULT_SESSION.projection);
  backendPreference = $state(DEFAULT_SESSION.backendPreference);
  precision = $state<EncoderDtype>(DEFAULT_SESSION.precision);
  keepOriginals = $state(DEFAULT_SESSION.keepOriginals);
  theme = $state(DEFAULT_SESSION.theme);
  hubCommits = $state.raw<CommitLedger>(DEFAULT_SESSION.hubCommits);

  /** The preset whose thresholds match exactly, or 'custom'. */
  readonly preset = $derived(
    THRESHOLD_PRESETS.find((p) => Math.abs(p.clipMin - this.clipMin) < 1e-9 && Math.abs(p.dinoMax - this.dinoMax) < 1e-9)?.id ?? 'custom',
  );

  /** What the miner filters with: the one request every slider, line and preset changes. */
  readonly filterRequest = $derived<Required<Omit<FilterOptions, 'limit' | 'categories'>>>({
    clipMin: this.clipMin,
    dinoMax: this.dinoMax,
    maxPerImage: this.maxPerImage,
    excludeNearDuplicates: this.excludeNearDuplicates,
    duplicateThreshold: this.duplicateThreshold,
    sameCategoryOnly: this.sameCategoryOnly,
  });

  /** Why a threshold is not where it was asked to go (a sentence), or ''. */
  thresholdNote = $state('');

  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  snapshot(): SessionSnapshot {
    return {
      clipEncoderId: this.clipEncoderId,
      dinoEncoderId: this.dinoEncoderId,
      clipMin: this.clipMin,
      dinoMax: this.dinoMax,
      floor: this.floor,
      maxPerImage: this.maxPerImage,
      excludeNearDuplicates: this.excludeNearDuplicates,
      duplicateThreshold: this.duplicateThreshold,
      sameCategoryOnly: this.sameCategoryOnly,
      projection: this.projection,
      backendPreference: this.backendPreference,
      precision: this.precision,
      keepOriginals: this.keepOriginals,
      theme: this.theme,
      hubCommits: this.hubCommits,
    };
  }

  apply(snapshot: SessionSnapshot): void {
    Object.assign(this, snapshot);
  }

  /**
   * Thresholds are kept at or above the floor (candidates below it were never stored) and
   * rounded to 0.001, the step the labels show. A CLIP value asked below the floor stops there
   * and `thresholdNote` says why.
   */
  setThresholds(clipMin: number, dinoMax: number): void {
    const asked = roundThreshold(clipMin);
    this.clipMin = clamp(asked, this.floor, 1);
    this.dinoMax = clamp(roundThreshold(dinoMax), -1, 1);
    this.thresholdNote = asked < this.floor ? floorNote(this.floor) : '';
  }

  /** Moves the floor (the miner then mines again); a CLIP threshold under the new floor rises to it. */
  setFloor(floor: number): void {
    const next = clamp(roundThreshold(floor), 0, 0.99);
    this.floor = next;
    if (this.clipMin < next) {
      this.clipMin = next;
      this.thresholdNote = floorNote(next);
    } else this.thresholdNote = '';
  }

  applyPreset(id: ThresholdPreset['id']): void {
    const preset = THRESHOLD_PRESETS.find((p) => p.id === id);
    if (preset) this.setThresholds(preset.clipMin, preset.dinoMax);
  }

  async restore(backend: SettingsBackend): Promise<void> {
    this.apply(sanitiseSnapshot(await backend.load(SESSION_KEY)));
  }

  /** Writes the session at most every `delayMs`. */
  scheduleSave(backend: SettingsBackend, delayMs = 300): void {
    const value = this.snapshot();
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void backend.save(SESSION_KEY, value), delayMs);
  }

  /** Persists every change from now on (debounced); returns the function that stops it. */
  attach(backend: SettingsBackend): () => void {
    return $effect.root(() => {
      $effect(() => {
        this.snapshot();
        this.scheduleSave(backend);
      });
    });
  }
}

function floorNote(floor: number): string {
  return `The CLIP threshold cannot go below the mining floor (${floor.toFixed(3)}): pairs under the floor were never kept. Lower the floor to mine them.`;
}
