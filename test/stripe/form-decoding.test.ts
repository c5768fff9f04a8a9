// Stripe's bracket form encoding: what stripe-node sends decodes to the nested values it encoded.
import { describe, expect, it } from 'vitest';
import { decodeForm, encodeForm, FormDecodingError, splitKey } from '../../twins/stripe/form-decoding.ts';

describe('stripe form decoding', () => {
  it('splits bracket keys', () => {
    expect(splitKey('amount')).toEqual(['amount']);
    expect(splitKey('card[number]')).toEqual(['card', 'number']);
    expect(splitKey('items[0][price_data][recurring][interval]')).toEqual(['items', '0', 'price_data', 'recurring', 'interval']);
    expect(splitKey('expand[]')).toEqual(['expand', '']);
    expect(() => splitKey('a[b')).toThrow(FormDecodingError);
  });

  it('decodes nested hashes, indexed and empty-bracket arrays, and percent-encoding', () => {
    const body =
      'amount=2000&metadata[order id]=A%26B&expand[0]=customer&expand[1]=latest_charge&payment_method_types[]=card&payment_method_types[]=link&' +
      'items[0][price]=price_1&items[1][price]=price_2&items[1][quantity]=3&description=caf%C3%A9+au+lait&customer=';
    expect(decodeForm(body)).toEqual({
      amount: '2000',
      metadata: { 'order id': 'A&B' },
      expand: ['customer', 'latest_charge'],
      payment_method_types: ['card', 'link'],
      items: [{ price: 'price_1' }, { price: 'price_2', quantity: '3' }],
      description: 'café au lait',
      customer: '',
    });
  });

  it('round-trips what an encoder in stripe-node style produces', () => {
    const value = { a: '1', b: { c: ['x', 'y'], d: { e: 'f' } }, g: [{ h: 'i' }] };
    expect(decodeForm(encodeForm(value))).toEqual(value);
  });

  it('refuses prototype keys and keys used both as value and hash', () => {
    expect(() => decodeForm('__proto__[polluted]=1')).toThrow(FormDecodingError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => decodeForm('a=1&a[b]=2')).toThrow(/both as a value and as a hash/);
  });
});
