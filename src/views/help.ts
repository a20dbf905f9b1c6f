/** `/analytics help`: what the bot can do, with examples. Lists only subcommands that exist. */
import { type AnyBlock, actions, button, context, divider, header, type Message, section } from './blocks.js';
import { escapeMrkdwn } from './escape.js';

export interface Subcommand {
  usage: string;
  description: string;
}

/** The `/analytics` subcommands. Order is the order shown to people. */
export const SUBCOMMANDS: Subcommand[] = [
  { usage: '/analytics <question>', description: 'Answer a metric question from the metric catalog' },
  { usage: '/analytics list', description: 'Show every metric the bot knows, grouped by data source' },
  { usage: '/analytics request [title]', description: 'Request a data project from the team (files it on the board)' },
  {
    usage: '/analytics watch <question> daily|weekly|monthly [at 9:00] [here|dm]',
    description: 'Post a metric on a schedule, here or to you',
  },
  {
    usage: '/analytics alert when <metric> drop|rise more than 20% week over week | is above 60% | look unusual',
    description: 'Tell you when a metric moves',
  },
  { usage: '/analytics watches', description: 'List this channel’s and your watches and alerts (alias: alerts)' },
  { usage: '/analytics my', description: 'List your data requests and where they stand' },
  { usage: '/analytics digest', description: 'Preview today’s triage digest of the analytics board (only you see it)' },
  { usage: '/analytics help', description: 'Show this help' },
];

export const QUESTION_EXAMPLES = [
  'weekly active users last 4 weeks by plan',
  'signups this month vs previous',
  'searches per day since Oct 1 daily',
  'active self-hosted instances by deployment type',
];

export function helpMessage(intro?: string): Message {
  const blocks: AnyBlock[] = [];
  if (intro) blocks.push(section(intro));
  blocks.push(
    header('analytics-bot: how to get numbers'),
    section(
      'Self-serve first: ask me for a metric and I answer from the governed metric catalog. ' +
        'Small asks go to the analytics channel; real projects go on the team board as a data request.',
    ),
    section(SUBCOMMANDS.map((s) => `\`${escapeMrkdwn(s.usage)}\` — ${s.description}`).join('\n')),
    divider(),
    section(`*Try:*\n${QUESTION_EXAMPLES.map((q) => `• \`/analytics ${q}\``).join('\n')}`),
    context(
      'Time ranges: _yesterday, last 7 days, last 4 weeks, this month, Q3, in 2025, since Oct 1_. ' +
        'Grain: _daily, weekly, monthly_. Breakdowns: _by plan_. Comparisons: _vs previous_.',
    ),
    section('Need more than a number? Request a data project: a short form with the four questions the team asks.'),
    // The value "help" opens an empty form (no title to prefill); the action id is the request button's everywhere.
    actions('help_actions', [button('Request data', 'open_data_request', { value: 'help', style: 'primary' })]),
  );
  const text = [intro, 'analytics-bot help', ...SUBCOMMANDS.map((s) => `${escapeMrkdwn(s.usage)}: ${s.description}`)]
    .filter(Boolean)
    .join('\n');
  return { response_type: 'ephemeral', text, blocks };
}
