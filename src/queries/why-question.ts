/**
 * "Why did signups drop last week?", "what drove the increase in searches?", "what changed in bounce rate since
 * October?": questions about a change. The words that ask "why" and name the direction are taken off; what remains is
 * an ordinary metric question (metric, period, filters) for the parser, and its period is compared with the one before.
 */

const WHY =
  /^\s*(?:and\s+)?(?:why\s+(?:did|does|do|is|are|was|were|has|have|had)|what\s+(?:drove|drives|caused|causes|explains|is\s+behind|was\s+behind|'?s\s+behind|changed\s+in|changed\s+for|happened\s+(?:to|with))|what's\s+behind|whats\s+behind|explain(?:\s+the)?\s+(?:change|drop|fall|decline|increase|rise|spike|dip|jump|move)\s+(?:in|of))\b/i;

/** "the increase in …": a direction noun naming the metric after it. */
const THE_MOVE_IN =
  /\bthe\s+(?:(?:big|sharp|sudden|recent)\s+)?(?:drop|fall|decline|decrease|increase|rise|spike|dip|jump|change|move|growth)\s+(?:in|of|for)\b/gi;
/** Direction and filler words that only say the metric moved ("signups drop last week"). */
const MOVED =
  /\b(?:so\s+)?(?:drop(?:ped)?|fall|fell|decline[ds]?|decrease[ds]?|increase[ds]?|rise|rose|risen|go(?:ne)?\s+(?:up|down)|went\s+(?:up|down)|change[ds]?|spike[ds]?|dip(?:ped)?|jump(?:ed)?|grow|grew|grown|move[ds]?|much|high|low)\b/gi;

/** The metric question inside a "why" question, or null when the text does not ask why something changed. */
export function readWhyQuestion(text: string): string | null {
  const m = WHY.exec(text);
  if (!m) return null;
  const rest = text
    .slice(m[0].length)
    .replace(THE_MOVE_IN, ' ')
    .replace(MOVED, ' ')
    .replace(/[?!.]+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return rest || null;
}
