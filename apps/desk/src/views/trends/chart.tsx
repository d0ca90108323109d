import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the pieces these charts use, so the trends chunk stays small.
Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

/**
 * One Chart.js chart on a canvas. A canvas says nothing to a screen reader, so it carries a label
 * and the page shows the same figures as a table.
 */
export function ChartCanvas({ config, label, rtl }: { config: ChartConfiguration; label: string; rtl: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      ...config,
      options: {
        ...config.options,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { ...config.options?.plugins, legend: { rtl, position: 'bottom' }, tooltip: { rtl } },
      },
    });
    return () => chart.destroy();
  }, [config, rtl]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
