/**
 * Which APT identifiers of one SDP govern which m-section (seed §6.1, SPEC §2.3):
 * - `session`: every m-section, wherever the attribute sits;
 * - `group` inside an m-section: that m-section and every m-section sharing an `a=group`
 *   line with it; at session level: every m-section named by any `a=group`;
 * - `mid` inside an m-section: that m-section; at session level: the m-section whose
 *   a=mid equals the attribute's `mid=` parameter.
 */
import type { AiPrefScopeKind, SdpAiPref, SessionDescription } from './sdp.js';

export interface SdpScopedApt {
  id: string;
  origin: AiPrefScopeKind;
  /** 1-based SDP line of the a=aipref attribute */
  line: number;
  /** m-section index the attribute sits in, or null when at session level */
  declaredIn: number | null;
  params: Record<string, string>;
}

export interface SdpScopes {
  /** per m-section index, the identifiers that apply to it */
  sections: SdpScopedApt[][];
  /** attributes that name no m-section (a group scope with no a=group, an unknown mid) */
  unapplied: SdpAiPref[];
}

export function scopesOfSdp(sdp: SessionDescription): SdpScopes {
  const sections: SdpScopedApt[][] = sdp.media.map(() => []);
  const unapplied: SdpAiPref[] = [];
  const indexByMid = new Map<string, number>();
  for (const m of sdp.media) if (m.mid !== null && !indexByMid.has(m.mid)) indexByMid.set(m.mid, m.index);

  const all = [...sdp.aiprefs, ...sdp.media.flatMap((m) => m.aiprefs)];
  for (const pref of all) {
    const targets = targetsOf(pref, sdp, indexByMid);
    if (targets.length === 0) {
      unapplied.push(pref);
      continue;
    }
    for (const index of targets) {
      const list = sections[index]!;
      if (list.some((s) => s.id === pref.id && s.origin === pref.scope && s.line === pref.line)) continue;
      list.push({ id: pref.id, origin: pref.scope, line: pref.line, declaredIn: pref.mediaIndex, params: pref.params });
    }
  }
  return { sections, unapplied };
}

function targetsOf(pref: SdpAiPref, sdp: SessionDescription, indexByMid: Map<string, number>): number[] {
  switch (pref.scope) {
    case 'session':
      return sdp.media.map((m) => m.index);
    case 'mid': {
      if (pref.mediaIndex !== null) return [pref.mediaIndex];
      const index = indexByMid.get(pref.params['mid'] ?? '');
      return index === undefined ? [] : [index];
    }
    case 'group': {
      const mids = new Set<string>();
      if (pref.mediaIndex === null) {
        for (const g of sdp.groups) for (const mid of g.mids) mids.add(mid);
      } else {
        const own = sdp.media[pref.mediaIndex]!.mid;
        for (const g of sdp.groups) if (own !== null && g.mids.includes(own)) for (const mid of g.mids) mids.add(mid);
      }
      const targets = new Set<number>();
      // the m-section carrying the attribute is always governed by it, grouped or not
      if (pref.mediaIndex !== null) targets.add(pref.mediaIndex);
      for (const mid of mids) {
        const index = indexByMid.get(mid);
        if (index !== undefined) targets.add(index);
      }
      return [...targets].sort((a, b) => a - b);
    }
  }
}
