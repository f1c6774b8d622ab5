/** `N:rest` → its epoch N and the rest; no epoch (or a non-numeric one) is 0, as dpkg and rpm read it. Surrounding blanks are ignored. */
export function splitEpoch(text: string): { epoch: number; rest: string } {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon >= 0 && /^\d+$/.test(trimmed.slice(0, colon))) return { epoch: Number(trimmed.slice(0, colon)), rest: trimmed.slice(colon + 1) };
  return { epoch: 0, rest: trimmed };
}
