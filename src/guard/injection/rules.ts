/**
 * Named injection and jailbreak patterns, matched against canonical text (lower case, folded, see
 * normalize.ts). A rule's weight is roughly the probability that a text it fires on is an attack;
 * rules at or above DECISIVE_WEIGHT flag a text on their own.
 *
 * Every pattern is linear: gaps are bounded (`{0,40}`) and no quantified group repeats over
 * characters another part of it can also take, so repeated adversarial input cannot make them
 * backtrack. The words are stems without `\b` outside English, because `\b` only knows ASCII.
 */
import { compilePrefilter, type Candidates, type Requirement } from './rule-prefilter.js';

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

/** `'a|b|c'` → its literals; spaces are kept, they are part of the literal. */
const any = (alternatives: string): string[] => alternatives.split('|');
/** Every concatenation of one literal from each part, for phrases whose words vary independently. */
const cross = (...parts: string[][]): string[] =>
  parts.reduce<string[]>((acc, part) => acc.flatMap((prefix) => part.map((p) => prefix + p)), ['']);

const RESPONSE_NOUNS = any('response|reply|answer|output|summary|next message');
const AI_TARGETS = any('ai|llm|assistant|language model|chatbot|agent|gpt|claude|model reading this');

/**
 * One requirement per entry of RULES_SOURCE, in the same order (checked when the module loads).
 * Adding or changing a rule means writing down here what every match of it must contain;
 * rules.test.ts checks every match in the generated data against these, and the rules against
 * data without this shortcut.
 */
const REQUIREMENTS: ReadonlyArray<readonly [string, Requirement]> = [
  ['override.ignore_previous', [[
    any("ignore|disregard|forget|skip|overr|bypass|drop|abandon|neglect|do not follow|don't follow|stop following"),
    any('instruction|prompt|rules|directi|guidelines|command|context|constraints|programming|orders|guardrails|policies'),
  ]]],
  ['override.ignore_previous', [[any('ignorier|vergiss|vergesst|missachte|übergehe|verwirf'), any('anweisung|instruktion|befehl|regeln|vorgaben|richtlinie|anordnung')]]],
  ['override.ignore_previous', [[
    any('ignore|oublie|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction|écarte'),
    any('instruction|consigne|directive|règle|ordre'),
  ]]],
  ['override.ignore_previous', [[
    any('ignora|olvida|omite|haz caso omiso|no sigas|descarta|ignore'),
    any('instruccion|instrucción|indicacion|indicación|regla|orden|directriz|directiva'),
  ]]],
  ['override.ignore_previous', [[any('ignora|dimentica|trascura|non seguire|tralascia'), any('istruzion|indicazion|regol|ordin|diretti')]]],
  ['override.ignore_previous', [[
    any('ignore|ignora|esqueça|esqueca|esquece|desconsidere|desconsidera|não siga|nao siga'),
    any('instruç|instruc|orientaç|orientac|regra|ordem|ordens|diretriz'),
  ]]],
  ['override.ignore_previous', [[any('negeer|vergeet|volg niet'), any('instructie|regels|opdracht|richtlijn')]]],
  ['override.ignore_previous', [[any('zignoruj|ignoruj|zapomnij|pomiń|pomin|nie stosuj się'), any('instrukcj|polece|zasad|reguł|regul')]]],
  ['override.ignore_previous', [[
    any('игнорируй|проигнорируй|забудь|не обращай внимания|не следуй|отбрось'),
    any('инструкци|указани|правил|команд|директив'),
  ]]],
  ['override.ignore_previous', [[any('忽略|无视|忽视|忘记|忘掉|不要理会|不要遵守|無視|忘れ'), any('指令|指示|说明|規則|规则|提示|命令|ルール|設定')]]],
  ['override.new_instructions', [
    [any('new |updated |real |actual |revised |true |secret '), any('instruction|task|directive|orders')],
    [any('from now on')],
    [any('instead'), any('you must|you should|you will|do the following|respond|answer|reply|output')],
    [any('your new |your real |your only ')],
  ]],
  ['override.new_instructions', [[any(
    "neue anweisung|ab jetzt |ab sofort |nouvelle|à partir de maintenant|instrucci|a partir de ahora|a partir de agora|nuove istruzioni|d'ora in poi|instruç|" +
      'nieuwe instructie|vanaf nu ben je|nowe instrukcj|od teraz jesteś|новые инструкции|с этого момента ты|新的指令|从现在开始你|今後あなたは|新しい指示',
  )]]],
  ['role.system_impersonation', [
    [
      // `system|` and `system>` cover `<|system|>`, `<system>`, `<|system>` and `<system|>`.
      ['system>', 'system|', 'system]', ...any('im_start|im_end|endoftext|start_header_id|eot_id|inst]|sys]|sys>>|prompt>|instruction>|instructions>|admin>')],
    ],
    [any('system|developer'), any(':')],
    [any(' from '), any('system|developer|admin|openai|anthropic')],
  ]],
  ['role.persona_switch', [
    [any('you are now|you are no longer|you are going to')],
    [any('pretend |act |behave |roleplay |role-play '), any(' to be| as if you| like you are|unrestricted|unfiltered|evil|uncensored|different')],
    [any('switch to |switch into '), any(' mode')],
    [any('du bist |tu es maintenant|tu es désormais|ahora eres|ora sei|agora você é|ты теперь|你现在是|あなたは今から')],
  ]],
  ['jailbreak.dan', [
    [any('do anything now|as dan|stands for|jailbroken|jailbreak mode|jailbreak enabled|developer mode |mode développeur|mode desarrollador|mode sviluppatore')],
    [any('dan |stan |dude |aim |kevin |mongo tom |antigpt |dev mode |devmode '), any('mode|prompt|jailbreak')],
    [cross(any('evil |unfiltered |uncensored |unrestricted '), any('ai|assistant|chatbot|confidant|mode'))],
  ]],
  ['jailbreak.no_restrictions', [
    [
      any('without |free of |free from |bound by|restricted by|break free of|ignore '),
      any('restrictions|limitations|filters|censorship|guidelines|policies|rules|morals|ethics|boundaries'),
    ],
    [any('openai polic|anthropic polic|content polic|stay in character|never refuse|cannot refuse|ограничений|цензуры|没有任何限制|不受任何限制|制限なし')],
    [any('ohne |sans |sin |senza |sem '), any('einschränkungen|filter|filtr|zensur|restri|censur')],
  ]],
  ['prompt_leak.reveal_system_prompt', [
    [
      any('reveal|show|print|output|repeat|display|leak|dump|disclose|tell me|give me|share|return|write out|spell out|recite'),
      any('system|initial|original|hidden|secret|internal|developer|preprompt|pre-prompt'),
      any('prompt|instruction|message|rules|configuration'),
    ],
    [any('what is your|what are your|what were your'), any('system prompt|instructions|hidden rules')],
    [any('repeat '), any(' above')],
    [any(' above this| above the first| before this| before the first')],
  ]],
  ['prompt_leak.reveal_system_prompt', [[any(
    'systemprompt|system-prompt|systemanweisung|deine anweisungen|deine instruktionen|' +
      'prompt système|prompt systeme|prompt initial|instructions système|instructions initiales|tes instructions|vos instructions|' +
      'prompt del sistema|instrucciones del sistema|instrucciones iniciales|tus instrucciones|' +
      'prompt di sistema|istruzioni di sistema|istruzioni iniziali|tue istruzioni|' +
      'prompt do sistema|instruções do sistema|instruções iniciais|suas instruções|' +
      'системн|свои инструкции|系统提示|系统指令|初始指令|你的指令|システムプロンプト',
  )]]],
  ['exfil.markdown_image', [[any('!['), any('http')], [any('<img'), any('src=')]]],
  ['exfil.send_data', [[
    any('send|forward|email|post|upload|transmit|exfiltrate|leak|append|include'),
    [
      ...any('conversation|chat history|previous messages|api key|credentials|passwords|secrets|tokens|session cookie|private key|system prompt'),
      ...cross(['user ', "user' ", 'users ', "user's "], any('data|password|credentials|api key|email|file|messages|information')),
    ],
    any('http|www.|@|webhook|attacker|this url|this address|this server|this endpoint'),
  ]]],
  ['tool.hijack', [
    [
      any(' tool| function| plugin| action| api'),
      any('call|invoke|use|run|execute|trigger'),
      any('send|delete|transfer|forward|email|post|wire|pay|grant|share|upload|drop|remove'),
    ],
    [
      any('execute the following|execute this|run the following|run this'),
      [...any('rm -rf|curl |wget |powershell|drop table|chmod|nc -e|base64 -d'), '|sh', '| sh', '|bash', '| bash'],
    ],
    [any('transfer |wire |send '), cross(any(' to '), any('account|iban|wallet|the account|the wallet'))],
  ]],
  ['indirect.addressed_to_ai', [
    [
      any('a ai|an ai|a llm|an llm|language model|assistant|chatbot|agent'),
      any('reading|processing|summari|must|should|please|ignore|do not'),
    ],
    [any('attention|note|instruction|message|important'), cross(any('to |for |the |any '), AI_TARGETS)],
    [cross(any('dear |hey |hello |hi '), any('ai|assistant|chatgpt|llm|claude|gpt|bot'))],
    [any("an die ki|à l'ia|a la ia|all'ia|para a ia|voor de ai|do ai|для ии|给ai|给人工智能|aiへ")],
  ]],
  ['indirect.response_manipulation', [
    [
      cross(any('in |to |throughout |of '), any('your |the '), RESPONSE_NOUNS),
      any('include|add|mention|insert|recommend|suggest|append|use|write|say|tell|promote|advertise|provide|embed|integrate'),
    ],
    [any(' base64| morse| emoji| pig latin| reverse| leetspeak| all caps| rot13| hex'), any('respond|reply|answer')],
    [cross(any('your |each |every '), any('response|reply|answer')), any('begin |start |end ')],
  ]],
  ['indirect.response_manipulation', [[any('antwort|réponse|respuesta|risposta|resposta|antwoord|odpowiedzi|ответе|回答')]]],
  ['obfuscation.decode_and_follow', [
    [cross(any('decode |decrypt |translate |convert |reverse '), any('this|the following|the below|it'))],
    [any('base64|rot13|hex|binary|morse'), any('instruction|command|payload|message'), any('follow|execute|obey|run')],
  ]],
];

for (const [i, rule] of RULES_SOURCE.entries()) {
  if (REQUIREMENTS[i]?.[0] !== rule[0]) throw new Error(`rules.ts: requirement ${i} does not belong to rule ${rule[0]}`);
}

// One pass over a region with every rule at once finds the neighbourhoods worth matching rule by
// rule; a region without any hit pays for that single pass only.
const ANY_RULE = new RegExp(INJECTION_RULES.map((rule) => `(?:${rule.pattern.source})`).join('|'), 'gm');
const NEIGHBOURHOOD = 400;
const QUOTE = /["'“”‘’«»„「『]/;
const QUOTED_WEIGHT = 0.5;
/** How far past its line's end a match can reach into the next line (a markdown image URL after `\s*`). */
const REACH_AFTER = 1200;
if (RULES_SOURCE.length > 31) throw new Error('rules.ts: rule sets are 31-bit masks');
const ALL_RULES = (1 << RULES_SOURCE.length) - 1;
const candidates = compilePrefilter(REQUIREMENTS.map(([, requirement]) => requirement), REACH_AFTER);

/** A fired rule with its weight. */
export interface RuleHit {
  name: string;
  weight: number;
}

/** The rules that fire anywhere in `text` (canonical form), each name once, heaviest weight kept. */
export function matchRules(text: string): RuleHit[] {
  return matchRulesIn(text, candidates(text));
}

/** {@link matchRules} without the literal shortcut: every pattern over the whole text. For tests. */
export function matchRulesExhaustive(text: string): RuleHit[] {
  const n = text.length;
  return matchRulesIn(text, { regions: n === 0 ? [] : [[0, n]], pairStarts: [0], pairEnds: [n], pairRules: [ALL_RULES] });
}

/**
 * The rules (bit i for INJECTION_RULES[i]) whose requirement some line pair of `text` meets. For
 * tests: every match of a rule must meet that rule's requirement.
 */
export function rulesWithRequirementMet(text: string): number {
  let rules = 0;
  for (const r of candidates(text).pairRules) rules |= r;
  return rules;
}

function matchRulesIn(text: string, { regions, pairStarts, pairEnds, pairRules }: Candidates): RuleHit[] {
  const hits = new Map<string, number>();
  let spanStart = -1;
  let spanEnd = -1;
  // Spans come in order, so the first line pair that can still reach one only moves forward.
  let firstPair = 0;
  const flush = (): void => {
    if (spanStart < 0) return;
    while (firstPair < pairEnds.length && (pairEnds[firstPair] ?? 0) <= spanStart) firstPair++;
    let live = 0;
    for (let p = firstPair; p < pairStarts.length && (pairStarts[p] ?? 0) < spanEnd; p++) live |= pairRules[p] ?? 0;
    if (live === 0) return;
    const region = text.slice(spanStart, spanEnd);
    for (const [r, rule] of INJECTION_RULES.entries()) {
      // A rule whose requirement no line pair in reach of the span meets cannot match in it.
      if ((live & (1 << r)) === 0 || (hits.get(rule.name) ?? 0) >= rule.weight) continue;
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
