/**
 * The local console's pictures: each chart block of a message drawn as a PNG under DATA_DIR/charts/, so a person
 * trying the bot locally sees the chart Slack would draw (the path is printed next to the text version).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChartRenderer } from '../charts/render-png.js';
import { type DataVisualizationBlock, isChartBlock } from '../views/charts.js';

export type SaveCharts = (blocks: unknown) => Promise<string[]>;

export function chartFiles(dataDir: string, renderer: ChartRenderer, clock: () => Date = () => new Date()): SaveCharts {
  const dir = path.join(dataDir, 'charts');
  let seq = 0;
  return async (blocks) => {
    const charts = (Array.isArray(blocks) ? blocks : []).filter(
      (b): b is DataVisualizationBlock => typeof b === 'object' && b !== null && isChartBlock(b),
    );
    if (charts.length === 0) return [];
    await mkdir(dir, { recursive: true });
    const stamp = clock().toISOString().replace(/[:.]/g, '-');
    const paths: string[] = [];
    for (const block of charts) {
      const name = `${stamp}-${++seq}-${block.title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 50)}.png`;
      const file = path.join(dir, name);
      await writeFile(file, (await renderer.render(block)).png);
      paths.push(file);
    }
    return paths;
  };
}
