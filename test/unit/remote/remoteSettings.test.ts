import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTroveError, type TroveError } from '../../../src/errors/index.js';
import { RemoteSettings } from '../../../src/remote/remoteSettings.js';

type Getter = (s: RemoteSettings) => unknown;
const read = {
  string: (s: RemoteSettings) => s.string('k'),
  int: (s: RemoteSettings) => s.int('k'),
  port: (s: RemoteSettings) => s.int('k', { min: 1, max: 65535 }),
  duration: (s: RemoteSettings) => s.durationMs('k'),
  bool: (s: RemoteSettings) => s.bool('k'),
  checksum: (s: RemoteSettings) => s.oneOf('k', ['when_required', 'when_supported']),
} satisfies Record<string, Getter>;

/** [getter, value as written in the config, what the getter returns] */
const accepted: [keyof typeof read, unknown, unknown][] = [
  ['string', undefined, undefined],
  ['string', null, undefined],
  ['string', '', undefined],
  ['string', '   ', undefined],
  ['string', '  eu-west-1 ', 'eu-west-1'],
  ['string', 123456, '123456'], // `trove remote modify --local NAME password 123456` stores a number
  ['int', 8, 8],
  ['int', ' 22 ', 22],
  ['int', '', undefined],
  ['port', 65535, 65535],
  ['duration', 5000, 5000],
  ['duration', '5000', 5000],
  ['duration', null, undefined],
  ['bool', true, true],
  ['bool', false, false],
  ['bool', 'TRUE', true],
  ['bool', 'no', false],
  ['bool', ' on ', true],
  ['bool', 0, false],
  ['bool', '', undefined],
  ['checksum', ' when_required ', 'when_required'],
  ['checksum', undefined, undefined],
];

for (const [getter, value, want] of accepted) {
  test(`remote settings: ${getter} reads ${JSON.stringify(value) ?? 'undefined'} as ${JSON.stringify(want) ?? 'unset'}`, () => {
    assert.deepEqual(read[getter](new RemoteSettings('origin', { k: value })), want);
  });
}

/** [getter, a bad value]: each is CONFIG naming the remote and the key, with a fix-it hint */
const refused: [keyof typeof read, unknown][] = [
  ['string', true],
  ['string', ['a']],
  ['string', { a: 1 }],
  ['int', 0],
  ['int', -5],
  ['int', 1.5],
  ['int', '10s'],
  ['int', '1e3'],
  ['port', 70000],
  ['duration', -5],
  ['duration', '-5'],
  ['duration', 0],
  ['duration', 2.5],
  ['duration', '30s'],
  ['duration', true],
  ['bool', 'maybe'],
  ['bool', 2],
  ['checksum', 'always'],
  ['checksum', 1],
];

for (const [getter, value] of refused) {
  test(`remote settings: ${getter} refuses ${JSON.stringify(value)} with CONFIG naming the remote and the key`, () => {
    assert.throws(
      () => read[getter](new RemoteSettings('origin', { k: value })),
      (e: TroveError) => isTroveError(e, 'CONFIG') && /the remote "origin"/.test(e.message) && /\bk\b/.test(e.message) && /trove remote modify origin k/.test(e.hint ?? '') && e.data?.key === 'k' && e.data?.remote === 'origin',
    );
  });
}

test('remote settings: a bad text setting is refused without echoing its value (it may be a secret)', () => {
  assert.throws(() => new RemoteSettings('origin', { password: { hunter2: true } }).string('password'), (e: TroveError) => isTroveError(e, 'CONFIG') && !/hunter2/.test(e.message) && /an? object/.test(e.message));
});

test('remote settings: raw hands back a value with a shape of its own untouched', () => {
  const headers = { Authorization: 'Bearer t' };
  assert.equal(new RemoteSettings('origin', { headers }).raw('headers'), headers);
  assert.equal(new RemoteSettings('origin', { agent: false }).raw('agent'), false);
});
