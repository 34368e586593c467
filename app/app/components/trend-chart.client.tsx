import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ProgressPoint } from '@tieout/db';

/*
 * Done and open items per day (uPlot: a small canvas chart, loaded on demand so pages without a chart do not ship
 * it), with the target signing date as a dashed vertical line when the deal has one.
 */

const dayToSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

export default function TrendChart({ points, targetDate, today }: { points: ProgressPoint[]; targetDate: string | null; today: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
    const axis = { stroke: dark ? '#94a3b8' : '#475569', grid: { stroke: dark ? '#1e293b' : '#e2e8f0' } };
    const last = Math.max(dayToSeconds(points.at(-1)?.day ?? today), targetDate ? dayToSeconds(targetDate) : 0);
    const data: uPlot.AlignedData = [
      points.map((point) => dayToSeconds(point.day)),
      points.map((point) => point.done),
      points.map((point) => point.open),
    ];
    const plot = new uPlot(
      {
        width: element.clientWidth || 600,
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: {
          x: { time: true, range: (_u, min) => [min - 86_400, last + 86_400] },
          y: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.1] },
        },
        axes: [
          // Calendar days (UTC), never hours: the record is one point per day.
          {
            ...axis,
            incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 91 * 86_400],
            values: (_u, splits) => splits.map((split) => new Date(split * 1000).toISOString().slice(5, 10)),
          },
          axis,
        ],
        // The legend reads the day under the pointer; with no pointer over the chart it shows dashes, not "--".
        series: [
          { label: 'Day', value: (_u, value) => (value == null ? '—' : new Date(value * 1000).toISOString().slice(0, 10)) },
          { label: 'Done', stroke: '#10b981', fill: 'rgba(16,185,129,0.12)', width: 2, value: (_u, value) => (value == null ? '—' : String(value)) },
          { label: 'Open', stroke: '#0284c7', width: 2, value: (_u, value) => (value == null ? '—' : String(value)) },
        ],
        hooks: {
          draw: [
            (u) => {
              if (!targetDate) return;
              const x = u.valToPos(dayToSeconds(targetDate), 'x', true);
              const { ctx } = u;
              ctx.save();
              ctx.strokeStyle = '#dc2626';
              ctx.setLineDash([6, 4]);
              ctx.lineWidth = 2;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.restore();
            },
          ],
        },
      },
      data,
      element,
    );
    const resize = () => plot.setSize({ width: element.clientWidth || 600, height: 240 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [points, targetDate, today]);
  return <div ref={box} role="img" aria-label="Items done and open per day" data-testid="trend-chart" />;
}
