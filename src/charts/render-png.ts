/**
 * Draws a data visualization block as a PNG on the server, with no browser and no native build: ECharts renders the
 * chart to an SVG string (server-side rendering), resvg turns the SVG into pixels. resvg draws no text without fonts,
 * so a font file shipped as an npm package (DejaVu Sans, a free licence) is passed explicitly and system fonts are
 * ignored: the picture looks the same on every host.
 */
import { createRequire } from 'node:module';
import type { DataVisualizationBlock, XyChart } from '../views/charts.js';

const require = createRequire(import.meta.url);
const FONT_FILE = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_FAMILY = 'DejaVu Sans';
const PALETTE = ['#1f6feb', '#8250df', '#1a7f37', '#bf8700', '#cf222e', '#57606a'];

export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
}

/** Renders chart blocks to PNG; the port the delivery code and the console use. */
export interface ChartRenderer {
  render(block: DataVisualizationBlock): Promise<ChartImage>;
}

type Echarts = typeof import('echarts');
type Resvg = typeof import('@resvg/resvg-js');

export interface RendererOptions {
  /** CSS pixels of the chart; the PNG is drawn at 1.5× so it stays sharp on high-density screens (2× costs twice). */
  width?: number;
  height?: number;
}

export function createChartRenderer(opts: RendererOptions = {}): ChartRenderer {
  const width = opts.width ?? 800;
  const height = opts.height ?? 420;
  // Loaded on first use: most processes never draw a picture.
  let libs: Promise<[Echarts, Resvg]> | undefined;
  return {
    async render(block) {
      libs ??= Promise.all([import('echarts'), import('@resvg/resvg-js')]);
      const [echarts, resvg] = await libs;
      const svg = chartSvg(echarts, block, width, height);
      const image = new resvg.Resvg(svg, {
        background: '#ffffff',
        fitTo: { mode: 'width', value: Math.round(width * 1.5) },
        font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
      }).render();
      return { png: image.asPng(), width: image.width, height: image.height };
    },
  };
}

/** The ECharts SVG for one chart block; the instance is disposed so nothing keeps the process alive. */
export function chartSvg(echarts: Echarts, block: DataVisualizationBlock, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(echartsOption(block) as Parameters<typeof chart.setOption>[0]);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function echartsOption(block: DataVisualizationBlock): Record<string, unknown> {
  const base = {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: FONT_FAMILY },
    title: { text: block.title, left: 12, top: 8, textStyle: { fontFamily: FONT_FAMILY, fontSize: 16 } },
  };
  const { chart } = block;
  if (chart.type === 'pie') {
    return {
      ...base,
      legend: { bottom: 4, textStyle: { fontFamily: FONT_FAMILY } },
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          data: chart.segments.map((s) => ({ name: s.label, value: s.value })),
          label: { fontFamily: FONT_FAMILY },
        },
      ],
    };
  }
  return { ...base, ...xyOption(chart) };
}

function xyOption(chart: XyChart): Record<string, unknown> {
  const axis = chart.axis_config;
  const many = chart.series.length > 1;
  return {
    grid: { left: 64, right: 24, top: many ? 72 : 48, bottom: axis.x_label ? 64 : 40, containLabel: true },
    legend: many ? { top: 36, textStyle: { fontFamily: FONT_FAMILY } } : undefined,
    xAxis: {
      type: 'category',
      data: axis.categories,
      name: axis.x_label,
      nameLocation: 'middle',
      nameGap: 32,
      axisLabel: { fontFamily: FONT_FAMILY, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      name: axis.y_label,
      nameTextStyle: { fontFamily: FONT_FAMILY, align: 'left' },
      axisLabel: { fontFamily: FONT_FAMILY },
    },
    series: chart.series.map((s) => ({
      name: s.name,
      type: chart.type === 'area' ? 'line' : chart.type,
      data: axis.categories.map((c) => s.data.find((d) => d.label === c)?.value ?? null),
      ...(chart.type === 'area' ? { areaStyle: { opacity: 0.35 } } : {}),
      ...(chart.type !== 'bar' ? { showSymbol: axis.categories.length <= 20, smooth: false } : {}),
    })),
  };
}
