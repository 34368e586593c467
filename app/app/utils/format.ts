const compactUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  minimumFractionDigits: 0,
  maximumFractionDigits: 1,
});

export function formatUsd(value: number | null): string {
  return value === null ? '—' : compactUsd.format(value);
}

export function titleCase(value: string): string {
  return value.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A typed figure with its unit: "1,300 MW", "$9B", "10.1%", "12 years"; "—" when not yet known. */
export function formatFigure(kind: string, unit: string, value: number | null): string {
  if (value === null) return '—';
  if (kind === 'usd') return formatUsd(value);
  if (kind === 'percent') return `${plain.format(value)}%`;
  return `${plain.format(value)} ${unit}`;
}
