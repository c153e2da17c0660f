// Entity-level precision/recall/F1 exactly as Python seqeval's default (lenient IOB) mode, plus token accuracy.

export interface Entity { type: string; start: number; end: number }
export interface Scores { precision: number; recall: number; f1: number }
export interface TypeScores extends Scores { support: number }
/** seqeval's report: micro precision, recall and F1, token accuracy, the same scores per entity type, and entity counts. */
export interface SeqevalReport extends Scores {
  /** Micro-averaged over all types (seqeval's default `f1_score`). */
  accuracy: number;
  /** Per entity type, sorted by name: the rows of seqeval's classification_report. */
  perType: Record<string, TypeScores>;
  /** Entities in the gold and predicted sequences. */
  trueEntities: number;
  predEntities: number;
}

/** seqeval's split of a tag: the first character is the tag, the rest after one "-" is the type ("_" when empty). */
function splitTag(chunk: string): [string, string] {
  const rest = chunk.slice(1);
  const dash = rest.indexOf("-");
  return [chunk.slice(0, 1), (dash < 0 ? rest : rest.slice(dash + 1)) || "_"];
}

/** seqeval `end_of_chunk`: does the chunk that holds the previous tag end before this one? */
function endOfChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (prevTag === "E" || prevTag === "S") return true;
  if ((prevTag === "B" || prevTag === "I") && (tag === "B" || tag === "S" || tag === "O")) return true;
  return prevTag !== "O" && prevTag !== "." && prevType !== type;
}

/** seqeval `start_of_chunk`: does a chunk start at this tag? (So "I-X" after "O" starts an entity.) */
function startOfChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (tag === "B" || tag === "S") return true;
  if ((prevTag === "E" || prevTag === "S" || prevTag === "O") && (tag === "E" || tag === "I")) return true;
  return tag !== "O" && tag !== "." && prevType !== type;
}

/** seqeval `get_entities` on one sequence: inclusive [start, end] spans. A trailing "O" closes the last entity. */
export function getEntities(seq: readonly string[]): Entity[] {
  const chunks: Entity[] = [];
  let prevTag = "O", prevType = "", begin = 0;
  [...seq, "O"].forEach((chunk, i) => {
    const [tag, type] = splitTag(chunk);
    if (endOfChunk(prevTag, tag, prevType, type)) chunks.push({ type: prevType, start: begin, end: i - 1 });
    if (startOfChunk(prevTag, tag, prevType, type)) begin = i;
    prevTag = tag; prevType = type;
  });
  return chunks;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den); // seqeval zero_division → 0
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/** Scores of gold vs predicted tag sequences (one array per document/sentence). */
export function seqevalReport(yTrue: readonly (readonly string[])[], yPred: readonly (readonly string[])[]): SeqevalReport {
  if (yTrue.length !== yPred.length) throw new Error(`[seqeval] ${yTrue.length} gold sequences but ${yPred.length} predicted`);
  const key = (s: number, e: Entity): string => `${s}:${e.start}:${e.end}`;
  const gold = new Map<string, Set<string>>(), pred = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, e: Entity, s: number): void => { let set = m.get(e.type); if (!set) m.set(e.type, (set = new Set())); set.add(key(s, e)); };
  let correct = 0, total = 0;
  yTrue.forEach((t, s) => {
    const p = yPred[s];
    if (t.length !== p.length) throw new Error(`[seqeval] sequence ${s}: ${t.length} gold tags but ${p.length} predicted`);
    getEntities(t).forEach((e) => add(gold, e, s));
    getEntities(p).forEach((e) => add(pred, e, s));
    t.forEach((tag, i) => { correct += tag === p[i] ? 1 : 0; total += 1; });
  });
  const types = [...new Set([...gold.keys(), ...pred.keys()])].sort();
  const perType: Record<string, TypeScores> = {};
  let tpAll = 0, goldAll = 0, predAll = 0;
  for (const type of types) {
    const g = gold.get(type) ?? new Set<string>(), p = pred.get(type) ?? new Set<string>();
    let tp = 0;
    for (const k of p) if (g.has(k)) tp++;
    const precision = ratio(tp, p.size), recall = ratio(tp, g.size);
    perType[type] = { precision, recall, f1: f1Of(precision, recall), support: g.size };
    tpAll += tp; goldAll += g.size; predAll += p.size;
  }
  const precision = ratio(tpAll, predAll), recall = ratio(tpAll, goldAll);
  return { precision, recall, f1: f1Of(precision, recall), accuracy: ratio(correct, total), perType, trueEntities: goldAll, predEntities: predAll };
}
