// Config value types as Kafka's ConfigDef knows them, their wire numbers (DescribeConfigs v3+
// `configType`) and the check of a value a client sets, worded as Kafka words its refusal.
// @see org.apache.kafka.common.config.ConfigDef, DescribeConfigsResponse.ConfigType
export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

export const CONFIG_TYPE_CODE: Record<ConfigType, number> = { boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9 };

const RANGE: Partial<Record<ConfigType, [number, number]>> = { int: [-2147483648, 2147483647], short: [-32768, 32767], long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] };
const MAX_LONG = '9223372036854775807';

export interface ValueRule {
  type: ConfigType;
  oneOf?: readonly string[];
  min?: number;
}

/** Why `value` is not a valid `name`, or undefined when it is. */
export function configValueError(name: string, value: string, rule: ValueRule): string | undefined {
  const bad = (why: string): string => `Invalid value ${value} for configuration ${name}: ${why}`;
  const v = value.trim();
  switch (rule.type) {
    case 'boolean':
      return /^(true|false)$/i.test(v) ? undefined : bad('Expected value to be either true or false');
    case 'int':
    case 'short':
    case 'long': {
      // Long.MAX_VALUE is how Kafka spells "never"; it is past what a double holds exactly.
      if (rule.type === 'long' && v === MAX_LONG) return undefined;
      const range = RANGE[rule.type] as [number, number];
      if (!/^-?\d+$/.test(v) || Number(v) < range[0] || Number(v) > range[1]) return bad(`Not a number of type ${rule.type.toUpperCase()}`);
      if (rule.min !== undefined && Number(v) < rule.min) return bad(`Value must be at least ${rule.min}`);
      return undefined;
    }
    case 'double':
      if (v === '' || !Number.isFinite(Number(v))) return bad('Not a number of type DOUBLE');
      if (rule.min !== undefined && Number(v) < rule.min) return bad(`Value must be at least ${rule.min}`);
      return undefined;
    case 'list': {
      if (!rule.oneOf) return undefined;
      const items = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
      const unknown = items.find((x) => !rule.oneOf!.includes(x));
      return unknown === undefined ? undefined : bad(`String must be one of: ${rule.oneOf.join(', ')}`);
    }
    default:
      return rule.oneOf && !rule.oneOf.includes(v) ? bad(`String must be one of: ${rule.oneOf.join(', ')}`) : undefined;
  }
}
