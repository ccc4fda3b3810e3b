/** A small SVG line of the last values (no library: 60 points per row, redrawn on each sample). */
export function Sparkline({ values, max, label }: { values: number[]; max?: number; label: string }) {
  const w = 80;
  const h = 20;
  if (values.length < 2) return <svg class="spark" width={w} height={h} role="img" aria-label={`${label}: not enough samples yet`} />;
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const step = w / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 1 - (v / top) * (h - 2)).toFixed(1)}`).join(' ');
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label} data-points={values.length}>
      <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}
