import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A resource chart (uPlot: ~50 KB, canvas, made for live time series) of the last samples. */
export function Chart({ title, values, unit, testId }: { title: string; values: number[]; unit: (v: number) => string; testId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const width = Math.max(240, Math.min(560, host.current!.clientWidth || 560));
    plot.current = new uPlot(
      {
        title,
        width,
        height: 160,
        legend: { show: false },
        scales: { x: { time: false } },
        axes: [{ show: false }, { values: (_u, ticks) => ticks.map(unit), size: 70 }],
        series: [{}, { stroke: '#3b82f6', width: 2, fill: 'rgba(59,130,246,0.12)' }],
      },
      [[], []],
      host.current!,
    );
    return () => plot.current?.destroy();
  }, [title]);

  useEffect(() => {
    plot.current?.setData([values.map((_, i) => i), values]);
  }, [values]);

  return <div ref={host} class="chart" data-testid={testId} data-points={values.length} role="img" aria-label={`${title}: ${values.length} samples`} />;
}
