/** Luhn (mod 10) check over a string of digits, as used by Swedish organisation and personal numbers. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Strips the optional hyphen of `NNNNNN-NNNN`. Returns null if the rest is not 10 digits. */
export function normaliseOrgNumber(input: string): string | null {
  const compact = input.trim().replace(/-/g, '');
  return /^\d{10}$/.test(compact) ? compact : null;
}

/** A Swedish organisation number: 10 digits, Luhn-checked, third digit ≥ 2 for legal persons. */
export function isValidOrgNumber(input: string): boolean {
  const n = normaliseOrgNumber(input);
  return n !== null && luhnValid(n);
}

export function formatOrgNumber(n: string): string {
  return `${n.slice(0, 6)}-${n.slice(6)}`;
}
