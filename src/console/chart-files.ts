/**
 * The local console's pictures: each chart block of a message drawn as a PNG under DATA_DIR/charts/, so a person
 * trying the bot locally sees the chart Slack would draw (the path is printed next to the text version). The paths
 * are known at once, so the console can print them with the message; the files are written right after.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChartRenderer } from '../charts/render-png.js';
import { type DataVisualizationBlock, isChartBlock } from '../views/charts.js';

export type SaveCharts = (blocks: unknown) => { paths: string[]; written: Promise<void> };

export function chartFiles(dataDir: string, renderer: ChartRenderer, clock: () => Date = () => new Date()): SaveCharts {
  const dir = path.join(dataDir, 'charts');
  let seq = 0;
  return (blocks) => {
    const charts = (Array.isArray(blocks) ? blocks : []).filter(
      (b): b is DataVisualizationBlock => typeof b === 'object' && b !== null && isChartBlock(b),
    );
    if (charts.length === 0) return { paths: [], written: Promise.resolve() };
    mkdirSync(dir, { recursive: true });
    const stamp = clock().toISOString().replace(/[:.]/g, '-');
    const files = charts.map((block) => {
      const slug = block.title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 50);
      return { block, file: path.join(dir, `${stamp}-${++seq}-${slug}.png`) };
    });
    const written = (async () => {
      for (const { block, file } of files) await writeFile(file, (await renderer.render(block)).png);
    })();
    return { paths: files.map((f) => f.file), written };
  };
}
