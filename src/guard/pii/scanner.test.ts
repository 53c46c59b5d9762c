import { describe, expect, it } from 'vitest';
import { createPiiScanner } from './index.js';
import type { PiiEntity } from '../types.js';

const scanner = createPiiScanner();
const found = (text: string, type?: string): string[] =>
  scanner
    .scan(text)
    .filter((e: PiiEntity) => type === undefined || e.type === type)
    .map((e) => text.slice(e.start, e.end));
const typesIn = (text: string): string[] => scanner.scan(text).map((e) => e.type);

describe('local PII scanner', () => {
  it('finds every IBAN of a list, even when a greedy run would swallow the next one', () => {
    const text = 'IBAN DE89370400440532013000 IBAN DE89370400440532013000 IBAN GB82WEST12345698765432 ok';
    expect(createPiiScanner().scan(text).filter((e) => e.type === 'IBAN_CODE').map((e) => text.slice(e.start, e.end))).toEqual([
      'DE89370400440532013000',
      'DE89370400440532013000',
      'GB82WEST12345698765432',
    ]);
  });

  it('returns nothing for empty text', () => {
    expect(scanner.scan('')).toEqual([]);
  });

  it('finds an email address with exact offsets', () => {
    const text = 'Write to jane.doe+tag@mail.example.co.uk today.';
    const [e] = scanner.scan(text);
    expect(e?.type).toBe('EMAIL_ADDRESS');
    expect(text.slice(e?.start, e?.end)).toBe('jane.doe+tag@mail.example.co.uk');
  });

  it('reports a Luhn-valid card number and ignores a Luhn-invalid one', () => {
    expect(found('card: 4111 1111 1111 1111', 'CREDIT_CARD')).toEqual(['4111 1111 1111 1111']);
    expect(found('card: 4111 1111 1111 1112', 'CREDIT_CARD')).toEqual([]);
    expect(found('card 378282246310005 please', 'CREDIT_CARD')).toEqual(['378282246310005']);
  });

  it('does not call an order number a card even when it passes Luhn', () => {
    expect(found('order number 4111111111111111 shipped', 'CREDIT_CARD')).toEqual([]);
  });

  it('validates IBANs by mod-97 and country length', () => {
    expect(found('IBAN GB82 WEST 1234 5698 7654 32 thanks', 'IBAN_CODE')).toEqual(['GB82 WEST 1234 5698 7654 32']);
    expect(found('iban de89370400440532013000', 'IBAN_CODE')).toEqual(['de89370400440532013000']);
    expect(found('IBAN GB83 WEST 1234 5698 7654 32', 'IBAN_CODE')).toEqual([]);
    expect(found('IBAN GB82 WEST 1234 5698 7654', 'IBAN_CODE')).toEqual([]);
  });

  it('applies SSA rules to SSNs', () => {
    expect(found('SSN 536-22-8726', 'US_SSN')).toEqual(['536-22-8726']);
    for (const bad of ['000-12-3456', '666-12-3456', '912-12-3456', '536-00-3456', '536-22-0000']) {
      expect(found(`SSN ${bad}`, 'US_SSN')).toEqual([]);
    }
  });

  it('finds IPv4 and IPv6 addresses but not invalid octets or version strings', () => {
    expect(found('client 192.168.10.254 connected', 'IP_ADDRESS')).toEqual(['192.168.10.254']);
    expect(found('from 2001:db8::8a2e:370:7334 and fe80::1', 'IP_ADDRESS')).toEqual(['2001:db8::8a2e:370:7334', 'fe80::1']);
    expect(found('host 256.1.1.1', 'IP_ADDRESS')).toEqual([]);
    expect(found('upgraded to version 1.2.3.4 today', 'IP_ADDRESS')).toEqual([]);
    expect(found('meeting at 10:30:15', 'IP_ADDRESS')).toEqual([]);
  });

  it('finds US and international phone numbers', () => {
    expect(found('Call me at (415) 555-2671', 'PHONE_NUMBER')).toEqual(['(415) 555-2671']);
    expect(found('Mobile: +44 7700 900123', 'PHONE_NUMBER')).toEqual(['+44 7700 900123']);
    expect(found('fax 345-899-3560x4587', 'PHONE_NUMBER')).toEqual(['345-899-3560x4587']);
    expect(found('counting 1 2 3 4 5 6 7 8', 'PHONE_NUMBER')).toEqual([]);
  });

  it('scores a date of birth higher than another date', () => {
    const dob = scanner.scan('She was born on 10/23/1951.').find((e) => e.type === 'DATE_TIME');
    const other = scanner.scan('The meeting is on 10/23/2024.').find((e) => e.type === 'DATE_TIME');
    expect(dob?.score).toBeGreaterThan(other?.score ?? 1);
    expect(found('DOB: 1984-02-29', 'DATE_TIME')).toEqual(['1984-02-29']);
    expect(found('founded in 1977.', 'DATE_TIME')).toEqual(['1977']);
    expect(found('I have 2000 apples', 'DATE_TIME')).toEqual([]);
  });

  it('counts passport and driver licence numbers only with a context word', () => {
    expect(found('passport number: X1234567', 'PASSPORT_NUMBER')).toEqual(['X1234567']);
    expect(found('reference X1234567', 'PASSPORT_NUMBER')).toEqual([]);
    expect(found("driver's license F162823540116", 'US_DRIVER_LICENSE')).toEqual(['F162823540116']);
    expect(found('ticket F162823540116', 'US_DRIVER_LICENSE')).toEqual([]);
  });

  it('finds AWS access keys and secret keys near AWS context', () => {
    const text = 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(typesIn(text)).toEqual(['AWS_ACCESS_KEY', 'AWS_SECRET_KEY']);
    expect(found('path a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0 in the tree', 'AWS_SECRET_KEY')).toEqual([]);
  });

  it('finds a PEM private key block, also when truncated', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabcDEF==\n-----END RSA PRIVATE KEY-----';
    expect(found(`key:\n${pem}\nend`, 'PRIVATE_KEY')).toEqual([pem]);
    expect(found('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n', 'PRIVATE_KEY')).toHaveLength(1);
    expect(found('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'PRIVATE_KEY')).toEqual([]);
  });

  it('finds a JWT whose header decodes to JSON with alg, and nothing for look-alikes', () => {
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from('{"sub":"123","name":"x"}').toString('base64url');
    const jwt = `${header}.${payload}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
    expect(found(`Authorization: Bearer ${jwt}`, 'JWT')).toEqual([jwt]);
    const fake = `${Buffer.from('{"typ":"JWT"}').toString('base64url')}.${payload}.abc`;
    expect(found(`token ${fake}`, 'JWT')).toEqual([]);
  });

  it('flags high-entropy values assigned to secret-like keys but not UUIDs or digests', () => {
    expect(found('api_key = "Zx9kQ2vLm8PwR4tY7uB3nC6"', 'SECRET')).toEqual(['Zx9kQ2vLm8PwR4tY7uB3nC6']);
    expect(found('password: hunter2Secret#', 'SECRET')).toEqual(['hunter2Secret#']);
    expect(found('token = 123e4567-e89b-12d3-a456-426614174000', 'SECRET')).toEqual([]);
    expect(found('commit sha256 key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'SECRET')).toEqual([]);
    expect(found('ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked', 'SECRET')).toHaveLength(1);
  });

  it('finds URLs and trims sentence punctuation', () => {
    expect(found('See https://example.com/a?b=1.', 'URL')).toEqual(['https://example.com/a?b=1']);
    expect(found('visit www.example.org, then', 'URL')).toEqual(['www.example.org']);
  });

  it('finds person names by gazetteer, honorific and explicit cue', () => {
    expect(found('Please forward this to Elizabeth Hanson tomorrow.', 'PERSON')).toEqual(['Elizabeth Hanson']);
    expect(found('Mr. Kozłowski flew to Warsaw on Thursday.', 'PERSON')).toEqual(['Kozłowski']);
    expect(found('Directed By: Sari J. Paavolainen', 'PERSON')).toEqual(['Sari J. Paavolainen']);
    expect(found('hi, my name is patricia desrosiers', 'PERSON')).toEqual(['patricia desrosiers']);
    expect(found('The weather is nice today.', 'PERSON')).toEqual([]);
  });

  it('extends a recognised name to the unknown names listed beside it', () => {
    expect(found('Our band has three members: Zarvik, Miller and Quonteo.', 'PERSON')).toEqual(['Zarvik', 'Miller', 'Quonteo']);
    expect(found('On the trip we met Daniel and Brostrand yesterday.', 'PERSON')).toEqual(['Daniel', 'Brostrand']);
  });

  it('does not extend a name list into places, addresses or firm names', () => {
    expect(found('Ship it to Laura and Fjordveien 12 please.', 'PERSON')).toEqual(['Laura']);
    expect(found('She works at Harlow, Miller and Quonteo these days.', 'PERSON')).toEqual([]);
    expect(found('Harlow, Miller and Quonteo\n12 Main Street', 'PERSON')).toEqual([]);
  });

  it('reads line-initial dialogue labels as speakers', () => {
    expect(found('Zorvath: Where were you?\nLinda: At home, as always.', 'PERSON')).toEqual(['Zorvath', 'Linda']);
    expect(found('kevin: "hi"\nsarah: "hello"', 'PERSON')).toEqual(['kevin', 'sarah']);
    // One label is a note, not a dialogue; header words never count.
    expect(found('Zorvath: check the logs.', 'PERSON')).toEqual([]);
    expect(found('Subject: Meeting\nNote: bring laptops', 'PERSON')).toEqual([]);
  });

  it('finds countries, cities and street addresses', () => {
    expect(found('I will be travelling to Sweden next week', 'LOCATION')).toEqual(['Sweden']);
    expect(found('The office moved to Chicago last year', 'LOCATION')).toEqual(['Chicago']);
    expect(found('Ship it to 1600 Pennsylvania Avenue, Washington, DC 20500 please', 'STREET_ADDRESS')).toEqual([
      '1600 Pennsylvania Avenue, Washington, DC 20500',
    ]);
    expect(found('The bus drops you off at 643 ul. Biskupa Bogedaina 118', 'STREET_ADDRESS')).toHaveLength(1);
  });

  it('vetoes person names inside organisation names and strips leading roles', () => {
    expect(found('I work for Aunt Bertha Inc', 'PERSON')).toEqual([]);
    expect(found('Producer James Sparks explained to Fuse TV', 'PERSON')).toEqual(['James Sparks']);
  });

  it('prefers a multi-word country over a person reading', () => {
    expect(found('South Africa was fun to visit', 'LOCATION')).toEqual(['South Africa']);
    expect(found('In United States they sing company songs', 'PERSON')).toEqual([]);
  });

  it('finds an unknown place after a travel cue', () => {
    expect(found('Ms. Jones flew to Bessastadir on Saturday.', 'LOCATION')).toEqual(['Bessastadir']);
  });

  it('keeps a multi-line address in one span, across quote markers', () => {
    const text = '> 3369 24 Clarke Avenue\n> Apt. 805\n> Pines Beach\n> New Zealand 34694';
    expect(found(text, 'STREET_ADDRESS')).toEqual(['3369 24 Clarke Avenue\n> Apt. 805\n> Pines Beach\n> New Zealand 34694']);
    expect(found('meet me at the corner of Dalbraut 99 and Frederikke Coves', 'STREET_ADDRESS')).toEqual([
      'the corner of Dalbraut 99 and Frederikke Coves',
    ]);
  });

  it('does not read street particles inside ordinary words', () => {
    expect(found('we deploy 3 services daily', 'STREET_ADDRESS')).toEqual([]);
    expect(found('During 1971, Mayo-Walters invested heavily', 'STREET_ADDRESS')).toEqual([]);
  });

  it('reports only the requested entity types', () => {
    const only = createPiiScanner({ entities: ['EMAIL_ADDRESS'] });
    expect(only.scan('a@b.io 192.168.1.1 4111111111111111').map((e) => e.type)).toEqual(['EMAIL_ADDRESS']);
  });

  it('honours minScore', () => {
    const strict = createPiiScanner({ minScore: 0.99 });
    expect(strict.scan('Call (415) 555-2671').map((e) => e.type)).toEqual([]);
  });

  it('reports offsets in UTF-16 units past astral characters', () => {
    const text = '🙂🙂 mail me: a.b@example.com';
    const [e] = scanner.scan(text);
    expect(text.slice(e?.start, e?.end)).toBe('a.b@example.com');
  });
});

describe('adversarial inputs', () => {
  const inputs: Array<[string, string]> = [
    ['long local part then @', 'a'.repeat(200_000) + '@'],
    ['many @', 'a@'.repeat(100_000)],
    ['spaced digits', '1 '.repeat(100_000)],
    ['dashes', '-'.repeat(100_000)],
    ['dots', '.'.repeat(100_000)],
    ['digits', '9'.repeat(100_000)],
    ['dotted digits', '1.'.repeat(100_000)],
    ['colons', 'a:'.repeat(100_000)],
    ['capitalised words', 'Abc '.repeat(50_000)],
    ['repeated jwt prefix', 'eyJ'.repeat(60_000)],
    ['pem begins', '-----BEGIN PRIVATE KEY-----'.repeat(5_000)],
    ['key assignments', 'key='.repeat(40_000)],
    ['corner phrases', 'the corner of A and '.repeat(20_000)],
    ['base64 run', 'Ab0+'.repeat(50_000)],
  ];
  for (const [name, text] of inputs) {
    it(`returns for ${name}`, { timeout: 20_000 }, () => {
      expect(Array.isArray(scanner.scan(text))).toBe(true);
    });
  }
});
