/** Money is handled in integer cents and shown as two-decimal strings; never as floats. */
const MONEY = /^-?\d{1,8}(\.\d{1,2})?$/;

export function toCents(amount: string): number {
  if (!MONEY.test(amount)) throw new RangeError(`not a money amount: ${amount}`);
  const negative = amount.startsWith('-');
  const [whole, frac = ''] = amount.replace('-', '').split('.');
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return negative ? -cents : cents;
}

export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
