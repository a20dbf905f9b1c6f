/**
 * `node --import tsx bench/summarize.ts <label> <commit> run1.log run2.log run3.log`: the median and the min–max of
 * each figure across saved `npm run bench` outputs, as JSON. bench/baseline.json was made this way, so a structural
 * change can be compared run for run against the code before it.
 */
import { readFileSync } from 'node:fs';

const [label, commit, ...files] = process.argv.slice(2);
if (!label || !commit || files.length === 0) {
  console.error('usage: summarize.ts <label> <commit> <bench log>...');
  process.exit(2);
}

const FIGURES: Record<string, RegExp> = {
  digest_read_ms: /read: median ([\d.]+) ms/,
  digest_triage_render_ms: /triage \+ render: median ([\d.]+) ms/,
  digest_whole_ms: /whole digest build \(median\)\s+\w+\s+([\d.]+) ms/,
  ack_bare_p99_median_round_ms: /median of rounds: bare ([\d.]+) ms/,
  ack_bot_p99_median_round_ms: /median of rounds: bare [\d.]+ ms, bot ([\d.]+) ms/,
  ack_ratio: /→ ratio ([\d.]+)/,
  ack_max_ms: /every ack < 3000 ms.*?max ([\d.]+) ms/,
  cache_hit_answer_p99_ms: /cache-hit answer p99 < 50 ms\s+\w+\s+([\d.]+) ms/,
  peak_rss_mb: /peak RSS < 250 MB\s+\w+\s+([\d.]+) MB/,
  burst_answer_p50_ms: /answer at response_url, burst\s+\d+\s+([\d.]+)/,
  chart_blocks_p95_ms: /blocks: median [\d.]+ ms, p95 ([\d.]+) ms/,
  png_warm_p95_ms: /PNG: first.*?p95 ([\d.]+) ms/,
  png_first_ms: /PNG: first \(loads ECharts \+ resvg\) ([\d.]+) ms/,
  what_changed_cold_ms: /what changed \(searches, last week\): ([\d.]+) ms cold/,
  parse_wall_p50_ms: /wall\s+p50 ([\d.]+) ms/,
  parse_wall_p99_ms: /wall\s+p50 [\d.]+ ms · p99 ([\d.]+) ms/,
  parse_cpu_p99_ms: /cpu\s+p50 [\d.]+ ms · p99 ([\d.]+) ms/,
  long_message_refusal_p99_ms: /refused as too long every time, p99 ([\d.]+) ms/,
};

const runs = files.map((file) => readFileSync(file, 'utf8'));
const figures: Record<string, { median: number; min: number; max: number; values: number[] }> = {};
for (const [name, pattern] of Object.entries(FIGURES)) {
  const values = runs.map((text) => Number(text.match(pattern)?.[1] ?? Number.NaN)).filter((v) => !Number.isNaN(v));
  const sorted = [...values].sort((a, b) => a - b);
  figures[name] = { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)!, values };
}
const failed = runs.map((text) =>
  text.split('\n').filter((line) => /\bFAIL\b/.test(line) && !/SOME TARGETS/.test(line)),
);

console.log(
  JSON.stringify(
    {
      label,
      commit,
      runs: runs.length,
      how: 'npm run bench, runs back to back on the idle 2-core machine; median and min–max of each figure',
      figures,
      failedTargets: failed,
    },
    null,
    2,
  ),
);
