/**
 * `reyestr keys create|list|revoke`: API keys. A new key is printed once and never again.
 */
import type { Command } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import {
  CliError,
  action,
  commandGroup,
  gateCommand,
  json,
  stdio,
  table,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';
import { resolveId } from './ids.ts';

const CreateKeyDocument = graphql(`
  mutation OperatorCreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name role prefix createdAt } } }
`);
const KeysDocument = graphql(`
  query OperatorApiKeys { apiKeys { id name role prefix createdAt lastUsedAt revokedAt } }
`);
const RevokeKeyDocument = graphql(`
  mutation OperatorRevokeApiKey($id: ID!) { revokeApiKey(input: { id: $id }) { id name revokedAt } }
`);

export function registerKeyCommands(program: Command, output: Output = stdio): Command {
  const keys = commandGroup(program, 'keys', 'API keys for workers and operators (admin key needed)');

  gateCommand(
    keys,
    'create',
    'create a key; it is printed once, store it now',
    'reyestr keys create --name worker-kyiv-1 --role worker',
  )
    .requiredOption('--name <name>', 'what the key is for')
    .option('--role <role>', 'worker or admin', 'worker')
    .action(
      action(async (o: GateOptions & { name: string; role: string }) => {
        const role = o.role.toUpperCase();
        if (role !== 'WORKER' && role !== 'ADMIN') throw new CliError(`--role: "${o.role}" is not worker or admin`);
        const { createApiKey } = await withGate(o, (gate) =>
          gate.request(CreateKeyDocument, { input: { name: o.name, role } }),
        );
        if (o.json) return void output.out(json(createApiKey));
        output.out(`${createApiKey.key}\n`);
        output.err(
          `key ${createApiKey.apiKey.id} (${createApiKey.apiKey.role.toLowerCase()}, "${createApiKey.apiKey.name}"): shown only this once, store it now\n`,
        );
      }, output),
    );

  gateCommand(
    keys,
    'list',
    'list keys (prefixes only; keys themselves are never shown again)',
    'reyestr keys list --json',
  ).action(
    action(async (o: GateOptions) => {
      const { apiKeys } = await withGate(o, (gate) => gate.request(KeysDocument, {}));
      if (o.json) return void output.out(json(apiKeys));
      output.out(
        table(
          ['ID', 'NAME', 'ROLE', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'],
          apiKeys.map((k) => [
            k.id,
            k.name,
            k.role,
            k.prefix,
            k.createdAt.slice(0, 19),
            k.lastUsedAt?.slice(0, 19),
            k.revokedAt?.slice(0, 19),
          ]),
        ),
      );
    }, output),
  );

  gateCommand(keys, 'revoke', 'revoke a key: it stops working at once', 'reyestr keys revoke 0b6c5f70')
    .argument('<id>', 'key id (from keys list), or its first characters (4 or more)')
    .action(
      action(async (input: string, o: GateOptions) => {
        const { revokeApiKey } = await withGate(o, async (gate) =>
          gate.request(RevokeKeyDocument, { id: await resolveId(gate, 'API_KEY', input) }),
        );
        output.out(
          o.json
            ? json(revokeApiKey)
            : `revoked key ${revokeApiKey.id} ("${revokeApiKey.name}") at ${revokeApiKey.revokedAt}\n`,
        );
      }, output),
    );
  return keys;
}
