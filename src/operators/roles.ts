/** What an operator may do: a viewer reads; an operator also acts on orders and blocks numbers; an admin also manages money, partners and limits. */
export const OPERATOR_ROLES = ['viewer', 'operator', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** An operator as the admin API knows them once their token is checked. */
export interface AuthenticatedOperator {
  name: string;
  role: OperatorRole;
}

export const OPERATOR_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Whether `role` includes what `needed` may do (the roles are ranked). */
export const roleAllows = (role: OperatorRole, needed: OperatorRole) =>
  OPERATOR_ROLES.indexOf(role) >= OPERATOR_ROLES.indexOf(needed);

/**
 * What an operator may do: act on an order (resolve, retry, re-send the merchant's notification, reverse it on a
 * supplier's word), run a reconciliation (of the books, or of a supplier's bill), and block or unblock a number
 * (an on-call operator stops a fraud number at once).
 */
const OPERATOR_ACTIONS: [method: string, path: RegExp][] = [
  ['POST', /^\/admin\/orders\/[^/]+\/(resolve|retry|notifications|reverse)$/],
  ['POST', /^\/admin\/reconciliations$/],
  ['POST', /^\/admin\/suppliers\/[^/]+\/bill-reconciliations$/],
  ['POST', /^\/admin\/blocked-numbers$/],
  ['DELETE', /^\/admin\/blocked-numbers\/[^/]+$/],
];

/**
 * The role an admin request needs: reading (and asking which methods a path serves) needs a viewer, the
 * operator actions above an operator, anything else (merchants, their keys, top-ups and adjustments,
 * suppliers, the risk limits) an admin. A new route is an admin's until it is placed here.
 */
export function roleNeededFor(method: string, path: string): OperatorRole {
  // OPTIONS answers which methods a path serves, nothing more.
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'viewer';
  if (OPERATOR_ACTIONS.some(([actionMethod, action]) => actionMethod === method && action.test(path)))
    return 'operator';
  return 'admin';
}
