/**
 * Named injection and jailbreak patterns, matched against canonical text (lower case, folded, see
 * normalize.ts). A rule's weight is roughly the probability that a text it fires on is an attack;
 * rules at or above DECISIVE_WEIGHT flag a text on their own.
 *
 * Every pattern is linear: gaps are bounded (`{0,40}`) and no quantified group repeats over
 * characters another part of it can also take, so repeated adversarial input cannot make them
 * backtrack. The words are stems without `\b` outside English, because `\b` only knows ASCII.
 */

export interface InjectionRule {
  /** `<category>.<what>`, shared by every language the pattern covers. */
  readonly name: string;
  readonly weight: number;
  readonly pattern: RegExp;
}

/** Rules at or above this weight are decisive: the text is flagged whatever the model says. */
export const DECISIVE_WEIGHT = 0.9;

const GAP = '[^.!?\\n]{0,40}?';

/** verb … (qualifier … noun | noun … qualifier), the shape "ignore all previous instructions" takes in most languages. */
function override(verbs: string, qualifiers: string, nouns: string): RegExp {
  return new RegExp(`(?:${verbs})${GAP}(?:(?:${qualifiers})${GAP}(?:${nouns})|(?:${nouns})${GAP}(?:${qualifiers}))`);
}

const RULES_SOURCE: ReadonlyArray<readonly [string, number, RegExp]> = [
  // — instruction override —
  ['override.ignore_previous', 0.95, override(
    '\\b(?:ignore|disregard|forget|skip|override|overrule|bypass|drop|abandon|neglect|do not follow|don\'t follow|stop following)',
    '\\b(?:previous|prior|above|earlier|preceding|former|original|initial|old|all|any|every|system|developer|existing|your)\\b',
    '\\b(?:instructions?|prompts?|rules|directions?|directives?|guidelines|commands?|context|constraints|programming|orders|guardrails|policies)\\b')],
  ['override.ignore_previous', 0.95, override('ignorier|vergiss|vergesst|missachte|übergehe|verwirf', 'vorherig|bisherig|obig|vorangegangen|früher|alle|deine|ihre|ursprünglich|system', 'anweisung|instruktion|befehl|regeln|vorgaben|richtlinie|anordnung')],
  ['override.ignore_previous', 0.95, override('ignore|oublie|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction|écarte', 'précédent|antérieur|ci-dessus|toutes|tous|initial|vos |tes |du système', 'instruction|consigne|directive|règle|ordre')],
  ['override.ignore_previous', 0.95, override('ignora|olvida|omite|haz caso omiso|no sigas|descarta|ignore', 'anterior|previa|de arriba|todas|todos|tus |sus |iniciales|del sistema', 'instruccion|instrucción|indicacion|indicación|regla|orden|directriz|directiva')],
  ['override.ignore_previous', 0.95, override('ignora|dimentica|trascura|non seguire|tralascia', 'precedent|sopra|tutte|tutti|iniziali|tue |del sistema', 'istruzion|indicazion|regol|ordin|diretti')],
  ['override.ignore_previous', 0.95, override('ignore|ignora|esqueça|esqueca|esquece|desconsidere|desconsidera|não siga|nao siga', 'anterior|prévia|previa|acima|todas|todos|suas |tuas |iniciais|do sistema', 'instruç|instruc|orientaç|orientac|regra|ordem|ordens|diretriz')],
  ['override.ignore_previous', 0.95, override('negeer|vergeet|volg niet', 'vorige|eerdere|bovenstaande|alle|je |jouw|oorspronkelijke', 'instructie|regels|opdracht|richtlijn')],
  ['override.ignore_previous', 0.95, override('zignoruj|ignoruj|zapomnij|pomiń|pomin|nie stosuj się', 'poprzedni|wcześniejsz|wczesniejsz|powyższ|powyzsz|wszystki|twoje', 'instrukcj|polece|zasad|reguł|regul')],
  ['override.ignore_previous', 0.95, override('игнорируй|проигнорируй|забудь|не обращай внимания|не следуй|отбрось', 'предыдущ|прошл|вышеуказанн|выше|все |всех|свои|исходн', 'инструкци|указани|правил|команд|директив')],
  ['override.ignore_previous', 0.95, /(?:忽略|无视|忽视|忘记|忘掉|不要理会|不要遵守|無視|忘れ)[^。！？\n]{0,20}?(?:之前|以上|上面|先前|前面|所有|一切|原来|これまで|以前|上記|前)[^。！？\n]{0,10}?(?:指令|指示|说明|規則|规则|提示|命令|ルール|設定)|(?:以前|前|上記|これまで|全て|すべて)の(?:指示|命令|ルール|設定)[^。！？\n]{0,10}?(?:無視|忘れ)/],
  ['override.new_instructions', 0.6, /\b(?:new|updated|real|actual|revised|true|secret) (?:system )?(?:instructions?|task|directives?|orders)\s?[:-]|\bfrom now on,? (?:you|your|ignore|only|always|never|respond|answer)|\binstead,? (?:you (?:must|should|will)|do the following|respond|answer|reply|output)|\byour (?:new|real|only) (?:task|goal|objective|purpose|instructions?) (?:is|are)\b/],
  ['override.new_instructions', 0.6, /neue anweisung|ab (?:jetzt|sofort) (?:bist|wirst|antwortest|musst) du|nouvelles? (?:instruction|consigne)|à partir de maintenant,? (?:tu|vous)|nuevas? instrucci|a partir de ahora,? (?:eres|serás|responde|debes)|nuove istruzioni|d'ora in poi|novas? instruç|a partir de agora,? (?:você|voce|tu)|nieuwe instructie|vanaf nu ben je|nowe instrukcj|od teraz jesteś|новые инструкции|с этого момента ты|新的指令|从现在开始你|今後あなたは|新しい指示/],

  // — role and system impersonation —
  ['role.system_impersonation', 0.75, /<\|?(?:im_start|im_end|system|endoftext|start_header_id|eot_id)\|?>|\[\/?(?:inst|system|sys)\]|<<\/?sys>>|<\/?(?:system|system_prompt|instructions?|admin)>|^\s*(?:#{1,4}\s*)?(?:system|developer)(?: message| prompt| note| override)?\s*:\s*\S|\b(?:message|note|update|alert|notice) from (?:the )?(?:system|developer|administrator|admin|openai|anthropic)\b/m],
  ['role.persona_switch', 0.5, /\byou are (?:now|no longer|going to (?:act|pretend|be))\b|\b(?:pretend|act|behave|roleplay|role-play) (?:to be|as if you|like you are|as (?:an? )?(?:unrestricted|unfiltered|evil|uncensored|different))|\bswitch (?:to|into) \w+ mode\b|\bdu bist (?:jetzt|nun|ab sofort)|\btu es (?:maintenant|désormais)|\b(?:ahora eres|a partir de ahora eres)|\bora sei\b|\bagora você é|\bты теперь\b|你现在是|あなたは今から/],

  // — jailbreak personas and modes —
  ['jailbreak.dan', 0.95, /\bdo anything now\b|\b(?:dan|stan|dude|aim|kevin|mongo tom|betterdan|antigpt|dev ?mode) (?:mode|prompt|jailbreak)\b|\bas dan\b|\bdan,? (?:which|who) stands for\b|\bjailbr(?:oken|eak mode|eak enabled)\b|\bdeveloper mode (?:enabled|output|is on)\b|\b(?:evil|unfiltered|uncensored|unrestricted) (?:ai|assistant|chatbot|confidant|mode)\b|\bmode (?:développeur|desarrollador|sviluppatore) (?:activé|activado|attivata)/],
  ['jailbreak.no_restrictions', 0.7, /\b(?:without|free (?:of|from)|no longer (?:bound|restricted) by|not bound by|break free of|ignore) (?:any |all |the |your |its )?(?:ethical |moral |content |safety )?(?:restrictions|limitations|filters|censorship|guidelines|policies|rules|morals|ethics|boundaries)\b[^.\n]{0,40}?\b(?:you|answer|respond|reply|will|can|must)\b|\b(?:openai|anthropic|content) polic(?:y|ies) (?:do(?:es)? not|no longer) apply|\bstay in character\b|\bnever refuse\b|\bcannot refuse\b|\bohne (?:jegliche )?(?:einschränkungen|filter|zensur)|\bsans (?:aucune )?(?:restriction|censure|filtre)|\bsin (?:ninguna )?(?:restricci|censura|filtro)|\bsenza (?:alcuna )?(?:restrizion|censura|filtri)|\bsem (?:nenhuma )?(?:restriç|restric|censura)|без (?:каких-либо )?(?:ограничений|цензуры)|没有任何限制|不受任何限制|制限なし/],

  // — system prompt leaks —
  ['prompt_leak.reveal_system_prompt', 0.8, /\b(?:reveal|show|print|output|repeat|display|leak|dump|disclose|tell me|give me|share|return|write out|spell out|recite)\b[^.!?\n]{0,30}?\b(?:system|initial|original|hidden|secret|internal|developer|pre-?prompt)\s?(?:prompt|instructions?|message|rules|configuration)\b|\bwhat (?:is|are|were) your (?:system prompt|initial instructions|original instructions|instructions|hidden rules)\b|\brepeat (?:the|all|every) (?:words|text|lines|sentences) above\b|\b(?:everything|all text|the text) (?:above|before) (?:this|the first)\b/],
  ['prompt_leak.reveal_system_prompt', 0.8, /(?:zeig|gib|verrate|nenne|wiederhole)[^.!?\n]{0,30}?(?:system-?prompt|systemanweisung|deine (?:anweisungen|instruktionen))|(?:révèle|affiche|montre|donne|répète)[^.!?\n]{0,30}?(?:prompt (?:système|systeme|initial)|instructions (?:système|initiales)|(?:tes|vos) instructions)|(?:revela|muestra|dime|repite|imprime)[^.!?\n]{0,30}?(?:prompt del sistema|instrucciones (?:del sistema|iniciales)|tus instrucciones)|(?:rivela|mostra|dimmi|ripeti|stampa)[^.!?\n]{0,30}?(?:prompt di sistema|istruzioni (?:di sistema|iniziali)|tue istruzioni)|(?:revele|mostre|diga|repita|imprima)[^.!?\n]{0,30}?(?:prompt do sistema|instruções (?:do sistema|iniciais)|suas instruções)|(?:покажи|раскрой|выведи|повтори)[^.!?\n]{0,30}?(?:системн\S* (?:промпт|подсказк|инструкци|сообщени)|свои инструкции)|(?:显示|告诉我|输出|泄露|重复)[^。！？\n]{0,10}?(?:系统提示|系统指令|初始指令|你的指令)|システムプロンプト[^。！？\n]{0,10}?(?:教え|表示|見せ|出力)/],

  // — exfiltration —
  ['exfil.markdown_image', 0.9, /!\[[^\]\n]{0,200}\]\(\s*https?:\/\/[^)\s]{1,300}[?&=][^)\s]{0,300}\)|<img[^>]{0,200}src=["']?https?:\/\/[^"'\s>]{1,300}[?&][^"'\s>]{0,300}(?:\{|%7b|\$|data|secret|token|key|chat|conversation|history)/],
  ['exfil.send_data', 0.75, /\b(?:send|forward|email|post|upload|transmit|exfiltrate|leak|append|include)\b[^.!?\n]{0,40}?\b(?:conversation|chat history|previous messages|user'?s? (?:data|password|credentials|api key|emails?|files?|messages|information)|api keys?|credentials|passwords|secrets|tokens|session cookies?|private keys?|system prompt)\b[^.!?\n]{0,40}?\b(?:to|into|at|via)\b[^.!?\n]{0,30}?(?:https?:\/\/|www\.|@[a-z0-9-]+\.|webhook|attacker|this (?:url|address|server|endpoint))/],

  // — hijacking tools and actions —
  ['tool.hijack', 0.7, /\b(?:call|invoke|use|run|execute|trigger)\b (?:the |your )?[`'"]?[a-z_]{3,40}[`'"]? (?:tool|function|plugin|action|api)\b[^.!?\n]{0,40}?\b(?:to|and|with)\b[^.!?\n]{0,40}?\b(?:send|delete|transfer|forward|email|post|wire|pay|grant|share|upload|drop|remove)\b|\b(?:execute|run) (?:the following|this) (?:command|code|script|shell|sql)\b[^\n]{0,20}?(?:rm -rf|curl |wget |powershell|drop table|chmod|nc -e|base64 -d|\| ?(?:sh|bash))|\b(?:transfer|wire|send) \$?[0-9][0-9,.]*\s?(?:usd|eur|dollars|euros|btc|bitcoin)? to (?:account|iban|wallet|the (?:account|wallet))\b/],

  // — text addressed to the model that reads the document —
  ['indirect.addressed_to_ai', 0.65, /\b(?:if you are|as) an? (?:ai|llm|language model|large language model|assistant|chatbot|ai assistant|agent)\b[^.!?\n]{0,30}?\b(?:reading|processing|summari[sz]ing|you must|you should|please|must|ignore|do not)\b|\b(?:attention|note|instructions?|message|important) (?:to|for) (?:the |any )?(?:ai|llm|assistant|language model|chatbot|agent|ai assistant|ai model|gpt|claude|model reading this)\b|\b(?:dear|hey|hello|hi) (?:ai|assistant|chatgpt|llm|claude|gpt|bot)\b[^.!?\n]{0,10}?[,:!]|\b(?:an die ki|à l'ia|a la ia|all'ia|para a ia|voor de ai|do ai|для ии|给ai|给人工智能|aiへ)\b/],
  ['indirect.response_manipulation', 0.45, /\b(?:in|to|throughout|at the (?:end|start|beginning) of) (?:your|the) (?:response|reply|answer|output|summary|next message)\b[^.!?\n]{0,60}?\b(?:include|add|mention|insert|recommend|suggest|append|use|write|say|tell|promote|advertise|provide)|\b(?:include|add|insert|append|mention|embed|integrate)\b[^.!?\n]{0,80}?\b(?:in|into|to|within) (?:your|the) (?:response|reply|answer|output|summary)\b|\b(?:respond|reply|answer)\b (?:only |exclusively )?(?:in|using|with) (?:base64|morse|emojis?|pig latin|reverse|leetspeak|all caps|rot13|hex)\b|\b(?:begin|start|end) (?:your|each|every) (?:response|reply|answer)s? with\b/],
  ['indirect.response_manipulation', 0.45, /in (?:deiner|ihrer|der) antwort|dans (?:ta|votre) réponse|en (?:tu|su) respuesta|nella (?:tua|sua) risposta|na (?:sua|tua) resposta|in je antwoord|w (?:swojej|twojej) odpowiedzi|в (?:своём|своем|твоем|твоём|вашем) ответе|在你的回答中|回答の中で/],

  // — encoded payloads the reader is told to decode and obey —
  ['obfuscation.decode_and_follow', 0.6, /\b(?:decode|decrypt|translate|convert|reverse) (?:this|the following|the below|it)\b[^.!?\n]{0,40}?\b(?:and|then)\b[^.!?\n]{0,20}?\b(?:follow|execute|obey|do|perform|run|carry out)\b|\b(?:base64|rot13|hex|binary|morse)[- ](?:encoded|decoded)?\s?(?:instructions?|commands?|payload|message)\b[^.!?\n]{0,40}?\b(?:follow|execute|obey|run)\b/],
];

/** All rules, in a fixed order. */
export const INJECTION_RULES: readonly InjectionRule[] = RULES_SOURCE.map(([name, weight, pattern]) => ({ name, weight, pattern }));

/**
 * Substrings of canonical text at least one of which lies inside every match of every rule above,
 * grouped by rule. They keep the rules cheap: one literal scan finds the few lines that hold one,
 * and only those lines go through the patterns. Adding or changing a rule means adding here a
 * word every match of it must contain (rules.test.ts checks the rules against data without this
 * shortcut).
 */
const TRIGGERS: readonly string[] = [
  // override.ignore_previous
  'ignor', 'disregard', 'forget', 'skip', 'overrid', 'overrul', 'bypass', 'drop', 'abandon', 'neglect', 'follow',
  'vergiss', 'vergesst', 'missachte', 'übergehe', 'verwirf', 'oublie', 'compte', 'abstraction', 'écarte', 'olvida', 'omite', 'omiso', 'sigas',
  'descarta', 'dimentica', 'trascura', 'seguire', 'tralascia', 'esqueça', 'esqueca', 'esquece', 'desconsider', 'siga', 'negeer', 'vergeet', 'volg',
  'zapomnij', 'pomiń', 'pomin', 'stosuj', 'игнорир', 'забудь', 'обращай', 'следуй', 'отбрось',
  '忽略', '无视', '忽视', '忘记', '忘掉', '理会', '遵守', '無視', '忘れ',
  // override.new_instructions
  'instruc', 'task', 'directive', 'orders', 'from now', 'instead', 'goal', 'objective', 'purpose', 'anweisung', 'ab jetzt', 'ab sofort', 'consigne',
  'partir de', 'istruzion', 'ora in poi', 'instruç', 'instructie', 'vanaf nu', 'instrukcj', 'od teraz', 'инструкци', 'этого момента', '指令', '现在开始',
  '今後', '指示',
  // role.system_impersonation
  'im_start', 'im_end', 'system', 'endoftext', 'header_id', 'eot_id', 'inst]', 'sys]', 'sys>>', 'admin', 'developer', 'openai', 'anthropic',
  // role.persona_switch
  'you are', 'pretend', 'behave', 'roleplay', 'role-play', 'act to', 'act as', 'act like', 'switch', 'du bist', 'tu es', 'ahora eres', 'ora sei',
  'agora voc', 'ты теперь', '你现在是', 'あなたは今から',
  // jailbreak.dan
  'anything now', 'mode', 'prompt', 'jailbr', 'as dan', 'stands for', 'evil', 'unfiltered', 'uncensored', 'unrestricted',
  // jailbreak.no_restrictions
  'restri', 'limitation', 'filter', 'censor', 'censur', 'guideline', 'polic', 'rules', 'morals', 'ethics', 'boundaries', 'in character', 'refuse',
  'einschränkung', 'zensur', 'filtre', 'filtro', 'ограничен', 'цензур', '限制', '制限',
  // prompt_leak.reveal_system_prompt
  'initial', 'original', 'hidden', 'secret', 'internal', 'above', 'before', 'instruktion', 'системн', '系统', 'システムプロンプト',
  // exfil.markdown_image, exfil.send_data
  '![', '<img', 'conversation', 'history', 'messages', 'user', 'api key', 'credential', 'password', 'token', 'cookie', 'private key',
  // tool.hijack
  'tool', 'function', 'plugin', 'action', 'api', 'command', 'code', 'script', 'shell', 'sql', 'account', 'iban', 'wallet',
  // indirect.addressed_to_ai
  'an ai', 'a ai', 'to ai', 'for ai', 'the ai', 'any ai', 'dear ai', 'hey ai', 'hello ai', 'hi ai', 'llm', 'language model', 'assistant', 'chatbot',
  'agent', 'gpt', 'claude', 'model reading', ' bot', 'die ki', "l'ia", 'la ia', 'a ia', 'de ai', 'do ai', 'для ии', '给ai', '给人工智能', 'aiへ',
  // indirect.response_manipulation
  'respon', 'reply', 'answer', 'output', 'summary', 'next message', 'antwort', 'antwoord', 'réponse', 'respuesta', 'risposta', 'resposta', 'odpowiedzi',
  'ответе', '回答',
  // obfuscation.decode_and_follow
  'decode', 'decrypt', 'translate', 'convert', 'reverse', 'base64', 'rot13', 'hex', 'binary', 'morse',
];

const TRIGGER = new RegExp(TRIGGERS.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');

// One pass over a region with every rule at once finds the neighbourhoods worth matching rule by
// rule; a region without any hit pays for that single pass only.
const ANY_RULE = new RegExp(INJECTION_RULES.map((rule) => `(?:${rule.pattern.source})`).join('|'), 'gm');
const NEIGHBOURHOOD = 400;
const QUOTE = /["'“”‘’«»„「『]/;
const QUOTED_WEIGHT = 0.5;
/**
 * How far a match can reach before and after the trigger inside it, for lines too long to take
 * whole (minified JSON, one-line HTML): gaps in the rules are bounded, the longest (a markdown
 * image URL) after its trigger.
 */
const REACH_BEFORE = 300;
const REACH_AFTER = 1200;
/** Lines up to this long are matched whole. */
const WHOLE_LINE = 4096;

/** A fired rule with its weight. */
export interface RuleHit {
  name: string;
  weight: number;
}

/** The rules that fire anywhere in `text` (canonical form), each name once, heaviest weight kept. */
export function matchRules(text: string): RuleHit[] {
  return matchRulesIn(text, triggerRegions(text));
}

/** {@link matchRules} without the trigger shortcut: every pattern over the whole text. For tests. */
export function matchRulesExhaustive(text: string): RuleHit[] {
  return matchRulesIn(text, text.length === 0 ? [] : [[0, text.length]]);
}

/**
 * The parts of `text` a rule match can lie in: around each trigger, its line and the next (a few
 * patterns may cross one line break), or its reach on an overlong line. Sorted and disjoint.
 */
function triggerRegions(text: string): Array<[number, number]> {
  const n = text.length;
  const out: Array<[number, number]> = [];
  TRIGGER.lastIndex = 0;
  let last: [number, number] | undefined;
  // The line of the previous trigger: many triggers on one overlong line must not each search it.
  let lineStart = 0;
  let lineEnd = -1;
  let nextEnd = 0;
  for (let m = TRIGGER.exec(text); m !== null; m = TRIGGER.exec(text)) {
    const at = m.index;
    if (at > lineEnd) {
      lineStart = text.lastIndexOf('\n', at - 1) + 1;
      lineEnd = text.indexOf('\n', at);
      if (lineEnd < 0) lineEnd = n;
      nextEnd = lineEnd < n ? text.indexOf('\n', lineEnd + 1) : n;
      if (nextEnd < 0) nextEnd = n;
    }
    const start = Math.max(lineStart, at - (at - lineStart > WHOLE_LINE ? REACH_BEFORE : WHOLE_LINE));
    const wholeLine = lineEnd - at <= WHOLE_LINE;
    // A match crosses at most one line break, never by more than its reach.
    const end = wholeLine ? Math.min(nextEnd, lineEnd + REACH_AFTER) : at + REACH_AFTER;
    if (last !== undefined && start <= last[1]) {
      last[1] = Math.max(last[1], end);
    } else {
      last = [start, end];
      out.push(last);
    }
    // Later triggers on this line add nothing the region does not already cover.
    if (wholeLine && TRIGGER.lastIndex < lineEnd) TRIGGER.lastIndex = lineEnd;
  }
  return out;
}

function matchRulesIn(text: string, regions: ReadonlyArray<readonly [number, number]>): RuleHit[] {
  const hits = new Map<string, number>();
  let spanStart = -1;
  let spanEnd = -1;
  const flush = (): void => {
    if (spanStart < 0) return;
    const region = text.slice(spanStart, spanEnd);
    for (const rule of INJECTION_RULES) {
      if ((hits.get(rule.name) ?? 0) >= rule.weight) continue;
      const m = rule.pattern.exec(region);
      if (m === null) continue;
      // A pattern in quotation marks is usually being talked about (an article on prompt
      // injection), not addressed to the reader: it counts, but no longer decides alone.
      const quoted = QUOTE.test(region.slice(Math.max(0, m.index - 2), m.index));
      const weight = quoted ? Math.min(rule.weight, QUOTED_WEIGHT) : rule.weight;
      if ((hits.get(rule.name) ?? 0) < weight) hits.set(rule.name, weight);
    }
  };
  for (const [from, to] of regions) {
    // A region cut inside a line keeps one real character before it, so `\b` reads as in the
    // whole text, behind a NUL so that `^` cannot match there; and one after it for the same reason.
    const midLine = from > 0 && text.charCodeAt(from - 1) !== 0x0a;
    const sliceFrom = midLine ? from - 1 : from;
    const piece = (midLine ? '\0' : '') + text.slice(sliceFrom, Math.min(text.length, to + 1));
    const offset = sliceFrom - (midLine ? 1 : 0);
    ANY_RULE.lastIndex = 0;
    for (let m = ANY_RULE.exec(piece); m !== null; m = ANY_RULE.exec(piece)) {
      if (m[0].length === 0) ANY_RULE.lastIndex++;
      const index = m.index + offset;
      const start = Math.max(0, index - NEIGHBOURHOOD);
      const end = Math.min(text.length, index + m[0].length + NEIGHBOURHOOD);
      if (start <= spanEnd) {
        spanEnd = Math.max(spanEnd, end);
      } else {
        flush();
        spanStart = start;
        spanEnd = end;
      }
    }
  }
  flush();
  return [...hits].map(([name, weight]) => ({ name, weight }));
}
