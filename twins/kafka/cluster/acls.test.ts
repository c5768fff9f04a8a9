// The authorizer's decisions, rule by rule as Kafka's StandardAuthorizer makes them.
import { describe, expect, it } from 'vitest';
import { AclStore, OPERATION as OP, PATTERN, PERMISSION, RESOURCE, type AclBinding } from './acls.ts';

const acl = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: RESOURCE.TOPIC,
  resourceName: 'orders',
  patternType: PATTERN.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: OP.READ,
  permissionType: PERMISSION.ALLOW,
  ...over,
});

function store(bindings: AclBinding[], allowEveryoneIfNoAclFound = false): AclStore {
  const s = new AclStore({ superUsers: ['User:admin'], allowEveryoneIfNoAclFound });
  for (const b of bindings) s.add(b);
  return s;
}

describe('authorizer', () => {
  it('allows super users everything and nobody anything on a resource without ACLs (unless allow.everyone.if.no.acl.found)', () => {
    expect(store([]).authorize('User:admin', '1.2.3.4', OP.ALTER, RESOURCE.CLUSTER, 'kafka-cluster')).toBe(true);
    expect(store([]).authorize('User:alice', '1.2.3.4', OP.READ, RESOURCE.TOPIC, 'orders')).toBe(false);
    expect(store([], true).authorize('User:alice', '1.2.3.4', OP.READ, RESOURCE.TOPIC, 'orders')).toBe(true);
    // Once any ACL names the resource, the fallback no longer applies.
    expect(store([acl({ principal: 'User:bob' })], true).authorize('User:alice', 'h', OP.READ, RESOURCE.TOPIC, 'orders')).toBe(false);
  });

  it('READ implies DESCRIBE, ALL implies everything; DENY wins over ALLOW', () => {
    const s = store([acl({})]);
    expect(s.authorize('User:alice', 'h', OP.DESCRIBE, RESOURCE.TOPIC, 'orders')).toBe(true);
    expect(s.authorize('User:alice', 'h', OP.WRITE, RESOURCE.TOPIC, 'orders')).toBe(false);
    expect(store([acl({ operation: OP.ALL })]).authorize('User:alice', 'h', OP.DELETE, RESOURCE.TOPIC, 'orders')).toBe(true);
    expect(store([acl({ operation: OP.ALL }), acl({ permissionType: PERMISSION.DENY, host: 'h' })]).authorize('User:alice', 'h', OP.READ, RESOURCE.TOPIC, 'orders')).toBe(false);
    expect(store([acl({ operation: OP.ALL }), acl({ permissionType: PERMISSION.DENY, host: 'h' })]).authorize('User:alice', 'other', OP.READ, RESOURCE.TOPIC, 'orders')).toBe(true);
  });

  it('matches the literal wildcard, prefixes and User:*', () => {
    expect(store([acl({ resourceName: '*' })]).authorize('User:alice', 'h', OP.READ, RESOURCE.TOPIC, 'anything')).toBe(true);
    const prefixed = store([acl({ resourceName: 'ord', patternType: PATTERN.PREFIXED, principal: 'User:*' })]);
    expect(prefixed.authorize('User:carol', 'h', OP.READ, RESOURCE.TOPIC, 'orders')).toBe(true);
    expect(prefixed.authorize('User:carol', 'h', OP.READ, RESOURCE.TOPIC, 'payments')).toBe(false);
    expect(prefixed.authorize('User:carol', 'h', OP.READ, RESOURCE.GROUP, 'orders')).toBe(false);
  });

  it('filters: MATCH finds every binding that applies to a name; LITERAL only the exact one', () => {
    const s = store([acl({}), acl({ resourceName: '*' }), acl({ resourceName: 'or', patternType: PATTERN.PREFIXED }), acl({ resourceName: 'payments' })]);
    const filter = { resourceTypeFilter: RESOURCE.TOPIC, resourceNameFilter: 'orders', principalFilter: null, hostFilter: null, operation: OP.ANY, permissionType: PERMISSION.ANY };
    expect(s.matching({ ...filter, patternTypeFilter: PATTERN.MATCH }).map((b) => b.resourceName)).toEqual(['orders', '*', 'or']);
    expect(s.matching({ ...filter, patternTypeFilter: PATTERN.LITERAL }).map((b) => b.resourceName)).toEqual(['orders']);
  });

  it('refuses bindings Kafka refuses', () => {
    const s = store([]);
    expect(s.invalid(acl({ principal: 'alice' }))).toMatch(/principal/);
    expect(s.invalid(acl({ resourceType: RESOURCE.CLUSTER, resourceName: 'c' }))).toMatch(/kafka-cluster/);
    expect(s.invalid(acl({ patternType: PATTERN.MATCH }))).toMatch(/pattern type/);
    expect(s.invalid(acl({}))).toBeUndefined();
  });

  it('authorizeAny (authorizeByResourceType): an ALLOW of the operation on some resource of the type that no DENY covers', () => {
    const any = (s: AclStore, principal = 'User:alice'): boolean => s.authorizeAny(principal, 'h', OP.WRITE, RESOURCE.TOPIC);
    expect(any(store([]))).toBe(false);
    expect(any(store([]), 'User:admin')).toBe(true);
    expect(any(store([acl({ operation: OP.WRITE })]))).toBe(true);
    expect(any(store([acl({ operation: OP.ALL, patternType: PATTERN.PREFIXED, resourceName: 'ord' })]))).toBe(true);
    // READ does not imply WRITE; another principal's grant is not alice's.
    expect(any(store([acl({})]))).toBe(false);
    expect(any(store([acl({ operation: OP.WRITE, principal: 'User:bob' })]))).toBe(false);
    // A DENY of the same name, a prefix of it, or the wildcard covers the ALLOW; a DENY of another name does not.
    expect(any(store([acl({ operation: OP.WRITE }), acl({ operation: OP.WRITE, permissionType: PERMISSION.DENY })]))).toBe(false);
    expect(any(store([acl({ operation: OP.WRITE }), acl({ operation: OP.WRITE, permissionType: PERMISSION.DENY, patternType: PATTERN.PREFIXED, resourceName: 'or' })]))).toBe(false);
    expect(any(store([acl({ operation: OP.WRITE }), acl({ operation: OP.WRITE, permissionType: PERMISSION.DENY, resourceName: '*' })]))).toBe(false);
    expect(any(store([acl({ operation: OP.WRITE }), acl({ operation: OP.WRITE, permissionType: PERMISSION.DENY, resourceName: 'payments' })]))).toBe(true);
  });
});
