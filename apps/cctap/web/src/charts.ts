/** The two charts over time (cost or tokens per day, by model and by project), drawn by Chart.js. */
import type { Chart as ChartType, ChartConfiguration } from 'chart.js';

/** Chart.js's browser build (assets/chart.js, loaded before this module) defines the global `Chart`. */
const ChartJs = (globalThis as unknown as { Chart: typeof ChartType }).Chart;

export interface Series {
  name: string;
  cost: number[];
  tokens: number[];
}

export interface ChartsData {
  days: string[];
  byModel: Series[];
  byProject: Series[];
}

export type Metric = 'cost' | 'tokens';

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563', '#db2777', '#a3a3a3'];

export class StackedChart {
  private chart: ChartType<'bar', number[], string> | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  show(days: readonly string[], series: readonly Series[], metric: Metric): void {
    const labels = days.map((d) => d.slice(5));
    const datasets = series.map((s, i) => ({
      label: s.name,
      data: metric === 'cost' ? s.cost.map((v) => Math.round(v * 100) / 100) : s.tokens,
      backgroundColor: COLORS[i % COLORS.length],
      stack: 'all',
    }));
    if (this.chart) {
      this.chart.data.labels = labels;
      this.chart.data.datasets = datasets;
      this.chart.update();
      return;
    }
    const config: ChartConfiguration<'bar', number[], string> = {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      },
    };
    this.chart = new ChartJs(this.canvas, config);
  }
}
