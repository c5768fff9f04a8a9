// Reads the official `stripe` package's TypeScript definitions with the TypeScript compiler API and
// writes two tables, so neither the twin nor its tests keep Stripe's vocabulary by hand:
//   twins/stripe/param-enums.ts — for each request-parameter interface the twin serves, the closed
//     string enums among its parameters (nested hashes and lists included), which the twin enforces
//     as Stripe does (`capture_method=sometimes` → 400);
//   test/stripe/fixtures/object-shapes.json — every field of each response object (and of the
//     nested structures they carry): required or optional, and its type, for the conformance test.
// Run after upgrading the `stripe` devDependency: npm run stripe-tables
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const STRIPE = new URL('../node_modules/stripe/', import.meta.url).pathname;
const RESOURCES = join(STRIPE, 'esm/resources');

/** Request-parameter interfaces of the endpoints the twin serves. */
const PARAM_INTERFACES = [
  'BalanceTransactionListParams',
  'ChargeCaptureParams',
  'ChargeCreateParams',
  'ChargeListParams',
  'ChargeUpdateParams',
  'Checkout.SessionCreateParams',
  'Checkout.SessionExpireParams',
  'Checkout.SessionListLineItemsParams',
  'Checkout.SessionListParams',
  'CustomerCreateParams',
  'CustomerListParams',
  'CustomerListPaymentMethodsParams',
  'CustomerUpdateParams',
  'DisputeCloseParams',
  'DisputeListParams',
  'DisputeUpdateParams',
  'EventListParams',
  'InvoiceListParams',
  'PaymentIntentCancelParams',
  'PaymentIntentCaptureParams',
  'PaymentIntentConfirmParams',
  'PaymentIntentCreateParams',
  'PaymentIntentListParams',
  'PaymentIntentUpdateParams',
  'PaymentMethodCreateParams',
  'PaymentMethodListParams',
  'PaymentMethodUpdateParams',
  'PriceCreateParams',
  'PriceListParams',
  'PriceUpdateParams',
  'ProductCreateParams',
  'ProductListParams',
  'ProductUpdateParams',
  'RefundCreateParams',
  'RefundListParams',
  'SetupIntentCancelParams',
  'SetupIntentConfirmParams',
  'SetupIntentCreateParams',
  'SetupIntentListParams',
  'SetupIntentUpdateParams',
  'SubscriptionCancelParams',
  'SubscriptionCreateParams',
  'SubscriptionListParams',
  'SubscriptionUpdateParams',
  'WebhookEndpointCreateParams',
  'WebhookEndpointUpdateParams',
] as const;

/** Response objects the twin returns; structures they nest are followed, expandable objects are not. */
const OBJECT_INTERFACES = [
  'Balance',
  'BalanceTransaction',
  'Charge',
  'Checkout.Session',
  'Customer',
  'DeletedCustomer',
  'DeletedProduct',
  'DeletedPrice',
  'DeletedWebhookEndpoint',
  'Dispute',
  // Event is a union of one type per event; EventBase holds the fields they share.
  'EventBase',
  'Invoice',
  'InvoiceItem',
  'InvoiceLineItem',
  'InvoicePayment',
  // A Checkout Session's line items.
  'LineItem',
  'PaymentIntent',
  'PaymentMethod',
  'Price',
  'Product',
  'Refund',
  'SetupIntent',
  'Subscription',
  'SubscriptionItem',
  'TestHelpers.DeletedTestClock',
  'TestHelpers.TestClock',
  'WebhookEndpoint',
] as const;

function dtsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? dtsFiles(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

const program = ts.createProgram(dtsFiles(RESOURCES), { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, strict: true });
const checker = program.getTypeChecker();

/**
 * Exported interfaces of the resource modules, by the name the stripe package gives them: `Charge`
 * for resources/Charges.d.ts, `Checkout.Session` for resources/Checkout/Sessions.d.ts (a bare
 * `Session` is also BillingPortal's and FinancialConnections'), and the parameter interfaces such a
 * module declares in its namespace (`Checkout.SessionCreateParams`).
 */
const interfaces = new Map<string, ts.InterfaceDeclaration>();
const add = (name: string, declaration: ts.InterfaceDeclaration): void => {
  if (!interfaces.has(name)) interfaces.set(name, declaration);
};
for (const file of program.getSourceFiles()) {
  if (!file.fileName.startsWith(RESOURCES)) continue;
  const dir = namespaceOf(file.fileName);
  for (const statement of file.statements) {
    if (ts.isInterfaceDeclaration(statement)) add(dir ? `${dir}.${statement.name.text}` : statement.name.text, statement);
    else if (dir && ts.isModuleDeclaration(statement) && statement.name.text === dir && statement.body && ts.isModuleBlock(statement.body)) {
      for (const inner of statement.body.statements) if (ts.isInterfaceDeclaration(inner)) add(`${dir}.${inner.name.text}`, inner);
    }
  }
}

/** `Checkout` for a module under resources/Checkout/, '' for one directly in resources/. */
function namespaceOf(fileName: string): string {
  const parts = fileName.slice(RESOURCES.length + 1).split('/');
  return parts.length > 1 ? (parts[0] as string) : '';
}

function interfaceType(name: string): ts.Type {
  const declaration = interfaces.get(name);
  if (!declaration) throw new Error(`stripe types: no interface ${name}`);
  return checker.getTypeAtLocation(declaration);
}

/** `PaymentIntent.NextAction` for a symbol declared in a resource module's namespaces. */
function qualifiedName(symbol: ts.Symbol): string {
  const name = checker.getFullyQualifiedName(symbol).replace(/^"[^"]*"\./, '');
  const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
  const dir = file.startsWith(RESOURCES) ? namespaceOf(file) : '';
  return dir && !name.startsWith(`${dir}.`) ? `${dir}.${name}` : name;
}

// A type as the tables describe it (test/stripe/object-conformance.ts reads the same tables).
export type Desc =
  | 'string'
  | 'number'
  | 'boolean'
  | 'null'
  | 'unknown'
  | { enum: string[] }
  | { array: Desc }
  | { ref: string }
  | { record: Desc }
  | { list: Desc }
  | { union: Desc[] };

/**
 * OtherString (`string & Record<never, never>`): the stripe package joins it to every enum so code
 * handles values newer than the package; the literals beside it are the values Stripe publishes.
 */
const isOtherString = (type: ts.Type): boolean => type.isIntersection() && type.types.some((t) => (t.flags & ts.TypeFlags.String) !== 0);

const isNamedObject = (type: ts.Type): boolean =>
  !!type.symbol && (type.symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) !== 0 && type.symbol.name !== '__type';

function describe(type: ts.Type, refs: Set<string>): Desc {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'unknown';
  if (type.flags & ts.TypeFlags.Null) return 'null';
  if (type.flags & ts.TypeFlags.StringLiteral) return { enum: [(type as ts.StringLiteralType).value] };
  if (type.flags & ts.TypeFlags.String) return 'string';
  if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return 'number';
  if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return 'boolean';
  if (isOtherString(type)) return 'string';
  if (type.isUnion()) {
    const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
    // The published values joined with OtherString: the enum, the marker only saying more may come.
    const values = members.filter((t) => !isOtherString(t));
    return union((values.some((t) => t.flags & ts.TypeFlags.StringLiteral) ? values : members).map((t) => describe(t, refs)));
  }
  if (checker.isArrayType(type)) return { array: describe(checker.getTypeArguments(type as ts.TypeReference)[0] as ts.Type, refs) };
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (index && checker.getPropertiesOfType(type).length === 0) return { record: describe(index.type, refs) };
  // ApiList<T> (lib.d.ts): a list object whose data the checker follows.
  if (type.symbol?.name === 'ApiList') {
    const data = checker.getPropertyOfType(type, 'data');
    const items = data && checker.getTypeOfSymbol(data);
    if (items && checker.isArrayType(items)) return { list: describe(checker.getTypeArguments(items as ts.TypeReference)[0] as ts.Type, refs) };
  }
  if (type.flags & ts.TypeFlags.Object && isNamedObject(type)) {
    const name = qualifiedName(type.symbol);
    refs.add(name);
    return { ref: name };
  }
  return 'unknown';
}

/** Literals gathered into one enum; `boolean` arrives as true | false. */
function union(members: Desc[]): Desc {
  const out: Desc[] = [];
  const literals: string[] = [];
  for (const m of members) {
    if (typeof m === 'object' && 'enum' in m) literals.push(...m.enum);
    else if (typeof m === 'object' && 'union' in m) out.push(...m.union);
    else if (!out.some((o) => JSON.stringify(o) === JSON.stringify(m))) out.push(m);
  }
  // An open enum (literals beside `string`) is a string.
  if (literals.length && !out.includes('string')) out.push({ enum: [...new Set(literals)].sort() });
  return out.length === 1 ? (out[0] as Desc) : { union: out };
}

interface Field {
  optional: boolean;
  type: Desc;
}

function fieldsOf(type: ts.Type, refs: Set<string>): Record<string, Field> {
  const fields: Record<string, Field> = {};
  for (const property of checker.getPropertiesOfType(type)) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    if (!declaration) continue;
    fields[property.name] = {
      optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
      type: describe(checker.getTypeOfSymbolAtLocation(property, declaration), refs),
    };
  }
  return fields;
}

// ---- object shapes: each root object and every structure reachable without crossing an expandable
// reference (`string | Customer`) to an object outside the roots.

const shapes: Record<string, Record<string, Field>> = {};
const namedTypes = new Map<string, ts.Type>();
const queue: string[] = [...OBJECT_INTERFACES];
for (const name of OBJECT_INTERFACES) namedTypes.set(name, interfaceType(name));
while (queue.length) {
  const name = queue.shift() as string;
  if (shapes[name]) continue;
  const refs = new Set<string>();
  shapes[name] = fieldsOf(resolveNamed(name) as ts.Type, refs);
  for (const ref of refs) if (!shapes[ref] && followable(ref)) queue.push(ref);
}

/** Nested structures are followed; top-level objects only when they are roots (expandables are ids by default). */
function followable(ref: string): boolean {
  if ((OBJECT_INTERFACES as readonly string[]).includes(ref)) return true;
  return !interfaces.has(ref) && resolveNamed(ref) !== undefined;
}

function resolveNamed(name: string): ts.Type | undefined {
  if (namedTypes.has(name)) return namedTypes.get(name);
  // The longest leading part that names an interface (`Checkout.Session` of `Checkout.Session.AutomaticTax`).
  const parts = name.split('.');
  let cut = parts.length;
  while (cut > 0 && !interfaces.has(parts.slice(0, cut).join('.'))) cut--;
  const root = interfaces.get(parts.slice(0, cut).join('.'));
  const rest = parts.slice(cut);
  if (!root) return undefined;
  let symbol: ts.Symbol | undefined = checker.getSymbolAtLocation(root.name);
  // The namespace merged with the interface holds the nested declarations.
  for (const part of rest) {
    symbol = symbol?.exports?.get(part as ts.__String);
  }
  if (!symbol) return undefined;
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  namedTypes.set(name, type);
  return type;
}

// ---- parameter enums: a tree per parameter interface holding only the branches that end in a closed enum.

type EnumTree = string[] | { [key: string]: EnumTree };

function enumTree(type: ts.Type, depth: number, seen: Set<ts.Type>): EnumTree | undefined {
  if (depth > 12 || seen.has(type)) return undefined;
  const members = type.isUnion() ? type.types : [type];
  const literals: string[] = [];
  let open = false;
  let objectTree: Record<string, EnumTree> | undefined;
  for (const member of members) {
    if (member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
    if (member.flags & ts.TypeFlags.StringLiteral) {
      const value = (member as ts.StringLiteralType).value;
      // Emptyable<T> adds '': "unset", which the twin reads as null before enums are checked.
      if (value !== '') literals.push(value);
      continue;
    }
    if (isOtherString(member)) continue;
    // A parameter that also takes a boolean or number (off_session: boolean | 'one_off' | …) is
    // sent as text either way, so its values are not a closed set of strings.
    if (member.flags & (ts.TypeFlags.String | ts.TypeFlags.BooleanLike | ts.TypeFlags.NumberLike)) {
      open = true;
      continue;
    }
    if (checker.isArrayType(member)) {
      const inner = enumTree(checker.getTypeArguments(member as ts.TypeReference)[0] as ts.Type, depth + 1, new Set([...seen, type]));
      if (inner) objectTree = { ...objectTree, '[]': inner };
      continue;
    }
    if (member.flags & ts.TypeFlags.Object) {
      for (const property of checker.getPropertiesOfType(member)) {
        const declaration = property.valueDeclaration ?? property.declarations?.[0];
        if (!declaration) continue;
        const inner = enumTree(checker.getTypeOfSymbolAtLocation(property, declaration), depth + 1, new Set([...seen, type]));
        if (inner) objectTree = { ...objectTree, [property.name]: inner };
      }
    }
  }
  if (literals.length && !open) {
    // A parameter that is either an enum or a hash (rare) keeps its hash branches under the enum's values.
    return objectTree ? { ...objectTree, '': [...new Set(literals)].sort() } : [...new Set(literals)].sort();
  }
  return objectTree;
}

const paramEnums: Record<string, EnumTree> = {};
for (const name of PARAM_INTERFACES) paramEnums[name] = enumTree(interfaceType(name), 0, new Set()) ?? {};

const version = (JSON.parse(readFileSync(join(STRIPE, 'package.json'), 'utf8')) as { version: string }).version;
const apiVersion = /ApiVersion = "([^"]+)"/.exec(readFileSync(join(STRIPE, 'esm/apiVersion.d.ts'), 'utf8'))?.[1];

writeFileSync(
  new URL('../twins/stripe/param-enums.ts', import.meta.url),
  `// Generated by scripts/write-stripe-tables.ts from the stripe package ${version} (API ${apiVersion}); do not edit.
// Per request-parameter interface, the parameters whose values are a closed set: a tree of the
// parameter names (\`[]\` for a list's items, \`''\` for an enum beside a hash) ending in the values.

export type EnumTree = readonly string[] | { readonly [key: string]: EnumTree };

export const STRIPE_TYPES_VERSION = ${JSON.stringify(version)};

export const PARAM_ENUMS = {
${Object.entries(paramEnums).map(([name, tree]) => `  ${/^\w+$/.test(name) ? name : JSON.stringify(name)}: ${JSON.stringify(tree)},`).join('\n')}
} as const satisfies Record<string, EnumTree>;

export type ParamInterface = keyof typeof PARAM_ENUMS;
`,
);

writeFileSync(
  new URL('../test/stripe/fixtures/object-shapes.json', import.meta.url),
  `${JSON.stringify({ stripe: version, apiVersion, shapes }, null, 1)}\n`,
);
console.log(`param-enums: ${Object.keys(paramEnums).length} interfaces; object-shapes: ${Object.keys(shapes).length} structures`);
