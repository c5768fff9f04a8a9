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
    const server = new ScramServer(scramSecret('pencil', SALT), SERVER_NONCE);
    expect(server.first(`n,,n=user,r=${CLIENT_NONCE}`)).toBe(SERVER_FIRST);
    expect(server.final(CLIENT_FINAL)).toBe(SERVER_FINAL);
    const other = new ScramServer(scramSecret('not pencil', SALT), SERVER_NONCE);
    other.first(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(other.final(CLIENT_FINAL)).toBeUndefined();
  });

  it('refuses channel binding it cannot offer', () => {
    expect(new ScramServer(scramSecret('x', SALT)).first('p=tls-server-end-point,,n=,r=abc')).toBeUndefined();
  });
});
