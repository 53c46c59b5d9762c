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
  /** Countries and regions: a place even when the word is also someone's first name ("France"). */
  countries: ReadonlySet<string>;
  /** Longest place name in tokens, bounds the n-gram search. */
  maxPlaceTokens: number;
  /**
   * Every proper word-prefix of a multi-word place ("new" and "new south" for "new south wales"):
   * an n-gram search stops as soon as its key is not one, since no longer key can then be a place.
   */
  placePrefixes: ReadonlySet<string>;
}

let cached: Lexicon | undefined;

export function lexicon(): Lexicon {
  if (cached !== undefined) return cached;
  const places = new Set(PLACES);
  let maxPlaceTokens = 1;
  for (const p of places) maxPlaceTokens = Math.max(maxPlaceTokens, p.split(' ').length);
  const common = new Set([...COMMON_WORDS, ...FUNCTION_WORDS, ...NOT_NAMES]);
  const placeSet = new Set([...[...places].filter((p) => !NOT_PLACES.has(p) && !ORGANISATION_PLACES.has(p)), ...COUNTRIES]);
  const placePrefixes = new Set<string>();
  for (const p of placeSet) for (let j = p.indexOf(' '); j !== -1; j = p.indexOf(' ', j + 1)) placePrefixes.add(p.slice(0, j));
  cached = {
    first: new Set(FIRST_NAMES.filter((n) => !NOT_NAMES.has(n))),
    last: new Set(LAST_NAMES.filter((n) => !NOT_NAMES.has(n))),
    places: placeSet,
    placePrefixes,
    countries: new Set([...COUNTRIES, ...WELL_KNOWN_COUNTRIES]),
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
    'miss prof mx mister name date time where when subject re fwd from to cc bcc ' +
    "i'm i'd i'll i've it's that's what's there's here's he's she's let's who's don't can't won't isn't"
  ).split(' '),
);

/** Faker lists contain words that are far more often something else in running text. */
const NOT_NAMES: ReadonlySet<string> = new Set(
  (
    'monday tuesday wednesday thursday friday saturday sunday january february march april june july august ' +
    'september october november december street road avenue city state county north south east west new old ' +
    'company inc ltd llc corp group bank university school hospital orchestra band club team the and of ' +
    // Demonyms: capitalised in English, and several are also first names in some locale ("Germán").
    'german french english spanish italian dutch swedish norwegian danish finnish polish russian chinese japanese ' +
    'korean indian american british canadian australian mexican brazilian greek turkish irish scottish welsh swiss ' +
    'austrian belgian portuguese croatian hungarian ukrainian african european asian arab israeli egyptian czech ' +
    'slovak slovenian serbian romanian bulgarian latvian lithuanian estonian icelandic baby'
  ).split(' '),
);

/** Place names that collide with ordinary capitalised words at sentence start. */
const NOT_PLACES: ReadonlySet<string> = new Set(
  ('of the and is it at on in to be by we he she you me my as an or so no do go up us can may will ' +
    'reading mobile young bath split best deal hope sale nice orange university union ' +
    'title date time name address email phone fax desk mission force' ).split(' '),
);

/**
 * Country and region names in English that faker's city/country lists miss or spell differently.
 * Multi-word ones matter most: without them "South"/"United" are stripped as sentence words and
 * the rest reads as a person's name.
 */
const COUNTRIES: readonly string[] = (
  'united states|united states of america|usa|u.s.|czech republic|czechia|dominican republic|central african republic|' +
  'united arab emirates|uae|south africa|south korea|north korea|south sudan|new zealand|costa rica|puerto rico|' +
  'el salvador|sri lanka|saudi arabia|hong kong|sierra leone|burkina faso|ivory coast|papua new guinea|' +
  'trinidad and tobago|bosnia and herzegovina|north macedonia|east timor|timor-leste|great britain|northern ireland|' +
  'vatican city|san marino|cape verde|solomon islands|marshall islands|cayman islands|faroe islands|isle of man|' +
  'united kingdom|england|scotland|wales|the netherlands|netherlands|holland|russia|taiwan|vietnam|iran|syria|laos|' +
  'south america|north america|central america|latin america|middle east|southeast asia|east africa|west africa|' +
  'southern italy|northern italy|southern poland|southern france|western europe|eastern europe|europe|asia|africa|' +
  'new york|los angeles|san francisco|san diego|san jose|las vegas|new orleans|new jersey|new mexico|rhode island|' +
  'north carolina|south carolina|north dakota|south dakota|west virginia|washington dc|rio de janeiro|sao paulo|são paulo|' +
  'buenos aires|mexico city|tel aviv|kuala lumpur|abu dhabi|cape town|st. petersburg|saint petersburg'
).split('|');

// Country names that faker also lists as first names; the country reading is far more common.
const WELL_KNOWN_COUNTRIES: readonly string[] = (
  'france brazil spain italy germany india china japan canada mexico poland greece egypt ireland israel cyprus ' +
  'portugal austria belgium sweden norway denmark finland iceland hungary romania bulgaria croatia serbia ukraine ' +
  'turkey australia argentina chile colombia peru cuba kenya nigeria morocco'
).split(' ');

// Political bodies that faker lists among places; in text they name an organisation.
const ORGANISATION_PLACES: ReadonlySet<string> = new Set(['european union', 'united nations']);

const STREET_EXTRA = (
  'st st. str str. ave ave. rd rd. ln ln. blvd blvd. dr dr. ct ct. pl pl. sq sq. hwy pkwy ter terr ' +
  'street avenue road lane drive court place square boulevard way close crescent parkway highway terrace ' +
  'ul. ul al. al rue via viale piazza calle avenida rua strada straße strasse gasse weg platz allee laan straat ' +
  'vej gade gata gatan vägen väg veien vegen utca út tér körút ulica aleja katu tie kuja polku'
).split(' ');
