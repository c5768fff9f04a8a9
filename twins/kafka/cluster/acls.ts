// ACLs and the authorizer, as Kafka's StandardAuthorizer decides: a principal may do an operation on
// a resource when it is a super user, or no DENY binding matches and an ALLOW one does (READ, WRITE,
// DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; ALL implies every one), or
// — with allow.everyone.if.no.acl.found — when no binding names the resource at all. A binding
// matches a resource by its literal name, the literal wildcard `*`, or a prefix (PREFIXED); a
// principal by name or `User:*`; a host by address or `*`. Resources: topics, groups, the cluster
// (its configs and IDEMPOTENT_WRITE too) and transactional ids. Without an authorizer configured every
// request is allowed and the ACL APIs answer SECURITY_DISABLED, as Kafka does.
// @see https://kafka.apache.org/documentation/#security_authz
// @see org.apache.kafka.metadata.authorizer.StandardAuthorizerData
export const RESOURCE = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PATTERN = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const OPERATION = {
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export const PERMISSION = { ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type ResourceTypeName = Exclude<keyof typeof RESOURCE, 'ANY'>;
export type OperationName = Exclude<keyof typeof OPERATION, 'ANY'>;

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A filter of DescribeAcls / DeleteAcls: null and ANY match everything. */
export interface AclFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

/** The only name a CLUSTER resource has. */
export const CLUSTER_NAME = 'kafka-cluster';

const IMPLIED_BY: Partial<Record<number, number[]>> = {
  [OPERATION.DESCRIBE]: [OPERATION.READ, OPERATION.WRITE, OPERATION.DELETE, OPERATION.ALTER],
  [OPERATION.DESCRIBE_CONFIGS]: [OPERATION.ALTER_CONFIGS],
};

export interface AuthorizerOptions {
  superUsers: string[];
  allowEveryoneIfNoAclFound: boolean;
}

export class AclStore {
  bindings: AclBinding[] = [];

  /** `authorizer`: absent means no authorizer (everything allowed, the ACL APIs SECURITY_DISABLED). */
  constructor(readonly authorizer?: AuthorizerOptions) {}

  get enabled(): boolean {
    return this.authorizer !== undefined;
  }

  /** Why a binding cannot be created (Kafka's message), or undefined. */
  invalid(b: AclBinding): string | undefined {
    if (!Object.values(RESOURCE).includes(b.resourceType as never) || b.resourceType === RESOURCE.ANY) return `Invalid resource type ${b.resourceType}`;
    if (b.patternType !== PATTERN.LITERAL && b.patternType !== PATTERN.PREFIXED) return `Invalid resource pattern type ${b.patternType}`;
    if (!/^[^:]+:.+$/.test(b.principal)) return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
    if (b.operation <= OPERATION.ANY || b.operation > OPERATION.DESCRIBE_TOKENS) return `Invalid operation ${b.operation}`;
    if (b.permissionType !== PERMISSION.ALLOW && b.permissionType !== PERMISSION.DENY) return `Invalid permission type ${b.permissionType}`;
    if (b.resourceType === RESOURCE.CLUSTER && b.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
    if (b.resourceName === '') return 'Resource name should not be empty';
    return undefined;
  }

  /** Adds a binding (an identical one already there is kept once). */
  add(b: AclBinding): void {
    if (!this.bindings.some((x) => same(x, b))) this.bindings.push({ ...b });
  }

  matching(f: AclFilter): AclBinding[] {
    return this.bindings.filter((b) => filterMatches(f, b));
  }

  /** Removes and returns the bindings a filter matches. */
  remove(f: AclFilter): AclBinding[] {
    const gone = this.matching(f);
    this.bindings = this.bindings.filter((b) => !gone.includes(b));
    return gone;
  }

  authorize(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    const a = this.authorizer;
    if (!a || a.superUsers.includes(principal)) return true;
    const onResource = this.bindings.filter((b) => b.resourceType === resourceType && namesResource(b, name));
    const applies = onResource.filter((b) => (b.principal === principal || b.principal === 'User:*') && (b.host === '*' || b.host === host));
    const covers = (b: AclBinding, op: number): boolean => b.operation === op || b.operation === OPERATION.ALL;
    if (applies.some((b) => b.permissionType === PERMISSION.DENY && covers(b, operation))) return false;
    // An implied operation is granted by an ALLOW of the one that implies it, but a DENY of that one
    // does not deny it (Kafka denies only what it names, or ALL).
    const granting = [operation, ...(IMPLIED_BY[operation] ?? [])];
    if (applies.some((b) => b.permissionType === PERMISSION.ALLOW && granting.some((op) => covers(b, op)))) return true;
    return onResource.length === 0 && a.allowEveryoneIfNoAclFound;
  }

  /**
   * Whether a principal may do `operation` on some resource of a type (Kafka's
   * authorizeByResourceType): an ALLOW binding for it that no DENY binding covers. InitProducerId
   * asks it for an idempotent producer with WRITE on any topic (KIP-679).
   */
  authorizeAny(principal: string, host: string, operation: number, resourceType: number): boolean {
    const a = this.authorizer;
    if (!a || a.superUsers.includes(principal)) return true;
    const applies = this.bindings.filter(
      (b) => b.resourceType === resourceType && (b.operation === operation || b.operation === OPERATION.ALL) && (b.principal === principal || b.principal === 'User:*') && (b.host === '*' || b.host === host),
    );
    const denies = applies.filter((b) => b.permissionType === PERMISSION.DENY);
    // A DENY covers an ALLOW when it names everything the ALLOW does: the wildcard, the same literal
    // name, or a prefix of the ALLOW's name or prefix.
    const covered = (allow: AclBinding): boolean =>
      denies.some((d) => (d.patternType === PATTERN.LITERAL ? d.resourceName === '*' || (allow.patternType === PATTERN.LITERAL && d.resourceName === allow.resourceName) : allow.resourceName.startsWith(d.resourceName)));
    return applies.some((b) => b.permissionType === PERMISSION.ALLOW && !covered(b));
  }
}

function namesResource(b: AclBinding, name: string): boolean {
  if (b.patternType === PATTERN.PREFIXED) return name.startsWith(b.resourceName);
  return b.resourceName === name || b.resourceName === '*';
}

function same(a: AclBinding, b: AclBinding): boolean {
  return (Object.keys(a) as Array<keyof AclBinding>).every((k) => a[k] === b[k]);
}

function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceTypeFilter !== RESOURCE.ANY && f.resourceTypeFilter !== b.resourceType) return false;
  if (f.patternTypeFilter === PATTERN.MATCH) {
    if (f.resourceNameFilter !== null && !namesResource(b, f.resourceNameFilter)) return false;
  } else {
    if (f.patternTypeFilter !== PATTERN.ANY && f.patternTypeFilter !== b.patternType) return false;
    if (f.resourceNameFilter !== null && f.resourceNameFilter !== b.resourceName) return false;
  }
  if (f.principalFilter !== null && f.principalFilter !== b.principal) return false;
  if (f.hostFilter !== null && f.hostFilter !== b.host) return false;
  if (f.operation !== OPERATION.ANY && f.operation !== b.operation) return false;
  return f.permissionType === PERMISSION.ANY || f.permissionType === b.permissionType;
}
