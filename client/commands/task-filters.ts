/**
 * Task filter values as operators type them (`--status dead,failed`, `--class network`, `--kind plan`,
 * `--created-after 2h`), checked before anything is sent: `tasks list` and the bulk commands share them.
 */
import { InvalidArgumentError } from 'commander';
import type { ErrorClass } from '../gate/generated/graphql.ts';
import { CliError } from './support.ts';

export const STATUSES = ['PENDING', 'CLAIMED', 'RUNNING', 'COMPLETED', 'FAILED', 'DEAD', 'CANCELLED'] as const;
export type Status = (typeof STATUSES)[number];

export function statusList(values: string[] | undefined): Status[] | undefined {
  if (!values?.length) return undefined;
  const upper = values.map((v) => v.toUpperCase());
  const bad = upper.find((v) => !(STATUSES as readonly string[]).includes(v));
  if (bad) throw new CliError(`--status: "${bad}" is not one of ${STATUSES.join(', ')}`);
  return upper as Status[];
}

export function kindOf(value: string | undefined): 'DOWNLOAD' | 'PLAN' | undefined {
  if (!value) return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'DOWNLOAD' && upper !== 'PLAN') throw new CliError(`--kind: "${value}" is not download or plan`);
  return upper;
}

const ERROR_CLASSES = [
  'NETWORK',
  'RATE_LIMITED',
  'REGISTRY_ERROR',
  'CHALLENGE',
  'PARSE',
  'STORAGE',
  'LEASE_EXPIRED',
  'CANCELLED',
  'INTERNAL',
] as const satisfies readonly ErrorClass[];

export function errorClassList(values: string[] | undefined): ErrorClass[] | undefined {
  if (!values?.length) return undefined;
  const upper = values.map((v) => v.toUpperCase().replace(/-/g, '_'));
  const bad = upper.find((v) => !(ERROR_CLASSES as readonly string[]).includes(v));
  if (bad) throw new CliError(`--class: "${bad}" is not one of ${ERROR_CLASSES.join(', ')}`);
  return upper as ErrorClass[];
}

/** `--created-after`: an ISO date-time, or <n>m|h|d meaning that long ago. */
export function pastTimeOption(name: string) {
  return (value: string) => {
    const ago = /^(\d+)([mhd])$/.exec(value);
    const at = ago
      ? Date.now() - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'm' | 'h' | 'd']
      : Date.parse(value);
    if (Number.isNaN(at)) throw new InvalidArgumentError(`${name} must be an ISO date-time or <n>m|h|d (ago)`);
    return new Date(at).toISOString();
  };
}
