// SCRAM-SHA-256 against the exchange published in RFC 7677 §3 (user "user", password "pencil").
import { describe, expect, it } from 'vitest';
import { ScramClient, ScramServer, scramSecret } from './scram.ts';

const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const SERVER_FIRST = `r=${CLIENT_NONCE}${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
const CLIENT_FINAL = `c=biws,r=${CLIENT_NONCE}${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

describe('scram', () => {
  it('client side produces the RFC 7677 proof and accepts its server signature', () => {
    const client = new ScramClient('pencil', CLIENT_NONCE, 'user');
    expect(client.first()).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(client.final(SERVER_FIRST)).toBe(CLIENT_FINAL);
    expect(client.verify(SERVER_FINAL)).toBe(true);
    expect(client.verify('v=AAAA')).toBe(false);
  });

  it('server side answers the RFC 7677 exchange and rejects a wrong proof', () => {
    const server = new ScramServer(scramSecret('pencil', SALT), { serverNonce: SERVER_NONCE });
    expect(server.first(`n,,n=user,r=${CLIENT_NONCE}`)).toBe(SERVER_FIRST);
    expect(server.final(CLIENT_FINAL)).toBe(SERVER_FINAL);
    const other = new ScramServer(scramSecret('not pencil', SALT), { serverNonce: SERVER_NONCE });
    other.first(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(other.final(CLIENT_FINAL)).toBeUndefined();
  });

  it('holds the client to the channel binding it chose, with PostgreSQL\'s errors', () => {
    const binding = Buffer.alloc(32, 7);
    expect(() => new ScramServer(scramSecret('x', SALT)).first('p=tls-server-end-point,,n=,r=abc')).toThrow(/malformed SCRAM message/);
    expect(() => new ScramServer(scramSecret('x', SALT), { binding }).first('y,,n=,r=abc')).toThrow(/negotiation error/);
    expect(() => new ScramServer(scramSecret('x', SALT), { binding, plus: true }).first('n,,n=,r=abc')).toThrow(/malformed SCRAM message/);
    expect(() => new ScramServer(scramSecret('x', SALT), { binding, plus: true }).first('p=tls-unique,,n=,r=abc')).toThrow(/unsupported SCRAM channel-binding type/);
    const plus = new ScramServer(scramSecret('x', SALT), { binding, plus: true, serverNonce: 'S' });
    expect(plus.first('p=tls-server-end-point,,n=,r=abc')).toBe(`r=abcS,s=${SALT.toString('base64')},i=4096`);
    const otherChannel = Buffer.concat([Buffer.from('p=tls-server-end-point,,'), Buffer.alloc(32, 8)]).toString('base64');
    expect(() => plus.final(`c=${otherChannel},r=abcS,p=${Buffer.alloc(32).toString('base64')}`)).toThrow(/channel binding check failed/);
  });

  it('hashes the SASLprep form of a password, as PostgreSQL stores it', () => {
    // U+00AD (soft hyphen) maps to nothing, U+2003 (em space) to a space, NFKC composes a + U+0308.
    expect(scramSecret('pa\u00ADss w\u2003a\u0308rd', SALT)).toEqual(scramSecret('pass w \u00E4rd', SALT));
    // A prohibited character (U+0007 in a non-ASCII password): the raw password is used.
    expect(scramSecret('\u00E4\u0007', SALT)).not.toEqual(scramSecret('a\u0308\u0007', SALT));
  });
});
