import { contractPack } from './regimes/contract';
import { doraPack } from './regimes/dora';
import { gdprArt33Pack } from './regimes/gdpr-art33';
import { gdprArt34Pack } from './regimes/gdpr-art34';
import { hipaaPack } from './regimes/hipaa';
import { lgpdPack } from './regimes/lgpd';
import { nis2Pack } from './regimes/nis2';
import { nydfsPack } from './regimes/nydfs';
import { sec8kPack } from './regimes/sec-8k';
import type { RegimeId, RegimePack } from './types';

// Every regime the engine knows, by its public id. A Record over RegimeId, so a regime added to types.ts
// without a pack here fails to compile rather than being silently skipped.

export const REGIME_PACKS: Record<RegimeId, RegimePack> = {
  'gdpr-art33': gdprArt33Pack,
  'gdpr-art34': gdprArt34Pack,
  nis2: nis2Pack,
  dora: doraPack,
  'sec-8k': sec8kPack,
  hipaa: hipaaPack,
  nydfs: nydfsPack,
  lgpd: lgpdPack,
  contract: contractPack,
};

/** The packs in the order of REGIME_IDS (the order of `--list` and the README). */
export const ALL_PACKS: readonly RegimePack[] = Object.values(REGIME_PACKS);
