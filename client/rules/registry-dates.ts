/** The registry writes dates as `DD.MM.YYYY` (sometimes with a trailing dot or malformed, e.g. `21.04.0211`). */
const REGISTRY_DATE = /^(\d{2})\.(\d{2})\.(\d{4})\.?$/;

/** Years outside this window are data-entry errors on the site (`0211` for `2011`): kept raw, not parsed. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;

/** `DD.MM.YYYY` → ISO `YYYY-MM-DD`, or null when the string is not a real calendar date. */
export function parseRegistryDate(raw: string | null | undefined): string | null {
  const match = REGISTRY_DATE.exec((raw ?? '').trim());
  if (!match) return null;
  const [, dd, mm, yyyy] = match;
  const year = Number(yyyy);
  const month = Number(mm);
  const day = Number(dd);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${yyyy}-${mm}-${dd}`;
}

/** ISO `YYYY-MM-DD` → `DD.MM.YYYY`, the form the registry's date inputs expect. */
export function formatRegistryDate(iso: string): string {
  const [yyyy, mm, dd] = iso.split('-');
  return `${dd}.${mm}.${yyyy}`;
}

/** A date as the registry shows it plus its parsed value: raw is always kept because bad dates are real data. */
export interface RegistryDate {
  raw: string;
  iso: string | null;
}

export function registryDate(raw: string | null | undefined): RegistryDate {
  const trimmed = (raw ?? '').trim();
  return { raw: trimmed, iso: parseRegistryDate(trimmed) };
}
