import { parseArgs } from 'node:util';
import type { OperatorRepository } from '../db/operator-repository.ts';
import { OPERATOR_NAME_PATTERN, OPERATOR_ROLES, type OperatorRole } from '../operators/roles.ts';
import { hashToken, newOperatorToken } from '../operators/tokens.ts';

export const OPERATORS_USAGE = `npm run admin -- operators add <name> --role viewer|operator|admin   adds an operator and prints their token, once
npm run admin -- operators list                                      every operator, with role and state
npm run admin -- operators revoke <name>                             revokes the operator's token at once`;

/** A command's failure the person at the terminal can fix: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const isRole = (role: string | undefined): role is OperatorRole => OPERATOR_ROLES.includes(role as OperatorRole);

/**
 * `operators add|list|revoke`: the people who may use the admin API. A new
 * operator's token is printed once and stored only as its hash; a lost token
 * is replaced by revoking the operator and adding them under a new name.
 */
export async function runOperatorCommand(
  argv: string[],
  operators: OperatorRepository,
  print: (line: string) => void,
): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    options: { role: { type: 'string' } },
    allowPositionals: true,
  });
  const [command, name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}\n${OPERATORS_USAGE}`);
  switch (command) {
    case 'add': {
      if (!name || !OPERATOR_NAME_PATTERN.test(name))
        throw new UsageError(
          'an operator name is 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
        );
      if (!isRole(values.role)) throw new UsageError(`--role must be one of ${OPERATOR_ROLES.join(', ')}`);
      const token = newOperatorToken();
      if (!(await operators.add({ name, role: values.role, tokenHash: hashToken(token) })))
        throw new UsageError(
          `an operator named ${name} exists already (revoked operators keep their name: audit records carry it)`,
        );
      print(`Added ${name} (${values.role}). Their token, shown this once (send it as Authorization: Bearer <token>):`);
      print(token);
      return;
    }
    case 'list':
      for (const operator of await operators.list())
        print(
          `${operator.name}\t${operator.role}\tadded ${operator.createdAt.toISOString()}\t${operator.revokedAt ? `revoked ${operator.revokedAt.toISOString()}` : 'active'}`,
        );
      return;
    case 'revoke':
      if (!name) throw new UsageError('name the operator to revoke');
      if (!(await operators.revoke(name))) throw new UsageError(`no active operator named ${name}`);
      print(`Revoked ${name}: their token is refused from now on.`);
      return;
    default:
      throw new UsageError(OPERATORS_USAGE);
  }
}
