import { COMMON_WORDS, FIRST_NAMES, LAST_NAMES, PLACES, STATE_ABBREVIATIONS, STREET_WORDS } from './gazetteer.js';

/**
 * Lookup sets over the generated gazetteer plus small hand lists. Built on first use so that
 * importing the scanner does not pay for sets a caller never needs.
 */
export interface Lexicon {
  first: ReadonlySet<string>;
  last: ReadonlySet<string>;
  places: ReadonlySet<string>;
  states: ReadonlySet<string>;
  street: ReadonlySet<string>;
  common: ReadonlySet<string>;
  /** Longest place name in tokens, bounds the n-gram search. */
  maxPlaceTokens: number;
}

let cached: Lexicon | undefined;

export function lexicon(): Lexicon {
  if (cached !== undefined) return cached;
  const places = new Set(PLACES);
  let maxPlaceTokens = 1;
  for (const p of places) maxPlaceTokens = Math.max(maxPlaceTokens, p.split(' ').length);
  const common = new Set([...COMMON_WORDS, ...FUNCTION_WORDS, ...NOT_NAMES]);
  cached = {
    first: new Set(FIRST_NAMES.filter((n) => !NOT_NAMES.has(n))),
    last: new Set(LAST_NAMES.filter((n) => !NOT_NAMES.has(n))),
    places: new Set([...places].filter((p) => !NOT_PLACES.has(p))),
    states: new Set(STATE_ABBREVIATIONS),
    street: new Set([...STREET_WORDS, ...STREET_EXTRA]),
    common,
    maxPlaceTokens: Math.min(maxPlaceTokens, 5),
  };
  return cached;
}

/** Closed-class English words: capitalised only because they start a sentence. */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the my your his her its our their this that these those what when where who whom whose why how which ' +
    'i me we you he she it they them us him is are was were be been am do does did have has had will would can could ' +
    'should shall may might must not no yes and or but if so then than as at by for from in into of on onto to with ' +
    'without about above after before under over up down out off again all any both each few more most other some such ' +
    'only own same too very just also here there hello hi hey dear please thanks thank ok okay sir madam mr mrs ms dr ' +
    'miss prof mx mister name date time where when subject re fwd from to cc bcc'
  ).split(' '),
);

/** Faker lists contain words that are far more often something else in running text. */
const NOT_NAMES: ReadonlySet<string> = new Set(
  (
    'monday tuesday wednesday thursday friday saturday sunday january february march april june july august ' +
    'september october november december street road avenue city state county north south east west new old ' +
    'company inc ltd llc corp group bank university school hospital orchestra band club team the and of'
  ).split(' '),
);

/** Place names that collide with ordinary capitalised words at sentence start. */
const NOT_PLACES: ReadonlySet<string> = new Set(
  ('of the and is it at on in to be by we he she you me my as an or so no do go up us can may will ' +
    'reading mobile young bath split best deal hope sale nice orange university union ' +
    'title date time name address email phone fax desk' ).split(' '),
);

const STREET_EXTRA = (
  'st st. str str. ave ave. rd rd. ln ln. blvd blvd. dr dr. ct ct. pl pl. sq sq. hwy pkwy ter terr ' +
  'street avenue road lane drive court place square boulevard way close crescent parkway highway terrace ' +
  'ul. ul al. al rue via viale piazza calle avenida rua strada straße strasse gasse weg platz allee laan straat ' +
  'vej gade gata gatan vägen väg veien vegen utca út tér körút ulica aleja katu tie kuja polku'
).split(' ');
