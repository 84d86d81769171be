const formatters = new Map<string, Intl.NumberFormat>();

/** 1999, 'eur' -> "€19.99" (locale-aware, cached per currency). */
export function formatPrice(cents: number, currency: string, locale = 'en-IE'): string {
  const key = `${locale}:${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() });
    formatters.set(key, formatter);
  }
  return formatter.format(cents / 100);
}
