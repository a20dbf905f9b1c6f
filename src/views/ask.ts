/** Thread replies for @-mentions and DMs: knowledge topics, the request process, and honest non-answers. */
import type { Button } from '@slack/types';
import type { Topic } from '../knowledge/knowledge.js';
import type { MetricCatalog } from '../queries/catalog.js';
import { FOUR_QUESTIONS } from '../requests/data-request.js';
import { type AnyBlock, actions, button, clip, context, escapeMrkdwn, type Message, section } from './blocks.js';
import { indexedButtons } from './ids.js';
import { ASK_SUGGESTION_ACTION, OPEN_DATA_REQUEST_ACTION } from './metric-answer.js';

const ASK_TOPIC_ACTION = 'ask_topic';
export const ASK_TOPIC_ACTIONS = indexedButtons(ASK_TOPIC_ACTION);
const OPEN_LINK_ACTION = 'open_link';
/** A topic's link buttons: they open a URL, and Slack still sends the click. */
export const OPEN_LINK_ACTIONS = indexedButtons(OPEN_LINK_ACTION);

const requestButton = (text: string) =>
  button('Request data', OPEN_DATA_REQUEST_ACTION, { value: clip(text, 150), style: 'primary' });

function metricButtons(names: string[], catalog: MetricCatalog): Button[] {
  return names
    .map((n) => catalog.metric(n))
    .filter((m) => m !== undefined)
    .slice(0, 3)
    .map((m, i) => button(m.label, `${ASK_SUGGESTION_ACTION}_${i}`, { value: m.name }));
}

export function topicMessage(topic: Topic, catalog: MetricCatalog): Message {
  const blocks: AnyBlock[] = [section(`*${escapeMrkdwn(topic.title)}*\n${clip(topic.answer, 2900)}`)];
  const buttons: Button[] = (topic.links ?? [])
    .slice(0, 3)
    .map((l, i) => button(l.label, `${OPEN_LINK_ACTION}_${i}`, { url: l.url }));
  buttons.push(...metricButtons(topic.related_metrics ?? [], catalog));
  if (buttons.length > 0) blocks.push(actions('topic_actions', buttons));
  return { text: `${escapeMrkdwn(topic.title)}: ${clip(topic.answer.replace(/[*_`>]/g, ''), 300)}`, blocks };
}

export function requestProcessReply(question: string, topic?: Topic): Message {
  const blocks: AnyBlock[] = [
    section(
      topic
        ? clip(topic.answer, 2900)
        : '*Requesting a data project*\nProjects go on the analytics board as an issue, and the team triages the board every day.',
    ),
    section(`Every request answers four questions:\n${FOUR_QUESTIONS.map((q, i) => `${i + 1}. ${q}`).join('\n')}`),
    actions('request_actions', [requestButton(question)]),
    context('The button opens a short form with those questions, prefilled with what you asked, and files it for you.'),
  ];
  return { text: 'How to request data from the analytics team: the four questions, filed on the board.', blocks };
}

export function cannotAnswerMessage(
  question: string,
  metricNames: string[],
  topics: Topic[],
  catalog: MetricCatalog,
): Message {
  const blocks: AnyBlock[] = [
    section(
      "I can't answer that from the metric catalog or the team's notes, and I won't guess a number. " +
        'An analyst will see it here; if it needs real work, request it:',
    ),
  ];
  const options: Button[] = [
    ...metricButtons(metricNames, catalog),
    ...topics.slice(0, 2).map((t, i) => button(t.title, `${ASK_TOPIC_ACTION}_${i}`, { value: t.id })),
  ];
  if (options.length > 0) blocks.push(section('*Closest things I do know:*'), actions('closest', options));
  blocks.push(actions('request_actions', [requestButton(question)]));
  return {
    text: "I can't answer that, and I won't guess a number. Closest options and a request button below.",
    blocks,
  };
}

export function lookingMessage(): Message {
  return { text: 'Looking that up…', blocks: [context(':hourglass_flowing_sand: Looking that up…')] };
}
