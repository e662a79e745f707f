import { signedAmountFen, type LedgerEntryRow } from '../db/ledger-repository.ts';

/** A ledger entry as the API shows it; amounts are integer fen, signed as the merchant's balance sees them. */
export function ledgerEntryJson(entry: LedgerEntryRow) {
  return {
    entryId: String(entry.id),
    type: entry.type,
    amountFen: Number(signedAmountFen(entry)),
    balanceAfterFen: Number(entry.balanceAfterFen),
    debitAccount: entry.debitAccount,
    creditAccount: entry.creditAccount,
    orderId: entry.orderId,
    requestId: entry.requestId,
    operator: entry.operator,
    note: entry.note,
    at: entry.createdAt,
  };
}
